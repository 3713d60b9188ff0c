"""The project's URLs plus two anchors the HTTP benchmarks divide by.

- /bench/anchor/: the issue's anchor, a trivial DRF view that makes one indexed query: it
  authenticates like every trainee endpoint (the same token, whose lookup every endpoint pays too)
  and reads one row by its primary key, so a ratio to it measures what an endpoint does beyond an
  authenticated API call that reads one row.
- /bench/authenticated/: the same view without its query (the token lookup alone), shown beside
  the anchor so the cost of that one query is in the table too.
- /bench/page/: the floor of a trainee page: signed in by session cookie, one indexed query, the
  site's base template (its header's own queries included) around a line of text. Pages pay the
  session, CSRF and template work the token-authenticated anchor does not: this row shows how much.
- /bench/plain/: a plain JsonResponse with no database at all (the ceiling of the stack).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urls


class AnchorView(APIView):
    def get(self, request):
        User = get_user_model()
        return Response({"user": User.objects.values_list("username", flat=True).get(pk=request.user.pk)})


class AuthenticatedView(APIView):
    def get(self, request):
        return Response({"user": request.user.get_username()})


_PAGE = engines["django"].from_string('{% extends "base.html" %}{% block content %}<p>{{ name }}</p>{% endblock %}')


@login_required
def page(request):
    name = get_user_model().objects.values_list("username", flat=True).get(pk=request.user.pk)
    return HttpResponse(_PAGE.render({"name": name}, request))


def plain(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/anchor/", AnchorView.as_view(), name="bench-anchor"),
    path("bench/authenticated/", AuthenticatedView.as_view(), name="bench-authenticated"),
    path("bench/page/", page, name="bench-page"),
    path("bench/plain/", plain, name="bench-plain"),
    *project_urls,
]
