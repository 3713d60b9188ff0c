from django.urls import path
from rest_framework.parsers import FormParser, MultiPartParser

from . import views
from .parsers import DepthLimitedJSONParser

urlpatterns = [
    # DRF's token view names its own parsers; give it the depth-limited JSON one (anonymous users post here).
    path(
        "auth/token/",
        views.TokenView.as_view(parser_classes=[FormParser, MultiPartParser, DepthLimitedJSONParser]),
        name="api-token",
    ),
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
