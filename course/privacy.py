"""The privacy registry (after Moodle's Privacy API) and the services that walk it.

Each Attune app declares, in its own `privacy.py`, the personal data its models hold: which fields,
why, for how long, and what erasure does with each model's rows. It registers the declarations in
its AppConfig.ready(), so course (the lowest app) never imports a higher one. The export, erasure
and retention services below read only the registry; the inventory test checks it against every
model of every Attune app, and `README.md` ("What Attune stores") is checked against it.

Erasure keeps an answer's option and grade (and its attempt's score) for item analysis, reassigned
to one anonymous placeholder account (`ERASED_USERNAME`, inactive, no password) that takes the
erased trainee's place in their cohorts. Everything else about the trainee is deleted.
"""

from __future__ import annotations

import html
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

ERASED_USERNAME = "attune-erased-trainee"
CHUNK = 500  # rows per database round trip while exporting

DELETE, ANONYMISE, KEEP = "delete", "anonymise", "keep"


@dataclass
class ModelPrivacy:
    """What one model holds about a person.

    - `subject`: the lookup from the model to the person's pk (`user_id`, `attempt__user_id`).
    - `personal`: field -> why it is held; exported, and gone after erasure.
    - `kept_anonymous`: field -> why it is kept (detached from the person) after erasure.
    - `not_personal`: field -> why it is not personal data.
    - `erasure`: DELETE the subject's rows, ANONYMISE them with `erase(queryset, placeholder)`, or
      KEEP them (audit records that hold no content). A DELETE may name its own `erase` too.
    """

    model: str
    kind: str
    description: str
    subject: str
    retention: str
    personal: dict[str, str]
    erasure: str = DELETE
    kept_anonymous: dict[str, str] = field(default_factory=dict)
    not_personal: dict[str, str] = field(default_factory=dict)
    export_also: tuple[str, ...] = ()  # related values that make an export readable (item__slug)
    erase: Callable[[QuerySet, Model], None] | None = None
    profile: bool = False  # the user model itself: erased last

    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def declared(self) -> set[str]:
        return {*self.personal, *self.kept_anonymous, *self.not_personal}

    def queryset(self, user_pk: int) -> QuerySet:
        return self.model_class()._default_manager.filter(**{self.subject: user_pk})

    def export_fields(self) -> list[str]:
        model = self.model_class()
        names = []
        for name in [*self.personal, *self.kept_anonymous]:
            f = model._meta.get_field(name)
            if f.many_to_many or f.one_to_many:
                continue
            names.append(f.attname if f.is_relation else name)
        return ["pk", *dict.fromkeys(names), *self.export_also]


_registry: dict[str, ModelPrivacy] = {}
_retention: dict[str, Callable[[datetime], int]] = {}


def register(*declarations: ModelPrivacy) -> None:
    for declaration in declarations:
        _registry[declaration.model.lower()] = declaration


def register_retention(kind: str, apply: Callable[[datetime], int]) -> None:
    """`apply(cutoff)` blanks that kind of free text written before cutoff and returns how many."""
    _retention[kind] = apply


def declarations() -> list[ModelPrivacy]:
    return list(_registry.values())


def declaration_for(model: type[Model]) -> ModelPrivacy | None:
    return _registry.get(model._meta.label_lower)


# --- the inventory check (the test that notices, and `manage.py check`-style use) ---------------


def _forward_relations(model):
    from django.db import models

    return [f for f in model._meta.get_fields() if isinstance(f, models.Field) and f.is_relation]


def _is_user_fk(f) -> bool:
    from django.db import models

    return isinstance(f, models.Field) and f.is_relation and f.related_model is get_user_model()


def _links_to_user(model, seen=None) -> bool:
    """A user foreign key or many-to-many on the model, or on a model it points to (an answer's attempt)."""
    seen = seen if seen is not None else set()
    if model in seen:
        return False
    seen.add(model)
    for f in _forward_relations(model):
        if f.related_model is get_user_model():
            return True
        if (f.many_to_one or f.one_to_one) and _links_to_user(f.related_model, seen):
            return True
    return False


def fields_needing_declaration(model: type[Model]) -> list[str]:
    """Fields that can hold personal data: a link to the user model, or text/JSON on a model with one."""
    from django.db import models

    linked = _links_to_user(model)
    names = []
    for f in model._meta.get_fields():
        if _is_user_fk(f) or linked and isinstance(f, models.CharField | models.TextField | models.JSONField):
            names.append(f.name)
    return names


def undeclared_fields(models: Iterable[type[Model]]) -> list[str]:
    problems = []
    for model in models:
        declaration = declaration_for(model)
        declared = declaration.declared() if declaration else set()
        for name in fields_needing_declaration(model):
            if name not in declared:
                problems.append(f"{model._meta.label}.{name}")
        if declaration:
            existing = {f.name for f in model._meta.get_fields()}
            problems += [f"{model._meta.label}.{name} (declared, no such field)" for name in declared - existing]
    return problems


def attune_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m._meta.app_label.startswith("attune_")]


# --- export -------------------------------------------------------------------------------------


class _Sink:
    """A write-only, unseekable file for ZipFile: what is written is handed on and forgotten."""

    def __init__(self):
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _rows(declaration: ModelPrivacy, user_pk: int) -> Iterator[dict]:
    qs = declaration.queryset(user_pk).order_by("pk").values(*declaration.export_fields())
    return qs.iterator(chunk_size=CHUNK)


def _profile_declaration() -> ModelPrivacy | None:
    return next((d for d in declarations() if d.profile), None)


def may_export_any_account(user) -> bool:
    """Staff holding `attune_course.export_user_data` (superusers hold every permission); is_staff alone is not."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)):
        return False
    has_perm = getattr(user, "has_perm", None)  # a custom user model may have no PermissionsMixin
    return bool(has_perm and has_perm("attune_course.export_user_data"))


def export_stream(user, actor=None) -> Iterator[bytes]:
    """The person's data as a ZIP: one JSON file per kind, `summary.html` and `about.json`.

    Written incrementally: each row is encoded and handed on as it is read, `iterator(chunk_size)`
    keeps at most CHUNK rows in memory, and the ZIP writes data descriptors instead of seeking back.
    The audit record (who exported whom, when) is written before the first byte.
    """
    from .models import PrivacyRecord

    PrivacyRecord.objects.create(
        action=PrivacyRecord.EXPORT, subject_id=user.pk, actor=actor, at=timezone.now(), counts={}
    )
    return _export_chunks(user.pk)


def _export_chunks(user_pk: int) -> Iterator[bytes]:
    sink = _Sink()
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for declaration in declarations():
            n = 0
            with archive.open(f"{declaration.kind}.json", "w") as out:
                out.write(b"[")
                for row in _rows(declaration, user_pk):
                    out.write((",\n" if n else "\n").encode() + encoder.encode(row).encode())
                    n += 1
                    if n % CHUNK == 0:
                        yield sink.drain()
                out.write(b"\n]\n")
            counts[declaration.kind] = n
            yield sink.drain()
        with archive.open("about.json", "w") as out:
            out.write(json.dumps(inventory(), indent=2, ensure_ascii=False).encode())
        with archive.open("summary.html", "w") as out:
            for piece in _summary_html(user_pk, counts):
                out.write(piece.encode())
                if sink._chunks and sum(map(len, sink._chunks)) > 64 * 1024:
                    yield sink.drain()
    yield sink.drain()


def _summary_html(user_pk: int, counts: dict[str, int]) -> Iterator[str]:
    esc = html.escape
    stamp = timezone.now().isoformat(timespec="seconds")
    intro = _("Exported on %(date)s. Each section is also a JSON file in this archive.") % {"date": stamp}
    yield (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(_('Your data in Attune'))}</title>"
        "<style>body{font-family:sans-serif;max-width:70em;margin:auto;padding:1em}"
        "table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #999;padding:.2em .4em;"
        "vertical-align:top;text-align:left}</style></head><body>"
        f"<h1>{esc(_('Your data in Attune'))}</h1>"
        f"<p>{esc(intro)}</p>"
    )
    for declaration in declarations():
        fields = declaration.export_fields()
        yield (
            f'<section id="{esc(declaration.kind)}"><h2>{esc(str(declaration.description))} '
            f"({counts.get(declaration.kind, 0)})</h2><p>{esc(_('Kept:'))} {esc(declaration.retention)}</p>"
        )
        if not counts.get(declaration.kind):
            yield f"<p>{esc(_('None.'))}</p></section>"
            continue
        yield "<table><thead><tr>" + "".join(f"<th>{esc(f)}</th>" for f in fields) + "</tr></thead><tbody>"
        for row in _rows(declaration, user_pk):
            cells = (
                v if isinstance(v, str) else "" if v is None else json.dumps(v, cls=DjangoJSONEncoder)
                for v in row.values()
            )
            yield "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"
        yield "</tbody></table></section>"
    yield "</body></html>"


def export_to_file(user, path, actor=None) -> None:
    with open(path, "wb") as out:
        for chunk in export_stream(user, actor=actor):
            out.write(chunk)


def inventory() -> list[dict]:
    """The inventory as data: what the README section and `about.json` say."""
    return [
        {
            "model": d.model,
            "kind": d.kind,
            "description": str(d.description),
            "retention": d.retention,
            "on_erasure": d.erasure,
            "personal": d.personal,
            "kept_anonymous": d.kept_anonymous,
            "not_personal": d.not_personal,
        }
        for d in declarations()
    ]


# --- erasure ------------------------------------------------------------------------------------


def erased_placeholder():
    """The one anonymous account that holds every erased trainee's anonymous answers."""
    User = get_user_model()
    placeholder, created = User._default_manager.get_or_create(
        **{User.USERNAME_FIELD: ERASED_USERNAME}, defaults={"is_active": False}
    )
    if created:
        placeholder.set_unusable_password()
        placeholder.save()
    return placeholder


@dataclass
class ErasureReport:
    user_id: int
    erased: bool  # False: there was nobody left to erase (a second run)
    counts: dict[str, int]


class ErasureRefused(Exception):
    pass


def erase_user(user_pk: int, actor=None) -> ErasureReport:
    """Erase one person: in one transaction, each declaration's rows deleted, anonymised or kept,
    the account itself last, and an audit record with row counts only. Run twice, the second run
    finds nobody and changes nothing. Queued tasks carry ids of rows that no longer exist."""
    from .models import PrivacyRecord

    User = get_user_model()
    with transaction.atomic():
        user = User._default_manager.select_for_update().filter(pk=user_pk).first()
        if user is None:
            return ErasureReport(user_pk, False, {})
        if user.get_username() == ERASED_USERNAME:
            raise ErasureRefused(_("The anonymous placeholder account cannot be erased."))
        placeholder = erased_placeholder()
        counts: dict[str, int] = {}
        ordered = [d for d in reversed(declarations()) if not d.profile]
        profile = _profile_declaration()
        for declaration in [*ordered, *([profile] if profile else [])]:
            qs = declaration.queryset(user_pk)
            if declaration.erasure == KEEP:
                continue
            counts[declaration.kind] = qs.count()
            if declaration.erase is not None:
                declaration.erase(qs, placeholder)
            else:
                qs.delete()
        PrivacyRecord.objects.create(
            action=PrivacyRecord.ERASURE,
            subject_id=user_pk,
            actor=actor if actor is not None and actor.pk != user_pk else None,
            at=timezone.now(),
            counts=counts,
        )
    return ErasureReport(user_pk, True, counts)


def self_erasure_allowed() -> bool:
    from .conf import app_settings

    return app_settings.PRIVACY_SELF_ERASURE


# --- retention ----------------------------------------------------------------------------------


def retention_kinds() -> list[str]:
    return list(_retention)


def apply_retention(now: datetime | None = None) -> dict[str, int]:
    """Blank each kind of free text older than its setting (None: kept); grades are kept."""
    from .conf import app_settings

    now = now or timezone.now()
    done = {}
    for kind, apply in _retention.items():
        days = app_settings.retention_days(kind)
        if days is not None:
            done[kind] = apply(now - timedelta(days=days))
    return done


# --- course's own declarations (registered in CourseConfig.ready) --------------------------------


def _enrollment_to_placeholder(qs: QuerySet, placeholder) -> None:
    # The placeholder takes the erased trainee's seat, so the cohort's item analysis (which reads the
    # cohort's trainees) still counts their anonymous answers; one seat per cohort.
    from .models import Enrollment

    qs.filter(cohort_id__in=Enrollment.objects.filter(user=placeholder).values("cohort_id")).delete()
    qs.update(user=placeholder, created_at=timezone.now())


def _delete_account(qs: QuerySet, placeholder) -> None:
    from django.contrib.contenttypes.models import ContentType

    pks = [str(pk) for pk in qs.values_list("pk", flat=True)]
    if apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry

        # Django admin's history of edits to the account names it (object_repr).
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(qs.model), object_id__in=pks).delete()
    qs.delete()


def _untouched(qs: QuerySet, placeholder) -> None:
    """Rows that go when the account goes (many-to-many links), nothing to do before."""


def register_course() -> None:
    User = get_user_model()
    profile_fields = {
        name: why
        for name, why in {
            User.USERNAME_FIELD: "to log in and to be named to your instructors",
            "email": "reminders and account messages",
            "first_name": "how instructors see you",
            "last_name": "how instructors see you",
            "date_joined": "account history",
            "last_login": "account security",
            "is_active": "whether the account may log in",
        }.items()
        if any(f.name == name for f in User._meta.get_fields())
    }
    for_account = "as long as the account exists"
    register(
        ModelPrivacy(
            model=User._meta.label,
            kind="profile",
            description=_l("Your account"),
            subject="pk",
            retention=for_account,
            personal=profile_fields,
            not_personal={"password": "a one-way hash, never exported"},
            erase=_delete_account,
            profile=True,
        ),
        ModelPrivacy(
            model="attune_course.Enrollment",
            kind="enrolments",
            description=_l("Cohorts you are enrolled in"),
            subject="user_id",
            retention=for_account,
            personal={"user": "who is in the cohort", "created_at": "when you joined it"},
            kept_anonymous={"cohort": "the erased trainee's seat passes to the anonymous placeholder"},
            erasure=ANONYMISE,
            erase=_enrollment_to_placeholder,
            export_also=("cohort__name",),
        ),
        ModelPrivacy(
            model="attune_course.Cohort",
            kind="teaching",
            description=_l("Cohorts you teach"),
            subject="instructors",
            retention=for_account,
            personal={"instructors": "who teaches the cohort", "trainees": "who is enrolled (see enrolments)"},
            not_personal={"name": "the programme's name for the cohort"},
            erase=_untouched,
            export_also=("name",),
        ),
        ModelPrivacy(
            model="attune_course.LessonProgress",
            kind="lesson_progress",
            description=_l("Lessons you opened and completed"),
            subject="user_id",
            retention=for_account,
            personal={
                "user": "whose progress",
                "lesson": "which lesson",
                "first_opened_at": "progress",
                "last_opened_at": "continue where you left off",
                "completed_at": "progress and module status",
            },
            export_also=("lesson__slug",),
        ),
        ModelPrivacy(
            model="attune_course.ModuleResult",
            kind="module_results",
            description=_l("Your best result per module"),
            subject="user_id",
            retention=for_account,
            personal={
                "user": "whose result",
                "module": "which module",
                "best_score": "module status",
                "passed_at": "module status",
                "updated_at": "history",
            },
            export_also=("module__slug",),
        ),
        ModelPrivacy(
            model="attune_course.PrivacyRecord",
            kind="privacy_records",
            description=_l("Exports and erasures of your data"),
            subject="subject_id",
            retention="kept after erasure, as the record that it happened (row counts, no content)",
            personal={},
            kept_anonymous={
                "subject_id": "the account's number, which resolves to nobody once it is erased",
                "actor": "who asked (accountability); emptied if that person is erased",
                "action": "export or erasure",
                "counts": "rows per kind, no content",
                "at": "when",
            },
            erasure=KEEP,
        ),
    )
