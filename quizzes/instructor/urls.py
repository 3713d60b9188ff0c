from django.urls import path

from . import views

app_name = "quizzes_instructor"

urlpatterns = [
    path("", views.cohort_list, name="cohorts"),
    path("cohorts/<int:cohort_id>/", views.dashboard, name="dashboard"),
    path("cohorts/<int:cohort_id>/grid.csv", views.dashboard_csv, name="dashboard_csv"),
    path("cohorts/<int:cohort_id>/charts/", views.cohort_charts, name="charts"),
    path("cohorts/<int:cohort_id>/trainees/<int:user_id>/", views.trainee, name="trainee"),
    path("cohorts/<int:cohort_id>/reflections/", views.reflection_queue, name="reflections"),
    path("cohorts/<int:cohort_id>/reflections/<int:reflection_id>/", views.reflection, name="reflection"),
    path("cohorts/<int:cohort_id>/quizzes/", views.quiz_list, name="quizzes"),
    path("cohorts/<int:cohort_id>/quizzes/<int:quiz_id>/", views.item_analysis, name="item_analysis"),
    path("cohorts/<int:cohort_id>/quizzes/<int:quiz_id>/items.csv", views.item_analysis_csv, name="item_analysis_csv"),
]
