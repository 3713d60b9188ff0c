from django.urls import path

from . import views

urlpatterns = [
    path("quizzes/", views.QuizListView.as_view(), name="api-quizzes"),
    path("quizzes/<int:quiz_id>/attempts/", views.AttemptStartView.as_view(), name="api-attempt-start"),
    path("attempts/<int:attempt_id>/", views.AttemptDetailView.as_view(), name="api-attempt"),
    path("attempts/<int:attempt_id>/reply/", views.ReplyView.as_view(), name="api-attempt-reply"),
    path("attempts/<int:attempt_id>/answers/", views.AnswerView.as_view(), name="api-attempt-answer"),
    path("attempts/<int:attempt_id>/reflection/", views.ReflectionView.as_view(), name="api-attempt-reflection"),
    path("attempts/<int:attempt_id>/result/", views.ResultView.as_view(), name="api-attempt-result"),
    path("reflections/<int:reflection_id>/", views.ReflectionDetailView.as_view(), name="api-reflection"),
]
