from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("review/", views.session, name="session"),
    path("review/answer/", views.answer, name="answer"),
    path("review/feedback/<uuid:review_id>/", views.feedback, name="feedback"),
    path("review/undo/", views.undo, name="undo"),
    path("review/ahead/", views.ahead, name="ahead"),
    path("review/ahead/answer/", views.ahead_answer, name="ahead_answer"),
    path("review/skills/", views.mastery, name="mastery"),
    path("review/react/", views.react, name="react"),
]
