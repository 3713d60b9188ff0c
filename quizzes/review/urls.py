from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("review/", views.session, name="session"),
    path("review/answer/", views.answer, name="answer"),
    path("review/feedback/<uuid:review_id>/", views.feedback, name="feedback"),
    path("review/skills/", views.mastery, name="mastery"),
    path("review/react/", views.react, name="react"),
]
