from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("courses/", views.CourseListView.as_view(), name="api-courses"),
    path("courses/<slug:course>/", views.CourseDetailView.as_view(), name="api-course"),
    path("courses/<slug:course>/modules/", views.ModuleListView.as_view(), name="api-modules"),
    path("courses/<slug:course>/modules/<slug:module>/", views.ModuleDetailView.as_view(), name="api-module"),
    path("courses/<slug:course>/lessons/<slug:lesson>/", views.LessonDetailView.as_view(), name="api-lesson"),
    path(
        "courses/<slug:course>/lessons/<slug:lesson>/complete/",
        views.LessonCompleteView.as_view(),
        name="api-lesson-complete",
    ),
    path("progress/", views.ProgressView.as_view(), name="api-progress"),
]
