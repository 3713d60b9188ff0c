from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's own password change and reset views, in templates/registration/ (the site's style).
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (the CSP allows no inline script);
    # Swagger UI's stylesheet draws its icons from data: URLs.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("api/v1/", include("course.api.urls")),
    path("api/v1/", include("quizzes.api.urls")),
    path("api/v1/", include("quizzes.review.api")),
    path("api/v1/", include("quizzes.reminders.api")),
    path("api/v1/instructor/", include("quizzes.instructor.api")),
    path("quizzes/", include("quizzes.urls")),
    path("quizzes/", include("quizzes.review.urls")),
    path("quizzes/", include("quizzes.reminders.urls")),
    path("instructor/", include("quizzes.instructor.urls")),
    path("", include("course.urls")),
]

# Under /api/ an unmatched path or a crash answers in JSON like the API; elsewhere the HTML pages.
handler404 = "course.api.errors.not_found"
handler500 = "course.api.errors.server_error"
