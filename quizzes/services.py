"""Every write of the quizzes app: importing items, playing attempts, reflections and their audit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from course import structure
from course.package import PackageError, Problem
from course.selectors import module_require_open
from course.services import ImportReport, module_result_record, module_set_quiz_required, sync_fields, upsert

from . import grading, validators
from .claim import claim_and_answer
from .items import course_items
from .models import TEXT_LIMITS, Answer, Attempt, Dimension, FreeReply, Item, Quiz, Reflection, ReflectionAccess, Skill
from .package import QuizSection
from .signals import answer_recorded

WRITE_FIRST = "Write your own reply to the client before choosing an option."


class Conflict(Exception):
    """The request does not fit the attempt's state (HTTP 409)."""


# ---------------------------------------------------------------- import


def package_apply(course, modules: dict, section: QuizSection, report: ImportReport) -> None:
    """Apply the quizzes' part of a package inside the import's transaction."""
    problems: list[Problem] = []
    for model, entries, label in ((Skill, section.skills, "skill"), (Dimension, section.dimensions, "dimension")):
        existing_rows = {row.key: row for row in model.objects.filter(course=course)}
        for order, (key, name) in enumerate(entries.items(), start=1):
            _, created, changed = upsert(
                model, {"course": course, "key": key}, {"name": name, "order": order}, existing=existing_rows.get(key)
            )
            report.note(f"{label} {key}", created, changed)
        stale = [key for key in existing_rows if key not in entries]
        if stale:  # names only: cards and answers keep their keys, and items that used them are archived
            model.objects.filter(course=course, key__in=stale).delete()
            report.removed.extend(f"{label} {key}" for key in stale)
    items_by_module: dict[str, list] = {}
    for spec in section.items:
        items_by_module.setdefault(spec.module, []).append(spec)
    quizzes: dict[str, Quiz] = {}
    for module_id, module in modules.items():
        spec = section.quizzes.get(module_id)
        has_items = bool(items_by_module.get(module_id))
        existing = Quiz.objects.filter(module=module).first()
        if has_items or existing is not None:
            quiz, created, changed = upsert(
                Quiz,
                {"module": module},
                {
                    "pass_threshold": spec.pass_threshold,
                    "harmful_fails": spec.harmful_fails,
                    "show_state": spec.show_state,
                    "reflection_prompt": spec.reflection_prompt,
                    "reflection_rubric": spec.reflection_rubric,
                    "reflection_exemplar": spec.reflection_exemplar,
                },
                existing=existing,
            )
            quizzes[module_id] = quiz
            report.note(f"quiz of {module_id}", created, changed)
        if module_set_quiz_required(module, has_items) and not has_items:
            report.updated.append(f"module {module_id} (no quiz now)")

    existing_items = {item.slug: item for item in Item.objects.filter(course=course)}
    rewritten_items: list[Item] = []
    for spec in section.items:
        values = {
            "quiz": quizzes[spec.module],
            "order": spec.order,
            "skill": spec.skill,
            "isomorph_group": spec.isomorph_group,
            "difficulty": spec.difficulty,
            "content_note": spec.content_note or "",
            "write_first": spec.write_first,
            "vignette": spec.vignette,
            "client_statement": spec.client_statement,
            "steps": spec.steps,
            "is_active": True,
        }
        item = existing_items.get(spec.id)
        if item is not None and spec.version < item.version:
            problems.append(
                Problem(spec.file, f"version {spec.version} is older than the imported {item.version}", "version")
            )
            continue
        if item is not None and item.steps != spec.steps and spec.version == item.version:
            problems.append(
                Problem(
                    spec.file,
                    f"options changed but version is still {item.version}: bump it so "
                    "answers keep the version they were given against",
                    "version",
                )
            )
            continue
        rewritten = item is not None and item.steps != spec.steps
        saved, created, changed = upsert(
            Item, {"course": course, "slug": spec.id}, {**values, "version": spec.version}, existing=item
        )
        report.note(f"item {spec.id}", created, changed)
        if rewritten:
            rewritten_items.append(saved)
    moved = attempts_move_off_vanished_steps(rewritten_items)
    if moved:
        report.updated.append(f"{moved} open attempt(s) moved past a step their rewritten item no longer has")
    imported = {spec.id for spec in section.items}
    archived = [item.pk for slug, item in existing_items.items() if slug not in imported and item.is_active]
    if archived:  # an UPDATE sends no post_save: move the structure version that items are kept under
        Item.objects.filter(pk__in=archived).update(is_active=False)
        structure.bump(course.pk)
        report.removed.extend(f"item {item.slug}" for item in existing_items.values() if item.pk in archived)

    if problems:
        raise PackageError(problems)


# ---------------------------------------------------------------- input checks


def clean_text(field: str, value, limit: int) -> str:
    """Defence for callers other than the forms and serializers (seed commands, tests): the very
    field the form uses, its errors under `field`."""
    if not isinstance(value, str):
        raise ValidationError({field: gettext("must be text.")})
    try:
        return validators.text_field(limit).clean(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages})


def clean_confidence(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"confidence": validators.CONFIDENCE_ERROR})
    if not validators.CONFIDENCE_MIN <= value <= validators.CONFIDENCE_MAX:
        raise ValidationError({"confidence": validators.CONFIDENCE_ERROR})
    return value


# ---------------------------------------------------------------- attempts


def attempt_start(user, quiz: Quiz) -> tuple[Attempt, bool]:
    """Resume the open attempt, or start a new one; a double click or a race still gives one attempt."""
    module_require_open(user, quiz.module)
    existing = Attempt.objects.filter(user=user, quiz=quiz, status=Attempt.IN_PROGRESS).first()
    if existing is not None:
        return existing, False
    item_ids = list(quiz.items.filter(is_active=True).order_by("order", "slug").values_list("pk", flat=True))
    if not item_ids:
        raise Conflict("This quiz has no items yet.")
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user, quiz=quiz, seed=secrets.randbelow(2**31), item_ids=item_ids, started_at=timezone.now()
            )
        return attempt, True
    except IntegrityError:
        return Attempt.objects.get(user=user, quiz=quiz, status=Attempt.IN_PROGRESS), False


def _current_item(attempt: Attempt) -> Item:
    return Item.objects.get(pk=attempt.item_ids[attempt.position])


def attempt_write_reply(attempt: Attempt, item_slug: str, text) -> FreeReply:
    """Save the trainee's own reply to a write-first item, before its options are shown."""
    text = clean_text("text", text, TEXT_LIMITS["free_reply"])
    module_require_open(attempt.user, attempt.quiz.module)
    if not attempt.is_open:
        raise Conflict("This attempt is closed.")
    item = _current_item(attempt)
    if item.slug != item_slug or attempt.step_path:
        raise Conflict(f"'{item_slug}' is not the item waiting for your reply; the current item is '{item.slug}'.")
    if not item.write_first:
        raise Conflict(f"'{item_slug}' does not ask for your own reply first.")
    try:
        with transaction.atomic():
            return FreeReply.objects.create(attempt=attempt, item=item, text=text, created_at=timezone.now())
    except IntegrityError:
        reply = FreeReply.objects.get(attempt=attempt, item=item)
        if reply.text != text:
            raise Conflict("You have already written your reply to this client.")
        return reply


@dataclass
class AnswerOutcome:
    answer: Answer
    item: Item
    chosen: dict
    best: dict
    next_step: dict | None
    attempt: Attempt
    repeated: bool = False

    @property
    def harmful(self) -> bool:
        return self.chosen["grade"] == grading.HARMFUL


def _outcome(answer: Answer, item: Item, repeated: bool, attempt: Attempt | None = None) -> AnswerOutcome:
    step = grading.step_at(item.steps, answer.step_path)
    chosen = grading.option_by_id(step, answer.option_id)
    next_path = grading.next_step_path(item.steps, answer.step_path, answer.option_id)
    return AnswerOutcome(
        answer=answer,
        item=item,
        chosen=chosen,
        best=grading.best_option(step),
        next_step=grading.step_at(item.steps, next_path) if next_path else None,  # a session's follows its state
        attempt=attempt if attempt is not None else Attempt.objects.get(pk=answer.attempt_id),
        repeated=repeated,
    )


def _same_answer_or_conflict(attempt: Attempt, item: Item, step_path: str, option_id: str) -> AnswerOutcome | None:
    previous = Answer.objects.filter(attempt=attempt, item=item, step_path=step_path).first()
    if previous is None:
        return None
    if previous.option_id != option_id:
        raise Conflict("This step is already answered; an answer cannot be changed.")
    return _outcome(previous, item, repeated=True)


class AttemptNotFound(LookupError):
    pass


def attempt_answer(
    attempt: Attempt, item_slug: str, step_path: str, option_id: str, confidence, seconds: float | None = None
) -> AnswerOutcome:
    """Answer the current step. The same answer sent again returns the stored result; anything
    else that does not fit the attempt's state is a Conflict; an option of another step is invalid;
    a locked module's attempt is refused (ModuleLocked) like its lessons."""
    confidence = clean_confidence(confidence)
    module_require_open(attempt.user, attempt.quiz.module)
    return _answer(attempt, attempt.quiz.module.course, item_slug, step_path, option_id, confidence, seconds)


def own_attempt_answer(
    user, attempt_id: int, item_slug: str, step_path: str, option_id: str, confidence, seconds: float | None = None
) -> AnswerOutcome:
    """attempt_answer for the user's attempt by id, read with its module's lock and course in one
    precompiled query (selectors.open_attempt_of, which refuses a locked module the same way).
    AttemptNotFound when the attempt is not the user's."""
    from .selectors import open_attempt_of

    confidence = clean_confidence(confidence)
    found = open_attempt_of(user, attempt_id)
    if found is None:
        raise AttemptNotFound(f"No attempt {attempt_id} of yours.")
    attempt, _, course = found
    return _answer(attempt, course, item_slug, step_path, option_id, confidence, seconds)


def _answer(attempt: Attempt, course, item_slug: str, step_path: str, option_id: str, confidence, seconds):
    """The answer itself, once the module is known to be open. The common case costs the claim (a
    conditional UPDATE, which also checks a write-first item's reply, and the answer's INSERT in
    one statement) and review's level: the item comes from the course's kept items. A step that
    is not the current one is looked up among the stored answers only then (a repeat or a
    conflict), and a missing reply only once the claim failed."""
    by_pk = course_items(course)
    item = next((by_pk[pk] for pk in attempt.item_ids if pk in by_pk and by_pk[pk].slug == item_slug), None)
    if item is None:
        raise ValidationError({"item": f"'{item_slug}' is not an item of this attempt."})
    current = attempt.is_open and item.pk == attempt.item_ids[attempt.position] and step_path == attempt.step_path
    if not current:
        repeat = _same_answer_or_conflict(attempt, item, step_path, option_id)
        if repeat is not None:
            return repeat
        if not attempt.is_open:
            raise Conflict("This attempt is closed.")
        raise Conflict("That is not the attempt's current step.")
    try:
        step = grading.step_at(item.steps, step_path)
    except grading.StepNotFound:
        raise Conflict("That is not the attempt's current step.")
    option = grading.option_by_id(step, option_id)
    if option is None:
        raise ValidationError({"option": f"'{option_id}' is not an option of this step."})

    next_path = grading.next_step_path(item.steps, step_path, option_id)
    position, path = (attempt.position, next_path) if next_path else (attempt.position + 1, "")
    finished = position >= len(attempt.item_ids)
    needs_reply = item.write_first and not step_path
    now = timezone.now()
    with transaction.atomic():
        # Claim the step (only one request can move the pointer from where it was) and store the
        # answer, in one statement on PostgreSQL; a write-first item's reply is checked in the claim.
        answer = claim_and_answer(
            attempt,
            position,
            path or "",
            needs_reply,
            {
                "item_id": item.pk,
                "item_version": item.version,
                "step_path": step_path,
                "option_id": option_id,
                "grade": option["grade"],
                "confidence": confidence,
                "seconds": seconds,
                "answered_at": now,
            },
            item=item,
        )
        moved = answer is not None
        if moved:
            answer.item = item
            answer_recorded.send(sender=Answer, answer=answer, item=item)  # review starts a skill's card
            if finished:
                _complete(attempt, now)
    if not moved:
        repeat = _same_answer_or_conflict(attempt, item, step_path, option_id)
        if repeat is not None:
            return repeat
        if needs_reply and not FreeReply.objects.filter(attempt=attempt, item=item).exists():
            raise Conflict(WRITE_FIRST)
        raise Conflict("That is not the attempt's current step.")
    # The claim succeeded, so this request knows the attempt's new state without reading it again.
    attempt.position, attempt.step_path = position, path or ""
    if finished:
        attempt.status, attempt.completed_at = Attempt.COMPLETED, now
    return _outcome(answer, item, repeated=False, attempt=attempt)


def attempts_move_off_vanished_steps(items: list[Item]) -> int:
    """Open attempts part-way through a rewritten item, at a branch step the new version no longer
    has, move on to the next item (or finish), so a content update never strands a trainee."""
    by_pk = {item.pk: item for item in items}
    moved = 0
    now = timezone.now()
    open_attempts = Attempt.objects.filter(
        status=Attempt.IN_PROGRESS, quiz_id__in={item.quiz_id for item in items}
    ).exclude(step_path="")
    for attempt in open_attempts:
        item = by_pk.get(attempt.item_ids[attempt.position])
        if item is None:
            continue
        try:
            grading.step_at(item.steps, attempt.step_path)
            continue
        except grading.StepNotFound:
            pass
        position = attempt.position + 1
        if Attempt.objects.filter(
            pk=attempt.pk, status=Attempt.IN_PROGRESS, position=attempt.position, step_path=attempt.step_path
        ).update(position=position, step_path=""):
            moved += 1
            if position >= len(attempt.item_ids):
                _complete(attempt, now)
    return moved


def _complete(attempt: Attempt, now) -> None:
    from .selectors import attempt_result

    quiz = attempt.quiz
    result = attempt_result(attempt, quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        status=Attempt.COMPLETED, completed_at=now, score=result.score, passed=result.passed
    )
    attempt.status, attempt.completed_at, attempt.score, attempt.passed = (
        Attempt.COMPLETED,
        now,
        result.score,
        result.passed,
    )
    module_result_record(attempt.user, quiz.module, result.score, result.passed)


# ---------------------------------------------------------------- reflections


def reflection_save(attempt: Attempt, text, shared) -> Reflection:
    """Save or edit the reflection that closes a finished attempt."""
    text = clean_text("text", text, TEXT_LIMITS["reflection"])
    if not isinstance(shared, bool):
        raise ValidationError({"shared": "must be true or false."})
    if attempt.is_open:
        raise Conflict("Finish the quiz before writing its reflection.")
    now = timezone.now()
    reflection, created = Reflection.objects.get_or_create(
        attempt=attempt,
        defaults={"author_id": attempt.user_id, "text": text, "shared": shared, "created_at": now, "updated_at": now},
    )
    if not created and sync_fields(reflection, {"text": text, "shared": shared}):
        reflection.updated_at = now
        reflection.save(update_fields=["text", "shared", "updated_at"])
    return reflection


def reflection_access_record(reflection: Reflection, viewer) -> ReflectionAccess:
    return ReflectionAccess.objects.create(reflection=reflection, viewer=viewer, viewed_at=timezone.now())
