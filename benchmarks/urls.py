"""The project's URLs plus two anchors the HTTP benchmarks divide by.

- /bench/anchor/: a trivial DRF view that makes one indexed query. It authenticates like every
  trainee endpoint (the same token), and that token lookup (primary key, joined to the user) is its
  one query, so a ratio to it measures what an endpoint does beyond being an authenticated API call.
- /bench/plain/: a plain JsonResponse with no database at all (the ceiling of the stack).
"""

from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urls


class AnchorView(APIView):
    def get(self, request):
        return Response({"user": request.user.get_username()})


def plain(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/anchor/", AnchorView.as_view(), name="bench-anchor"),
    path("bench/plain/", plain, name="bench-plain"),
    *project_urls,
]
