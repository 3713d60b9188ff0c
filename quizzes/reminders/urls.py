from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("reminders/preferences/", views.preferences, name="preferences"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
