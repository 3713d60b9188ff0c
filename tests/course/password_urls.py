"""The test host's URLs plus Django's password change and reset views (the demo host routes neither)."""

from django.urls import include, path

from config.urls import urlpatterns as host_urlpatterns

urlpatterns = [path("accounts/", include("django.contrib.auth.urls")), *host_urlpatterns]
