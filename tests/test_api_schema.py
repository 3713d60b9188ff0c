"""The schema is the truth: schemathesis over every operation of /api/schema/, as four personas.

The requests go through the real WSGI application (Django, DRF, PostgreSQL, Redis), each in its
own transaction like production (transactional_db). Every response is checked for 5xx and
against the schema: status code documented, content type, headers and body conforming; schema-
invalid input refused and schema-valid input not refused with a 400. Generation is derandomized
and bounded so the run is the same every time and takes about a minute.
"""

from __future__ import annotations

import collections
import logging
import os
import re

import hypothesis
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.personas import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SCHEMA_PERSONAS = ["anonymous", "trainee_a", "instructor_a", "staff"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
SAMPLES: dict[str, str] = {}
# Wrong credentials are a 400 by DRF's design, and no schema can tell a right password from a wrong one.
CREDENTIAL_OPERATIONS = {"POST /api/v1/auth/token/"}


# A field whose validity depends on stored rows or on another field, which no schema can say: the
# items of this attempt, the modules of this cohort's course, the quiz's rubric, the other end of
# quiet hours, the clock. A schema-valid request refused with a 400 naming only these fields is not a failure.
REFERENTIAL = {
    "GET /api/v1/instructor/cohorts/{cohort_id}/": {"module", "status"},
    "POST /api/v1/attempts/{attempt_id}/answers/": {"item", "step", "option"},
    "POST /api/v1/attempts/{attempt_id}/reply/": {"item"},
    "PUT /api/v1/instructor/cohorts/{cohort_id}/reflections/{reflection_id}/": {"rubric_scores"},
    "PATCH /api/v1/reminder-preferences/": {"quiet_start", "quiet_end"},
    "PUT /api/v1/reminder-preferences/": {"quiet_start", "quiet_end"},
    "POST /api/v1/reviews/": {"card", "key", "option", "reviewed_at"},  # reviewed_at: not after now
}


def referential(operation, response, failure) -> bool:
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return False
    try:
        fields = set(response.json())
    except ValueError:
        return False
    return bool(fields) and fields <= REFERENTIAL.get(operation.label, set())


def checks_for(operation):
    if operation.label in CREDENTIAL_OPERATIONS:
        return [check for check in CHECKS if check is not positive_data_acceptance]
    return CHECKS


EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 5}


@pytest.fixture
def world(transactional_db, postgres, redis_url):
    return build_world()


@pytest.fixture
def api_schema(transactional_db):
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


def real_ids(world) -> dict[str, int]:
    """Trainee A's real path ids (A's own, A's instructor's, everyone else's someone else's), so cases
    reach past the 404 of a random id."""
    return {
        "quiz_id": world.quiz.pk,
        "cohort_id": world.cohort_a.pk,
        "attempt_id": world.a.attempt_open.pk,
        "reflection_id": world.a.attempt_shared.reflection.pk,
        "user_id": world.a.user.pk,
    }


def sample(persona, case, response) -> str:
    """The request's parts that the answer names, and the answer: enough to reproduce a failure."""
    body = case.body
    try:
        named = response.json()
        if isinstance(body, dict) and isinstance(named, dict):
            body = {k: body[k] for k in named if k in body} or body
    except ValueError:
        pass
    return (
        f"{persona} {case.method} {case.formatted_path} query={case.query} body={body!r:.300} "
        f"{case.media_type} -> {response.status_code} {response.text[:300]}"
    )


def has_inputs(operation, fixed) -> bool:
    """Whether there is anything to make schema-invalid (else negative generation cannot succeed)."""
    free_path = len(operation.path_parameters) and not fixed
    headers = [h for h in operation.headers if h.name.lower() != "authorization"]  # the persona sets that one
    return bool(len(operation.query) or headers or len(list(operation.body)) or free_path)


def run_operation(operation, mode, world, path_ids, tally, failures):
    """One derandomized generation; each case is sent as every persona."""
    fixed = {k: v for k, v in path_ids.items() if k in {p.name for p in operation.path_parameters}} or None
    if mode is GenerationMode.NEGATIVE and not has_inputs(operation, fixed):
        return
    personas = {
        persona: {} if persona == "anonymous" else {"Authorization": f"Token {world.tokens[persona]}"}
        for persona in SCHEMA_PERSONAS
    }

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for persona, headers in personas.items():
            tally[persona] += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=checks_for(operation), headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    if referential(operation, response, failure):
                        continue
                    first_line = failure.message.strip().splitlines()[0][:160] if failure.message.strip() else ""
                    key = f"{operation.label} [{mode.value}] {failure.title}: {first_line}"
                    failures[key] += 1
                    SAMPLES.setdefault(key, sample(persona, case, response))

    try:
        check()
    except hypothesis.errors.Unsatisfiable:  # e.g. only an int path id, whose negation no route matches
        tally["runs with nothing schema-invalid to make"] += 1


def test_every_operation_conforms_for_every_persona(world, api_schema, capsys, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of expected 4xx warnings
    tally: collections.Counter = collections.Counter()
    failures: collections.Counter = collections.Counter()
    only = re.compile(os.environ.get("SCHEMA_ONLY", ""))  # SCHEMA_ONLY=reviews runs the matching operations
    operations = [op for op in (result.ok() for result in api_schema.get_all_operations()) if only.search(op.label)]
    for operation in operations:
        for mode in EXAMPLES:
            # Random ids, then real ones where the path names something.
            for ids in ({}, real_ids(world)) if len(operation.path_parameters) else ({},):
                run_operation(operation, mode, world, ids, tally, failures)
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations, cases per persona {dict(tally)}, "
            f"failures {sum(failures.values())}"
        )
        for key in sorted(failures):
            print(f"  {failures[key]} x {key}\n      e.g. {SAMPLES[key]}")
    assert sorted(failures) == []


@pytest.fixture
def schema_doc(db):
    from django.test import Client

    return yaml.safe_load(Client().get("/api/schema/").content)


def test_every_operation_documents_its_errors(schema_doc):
    for path, methods in schema_doc["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, f"{method.upper()} {path} documents {sorted(codes)}"
            if method != "get":
                assert "400" in codes, f"{method.upper()} {path} documents {sorted(codes)}"
            if "{" in path:
                assert "404" in codes, f"{method.upper()} {path} documents {sorted(codes)}"
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert "application/json" in response.get("content", {}), f"{method} {path} {code} has no body"


def test_notifications_are_documented_as_the_page_they_are(schema_doc):
    ok = schema_doc["paths"]["/api/v1/notifications/"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    page = schema_doc["components"]["schemas"][ref]
    assert page["type"] == "object"
    assert {"count", "next", "previous", "results", "unread_count"} <= set(page["properties"])


def test_local_times_are_a_pattern_not_format_time(schema_doc):
    preference = schema_doc["components"]["schemas"]["Preference"]["properties"]
    for name in ("reminder_time", "quiet_start", "quiet_end"):
        assert "format" not in preference[name] and re.search(preference[name]["pattern"], "18:00:00")


def test_the_dashboards_empty_sort_is_in_its_enum(schema_doc):
    parameters = schema_doc["paths"]["/api/v1/instructor/cohorts/{cohort_id}/"]["get"]["parameters"]
    sort = next(p for p in parameters if p["name"] == "sort")
    assert "" in sort["schema"]["enum"] and "-name" in sort["schema"]["enum"]


def test_an_unmatched_api_path_is_a_json_404(client, db):
    response = client.get("/api/v1/attempts/not-a-number/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert client.get("/courses/no/such/page/").headers["Content-Type"].startswith("text/html")
