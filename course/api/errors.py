"""Error pages that speak JSON under the API prefix, so an API client never gets an HTML 404.

Django answers a path that matches no route (/api/v1/attempts/abc/) before any API view runs,
with the host's HTML 404 page. A host points its handler404 here: under ATTUNE_API_PATH_PREFIX
(default "/api/") the body is DRF's own error shape, {"detail": "..."}; elsewhere the usual page.
"""

from django.conf import settings
from django.http import JsonResponse
from django.views import defaults


def api_path(request) -> bool:
    return request.path.startswith(getattr(settings, "ATTUNE_API_PATH_PREFIX", "/api/"))


def not_found(request, exception=None):
    if api_path(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if api_path(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
