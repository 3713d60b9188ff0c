from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/reply/", views.write_reply, name="reply"),
    path("attempts/<int:attempt_id>/answer/", views.answer, name="answer"),
    path("attempts/<int:attempt_id>/feedback/<int:answer_id>/", views.feedback, name="feedback"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("attempts/<int:attempt_id>/reflection/", views.save_reflection, name="reflection"),
    path("sessions/<int:item_id>/replay/", views.session_replay, name="session_replay"),
]
