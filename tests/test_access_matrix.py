"""Every route, from the URL resolver, x every persona x GET/POST/PUT/PATCH/DELETE.

The routes come from get_resolver(), so a route added tomorrow is in the matrix the day it is
added. Each URL kwarg is filled with every real id of its kind in the world (trainee A's and
trainee B's attempts, reflections, cohorts...), so every persona asks for its own rows and for
other people's. Asserted: no 5xx; no private text of another user in any response body (free
replies, reflections shared or not, notifications); a locked module's quiz refused on every route
that starts, shows or answers it.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
import uuid

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from quizzes.models import Answer, Attempt
from quizzes.reminders.services import unsubscribe_token
from quizzes.review.models import ReviewLog
from tests.personas import PERSONAS, build_world, module_is_locked_for

pytestmark = [pytest.mark.postgres]

METHODS = ["get", "post", "put", "patch", "delete"]
ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")
# The documentation's routes and Django's own error-page previews carry nothing of anyone's.
SKIP_NAMES = {"schema", "api-docs"}


def routes() -> list[tuple[str, str]]:
    """(route template, name) for every leaf of the URL tree; kwargs stay as <name>."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            piece = as_template(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + piece, ns)
            elif isinstance(entry, URLPattern):
                found.append((prefix + piece, f"{namespace}{entry.name or entry.lookup_str}"))

    walk(get_resolver().url_patterns, "", "")
    return found


def as_template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAM.sub(lambda m: f"<{m['name']}>", str(pattern))
    assert isinstance(pattern, RegexPattern), pattern
    regex = pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")

    def group(match):
        body = match["body"]
        # An alternation of literals (admin's app_label) is filled with each literal later.
        return f"<{match['name']}|{body}>" if re.fullmatch(r"[\w|]+", body) else f"<{match['name']}>"

    return REGEX_GROUP.sub(group, regex)


def values_for(world) -> dict[str, list]:
    """Every real id of each kind, both trainees' (and so each persona's own and someone else's)."""
    attempts = [t.attempt_shared for t in (world.a, world.b)] + [t.attempt_private for t in (world.a, world.b)]
    attempts += [t.attempt_open for t in (world.a, world.b)]
    reflections = [a.reflection.pk for a in attempts if hasattr(a, "reflection")]
    reviews = list(ReviewLog.objects.values_list("client_id", flat=True)[:4]) or [uuid.uuid4()]
    return {
        "course": [world.course.slug],
        "module": [world.open_module.slug, world.locked_module.slug],
        "lesson": [lesson.slug for m in (world.open_module, world.locked_module) for lesson in m.lessons.all()],
        "quiz_id": [world.quiz.pk, world.locked_quiz.pk],
        "attempt_id": [a.pk for a in attempts],
        "answer_id": list(Answer.objects.filter(attempt__in=attempts).values_list("pk", flat=True)[:4]),
        "reflection_id": reflections,
        "item_id": [item.pk for quiz in (world.quiz, world.locked_quiz) for item in quiz.items.all()],
        "cohort_id": [world.cohort_a.pk, world.cohort_b.pk],
        "user_id": [world.a.user.pk, world.b.user.pk],
        # Unsubscribe links' tokens and password-reset tokens (with each trainee's uidb64).
        "token": [unsubscribe_token(world.a.user.pk), unsubscribe_token(world.b.user.pk)]
        + [default_token_generator.make_token(t.user) for t in (world.a, world.b)],
        "uidb64": [urlsafe_base64_encode(force_bytes(t.user.pk)) for t in (world.a, world.b)],
        "review_id": reviews,
        "content_type_id": [ContentType.objects.get_for_model(Attempt).pk],
        "url": ["quizzes/attempt/"],
    }


def admin_object_ids() -> dict[str, list]:
    """For an admin route, the pks of that model's rows (both trainees' where the model has owners)."""
    ids = {}
    for model in admin.site._registry:
        ids[f"{model._meta.app_label}_{model._meta.model_name}"] = list(
            model._default_manager.order_by("pk").values_list("pk", flat=True)[:2]
        ) or [1]
    return ids


def urls_for(template: str, name: str, values: dict, admin_ids: dict) -> list[tuple[str, dict]]:
    names = [m[1] for m in re.finditer(r"<([^>|]+)(?:\|[^>]*)?>", template)]
    choices = []
    for param in names:
        alternation = re.search(rf"<{param}\|([^>]*)>", template)
        if alternation:
            choices.append(alternation[1].split("|"))
        elif param in ("object_id", "id"):  # an admin route: that model's own rows
            model_key = name.split(":")[-1].rsplit("_", 1)[0]
            choices.append(admin_ids.get(model_key, [1]))
        else:
            assert param in values, f"no real ids for <{param}> in {template}: add them to values_for()"
            choices.append(values[param])
    urls = []
    for combo in itertools.product(*choices):
        url = template
        for param, value in zip(names, combo, strict=True):
            url = re.sub(rf"<{param}(?:\|[^>]*)?>", str(value), url, count=1)
        urls.append(("/" + url.replace("\\", ""), dict(zip(names, combo, strict=True))))
    return urls


def allowed_markers(world, persona: str) -> set[str]:
    """Whose private text each persona may read: a trainee their own; an instructor their cohort's
    shared reflections and free replies; a superuser free replies in the admin and, holding the
    permission to oversee every cohort, shared reflections (audited); nobody else."""
    allowed: set[str] = set()
    for tag, trainee in (("a", world.a), ("b", world.b)):
        if persona == f"trainee_{tag}":
            allowed |= set(trainee.markers.values()) | {f"zq{tag}notemarker", f"zq{tag}secondreply"}
        if persona == f"instructor_{tag}":
            allowed |= {trainee.markers["reply"], trainee.markers["shared"], f"zq{tag}secondreply"}
        if persona == "superuser":
            allowed |= {
                trainee.markers["reply"],
                trainee.markers["shared"],
                f"zq{tag}secondreply",
                f"zq{tag}notemarker",
            }
    return allowed


def all_markers(world) -> set[str]:
    markers = set()
    for tag, trainee in (("a", world.a), ("b", world.b)):
        markers |= set(trainee.markers.values()) | {f"zq{tag}notemarker", f"zq{tag}secondreply"}
    return markers


def client_for(world, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def names_locked_content(world, params: dict) -> bool:
    """Whether a URL names the locked module's quiz, one of its items or one of its lessons."""
    locked_lessons = {lesson.slug for lesson in world.locked_module.lessons.all()}
    locked_items = set(world.locked_quiz.items.values_list("pk", flat=True))
    return (
        params.get("quiz_id") == world.locked_quiz.pk
        or params.get("lesson") in locked_lessons
        or params.get("item_id") in locked_items
    )


# Holes another change closes (issue 13, item 8: staff-wide visibility behind an explicit permission,
# and the admin's add form for reflections): reported, not failed, until that work lands; then delete.
KNOWN_HOLES: list[re.Pattern] = []  # none: a hole found here fails the test


def known_hole(line: str) -> bool:
    return any(pattern.search(line) for pattern in KNOWN_HOLES)


def test_every_route_every_persona_every_method(transactional_db, postgres, caplog, capsys):
    caplog.set_level(logging.CRITICAL, logger="django.request")  # thousands of expected 4xx/redirect logs
    world = build_world()
    values, admin_ids = values_for(world), admin_object_ids()
    markers = all_markers(world)
    plan = [
        (url, name, names_locked_content(world, params))
        for template, name in routes()
        if name.split(":")[-1] not in SKIP_NAMES
        for url, params in urls_for(template, name, values, admin_ids)
    ]
    errors, leaks, locked = [], [], []
    counts = collections.Counter()
    for persona in PERSONAS:
        client = client_for(world, persona)
        allowed = allowed_markers(world, persona)
        for url, name, locked_content in plan:
            for method in METHODS:
                response = getattr(client, method)(url)
                counts[persona] += 1
                if persona != "anonymous" and "_auth_user_id" not in client.session:
                    client.force_login(world.users[persona])  # a logout route ended the session: back in
                if response.status_code >= 500:
                    errors.append(f"{persona} {method.upper()} {url}: {response.status_code}")
                    continue
                body = b"".join(response.streaming_content) if response.streaming else response.content
                text = body.decode("utf-8", "replace")
                for marker in markers - allowed:
                    if marker in text:
                        leaks.append(f"{persona} {method.upper()} {url} ({name}) shows {marker}")
                if locked_content and persona.startswith("trainee") and response.status_code not in (403, 404, 405):
                    locked.append(f"{persona} {method.upper()} {url}: {response.status_code}")
    assert module_is_locked_for(world.a.user, world.locked_module)
    assert all(type(user).objects.filter(pk=user.pk, is_active=True).exists() for user in world.users.values())
    assert not Attempt.objects.filter(quiz=world.locked_quiz).exists(), "an attempt was started on a locked quiz"
    known = [line for line in errors + leaks if known_hole(line)]
    errors, leaks = [e for e in errors if e not in known], [leak for leak in leaks if leak not in known]
    with capsys.disabled():
        print(
            f"\naccess matrix: {len(plan)} URLs from {len(routes())} routes, {sum(counts.values())} requests "
            f"({dict(counts)}), 5xx {len(errors)}, leaks {len(leaks)}, locked content served {len(locked)}, "
            f"known holes {len(known)}"
        )
        for line in errors + leaks + locked + [f"known: {line}" for line in known]:
            print(f"  {line}")
    assert (errors, leaks, locked) == ([], [], [])
