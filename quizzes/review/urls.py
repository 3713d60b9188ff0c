from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("review/", views.session, name="session"),
    path("review/answer/", views.answer, name="answer"),
    path("review/feedback/<uuid:review_id>/", views.feedback, name="feedback"),
    path("review/skills/", views.mastery, name="mastery"),
    path("reminders/preferences/", views.preferences, name="preferences"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
