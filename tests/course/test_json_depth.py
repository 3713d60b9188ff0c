"""1,000 nested brackets are a 400 that names the problem on every JSON endpoint, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from course.api.parsers import MAX_DEPTH, DepthLimitedJSONParser, nesting_depth, nesting_depth_exceeds
from quizzes import services
from tests.quizzes.instructor.conftest import GOOD, play, quiz  # noqa: F401 - the quiz fixture

DEEP = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
MESSAGE = f"JSON parse error - nested deeper than {MAX_DEPTH} levels of brackets."


def post_raw(client, method, url, body):
    return getattr(client, method)(url, data=body, content_type="application/json")


# --- the scan ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, depth",
    [
        ("{}", 1),
        ("[1, [2, [3]], {}]", 3),
        ('{"a": "[[[[[["}', 1),  # brackets inside strings do not count
        (r'["a \" [[[[", [[]]]', 3),  # nor after an escaped quote
        (r'["\\", [[]]]', 3),  # an escaped backslash ends before the closing quote
        ('"no brackets"', 0),
        (DEEP, 1000),
        (DEEP_OBJECT, 1000),
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth


def test_the_limit_is_inclusive_and_a_cheap_count_skips_shallow_bodies():
    assert nesting_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH) is False
    assert nesting_depth_exceeds("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) is True
    # Many brackets side by side are not deep.
    assert nesting_depth_exceeds("[" + ",".join(["[1]"] * 5000) + "]") is False


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_in_linear_time():
    # Quadratic scanning would take minutes on this; the scan is three regex passes. The body is
    # malformed, so counting the brackets inside its unterminated string refuses nothing valid.
    text = '["' + '\\"' * 200_000 + "[" * 40
    assert nesting_depth_exceeds(text) is True


def test_the_parser_still_decodes_ordinary_json():
    import io

    body = json.dumps({"item": "mira", "nested": [[[{"ok": True}]]]}).encode()
    assert DepthLimitedJSONParser().parse(io.BytesIO(body), "application/json", {})["nested"] == [[[{"ok": True}]]]


# --- through the API ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, "[" * 100_000])
def test_an_anonymous_deep_body_to_the_token_endpoint_is_a_400_naming_the_problem(body):
    response = post_raw(APIClient(), "post", "/api/v1/auth/token/", body)
    assert response.status_code == 400
    assert response.json() == {"detail": MESSAGE}


@pytest.mark.django_db
def test_an_anonymous_deep_body_elsewhere_is_refused_for_want_of_login_not_a_500():
    response = post_raw(APIClient(), "post", "/api/v1/reviews/", DEEP)
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_shallow_body_still_reaches_the_serializer(trainee):
    response = post_raw(APIClient(), "post", "/api/v1/auth/token/", '{"username": "trainee", "password": [[["x"]]]}')
    assert response.status_code == 400
    assert "password" in response.json()


@pytest.fixture
def routes(cohort, quiz, trainee):  # noqa: F811 - the imported fixture
    attempt, _ = services.attempt_start(trainee, quiz)
    return [
        ("post", f"/api/v1/attempts/{attempt.pk}/answers/"),
        ("post", f"/api/v1/attempts/{attempt.pk}/reply/"),
        ("put", f"/api/v1/attempts/{attempt.pk}/reflection/"),
        ("post", "/api/v1/reviews/"),
        ("post", "/api/v1/reviews/reactions/"),
        ("patch", "/api/v1/reminder-preferences/"),
        ("post", "/api/v1/notifications/read/"),
    ]


@pytest.mark.django_db
def test_an_authenticated_deep_body_is_a_400_on_every_writing_endpoint(routes, trainee):
    api = APIClient()
    api.force_authenticate(trainee)
    statuses = {url: post_raw(api, method, url, DEEP) for method, url in routes}
    assert {url: r.status_code for url, r in statuses.items()} == {url: 400 for _, url in routes}
    assert all(r.json() == {"detail": MESSAGE} for r in statuses.values())


@pytest.mark.django_db
def test_an_instructors_deep_score_is_a_400(cohort, quiz, trainee, instructor):  # noqa: F811
    attempt = play(trainee, quiz, GOOD, reflection="I noticed the pull to explain.", shared=True)
    api = APIClient()
    api.force_authenticate(instructor)
    url = f"/api/v1/instructor/cohorts/{cohort.pk}/reflections/{attempt.reflection.pk}/"
    response = post_raw(api, "put", url, DEEP)
    assert response.status_code == 400
    assert response.json() == {"detail": MESSAGE}


def test_every_api_view_parses_json_with_the_depth_limit():
    """Walk the URL resolver, so a view added tomorrow (or one like DRF's token view, which names its
    own parsers) is checked the day it is added."""
    from django.urls import get_resolver
    from rest_framework.parsers import JSONParser
    from rest_framework.views import APIView

    def views(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    plain, checked = [], 0
    for route, callback in views(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        if view_class is None or not issubclass(view_class, APIView):
            continue
        checked += 1
        parsers = getattr(callback, "view_initkwargs", {}).get("parser_classes", view_class.parser_classes)
        json_parsers = [p for p in parsers if issubclass(p, JSONParser)]
        if any(not issubclass(p, DepthLimitedJSONParser) for p in json_parsers):
            plain.append(route)
    assert checked > 20
    assert plain == []


def test_the_system_check_warns_a_host_that_keeps_drfs_plain_json_parser(settings):
    from course.checks import check_json_parser

    assert check_json_parser(None) == []
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.FormParser"],
    }
    [warning] = check_json_parser(None)
    assert warning.id == "attune.W013" and "JSONParser" in warning.msg
