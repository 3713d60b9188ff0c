"""Every write of spaced review: cards created from quiz answers, the facts deck, and reviews."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from course.prepared import Prepared, save_fields
from course.services import upsert

from .. import grading
from .. import services as quiz_services
from ..models import Answer, Item
from . import levels, scheduling, selectors
from . import mastery as mastery_rules
from .conf import app_settings
from .first_answer import insert_facts_deck, insert_first_answer
from .models import Fact, ReviewCard, ReviewLog, SkillLevel
from .signals import review_undone, reviewed

MAX_CLOCK_SKEW = timedelta(minutes=5)


def _state(card: ReviewCard) -> scheduling.CardState:
    return scheduling.CardState(
        card_id=card.pk,
        due=card.due,
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )


def _schedule(card: ReviewCard, rating, reviewed_at: datetime) -> scheduling.CardState:
    return scheduling.review(
        _state(card),
        rating,
        reviewed_at,
        desired_retention=app_settings.REVIEW_DESIRED_RETENTION,
        steps_minutes=app_settings.REVIEW_LEARNING_STEPS_MINUTES,
        fuzz=app_settings.REVIEW_FUZZ,
    )


def _card_fields(state: scheduling.CardState) -> dict:
    return {
        "state": state.state,
        "step": state.step,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "due": state.due,
        "last_review": state.last_review,
    }


# ---------------------------------------------------------------- cards


LEVEL_FIELDS = tuple(f.attname for f in SkillLevel._meta.concrete_fields)


def _level_for_answer_query(user_id: int, course_id: int, skill: str):
    key = {"user_id": user_id, "course_id": course_id, "skill": skill}
    has_card = Exists(ReviewCard.objects.filter(kind=ReviewCard.SKILL, **key))
    return SkillLevel.objects.select_for_update().filter(**key).order_by().values_list(*LEVEL_FIELDS, has_card)


# The trainee's level row of the skill, locked, and whether the skill has its card: compiled once
# (course/prepared.py), as every root answer runs it.
_LEVEL_FOR_ANSWER = Prepared(_level_for_answer_query, int, int, str)


def review_on_answer(answer: Answer, item: Item) -> None:
    """What a quiz answer does to review, inside attempt_answer's transaction: an item's first reply
    scores the skill's practice level (branch steps follow from it), and a skill's first answer
    starts its card. The level row is locked first, with whether the card exists: a plain answer
    (both there) then costs that read and the level's UPDATE, and only a skill without its level
    or card goes on to the card's set-based statement."""
    if answer.step_path:
        return
    user_id, at = answer.attempt.user_id, answer.answered_at
    found = _LEVEL_FOR_ANSWER.rows(user_id, item.course_id, item.skill)
    row = SkillLevel.from_db("default", LEVEL_FIELDS, found[0][:-1]) if found else None
    if row is not None and found[0][-1]:  # the level and the skill's card are both there
        current = levels.Level(row.level, row.best_run, row.miss_run)
        pick = mastery_rules.Pick(item.pk, answer.grade, at)
        _level_save(row, levels.after_answer(current, answer.grade, _thresholds()), at, pick)
        return
    if not cards_on_answer(answer, item):  # the level row exists (or came meanwhile): the rule moves it
        level_record(user_id, item.course_id, item.skill, answer.grade, at, item_id=item.pk)


def cards_on_answer(answer: Answer, item: Item) -> bool:
    """Called inside attempt_answer's transaction when a trainee answers a step. The first root
    answer of a skill creates its card (that answer is its first review, rated from the grade)
    and adds the course's facts deck; later quiz answers leave the schedule alone.

    Set-based: the card goes in already scheduled, with its log and the skill's first practice
    level, in one statement that writes nothing when the card exists (not the skill's first
    answer; first_answer.py). The facts deck and the `reviewed` signal follow the commit: they need
    not hold the answer's transaction open, and a failure there cannot take the answer back.
    Returns True when it wrote the skill's practice level too (so the caller need not)."""
    if answer.step_path:
        return False
    user_id = answer.attempt.user_id
    at = answer.answered_at
    rating = scheduling.rating_for(answer.grade, answer.confidence, answer.seconds, app_settings.REVIEW_QUICK_SECONDS)
    state = _schedule(ReviewCard(due=at), rating, at)
    level = levels.after_answer(levels.Level(), answer.grade, _thresholds())
    mastery = mastery_rules.after_pick(mastery_rules.NO_PICKS, mastery_rules.Pick(item.pk, answer.grade, at))
    card_id, levelled = insert_first_answer(
        card={
            "user_id": user_id,
            "course_id": item.course_id,
            "kind": ReviewCard.SKILL,
            "skill": item.skill,
            "fact_id": None,
            "created_at": at,
            **_card_fields(state),
            "last_item_id": item.pk,
            "reps": 1,
        },
        log={
            "client_id": uuid.uuid4(),
            "user_id": user_id,
            "source": ReviewLog.QUIZ,
            "item_id": item.pk,
            "option_id": answer.option_id,
            "grade": answer.grade,
            "rating": int(rating),
            "confidence": answer.confidence,
            "seconds": answer.seconds,
            "reviewed_at": at,
            "due_before": at,
            "due_after": state.due,
            "before": None,
        },
        level={
            "user_id": user_id,
            "course_id": item.course_id,
            "skill": item.skill,
            "level": level.level,
            "best_run": level.best_run,
            "miss_run": level.miss_run,
            "moves": int(level.level != levels.LEVELS[0]),
            "updated_at": at,
            **mastery_columns(mastery),
        },
    )
    if card_id is None:
        return False  # the skill already has its card (an earlier answer, or a concurrent one)
    course_id = item.course_id

    def after_commit():
        # No transaction of its own: each write is one statement that commits by itself (the deck's
        # INSERT ... SELECT, the reminders' conditional UPDATE), and either may be redone safely.
        facts_deck_ensure(user_id, course_id, at)
        reviewed.send(sender=ReviewCard, user_id=user_id, reviewed_at=at)

    transaction.on_commit(after_commit)
    return levelled


def facts_deck_ensure(user_id: int, course_id: int, now: datetime) -> int:
    """Give the trainee a card for each active fact of the course they lack, introduced a few a
    day in module order (ATTUNE_REVIEW_NEW_FACTS_PER_DAY), so a new deck is not 30 reviews at once.
    One INSERT ... SELECT on PostgreSQL (first_answer.py); elsewhere two statements: the lacking
    facts' ids (none once the deck is complete), one bulk INSERT."""
    per_day = max(1, app_settings.REVIEW_NEW_FACTS_PER_DAY)
    written = insert_facts_deck(user_id, course_id, now, per_day)  # one statement on PostgreSQL
    if written is not None:
        return written
    held = ReviewCard.objects.filter(user_id=user_id, kind=ReviewCard.FACT, fact_id=OuterRef("pk"))
    lacking = list(
        Fact.objects.filter(course_id=course_id, is_active=True)
        .exclude(Exists(held))
        .order_by("module__order", "slug")
        .values_list("pk", flat=True)
    )
    if not lacking:
        return 0
    new = [
        ReviewCard(
            user_id=user_id,
            course_id=course_id,
            kind=ReviewCard.FACT,
            fact_id=fact_id,
            due=now + timedelta(days=index // per_day),
            created_at=now,
        )
        for index, fact_id in enumerate(lacking)
    ]
    ReviewCard.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


# ---------------------------------------------------------------- reviewing


class CardNotFound(LookupError):
    pass


@dataclass
class ReviewOutcome:
    log: ReviewLog
    card: ReviewCard
    chosen: dict
    best: dict
    explanation: str
    repeated: bool

    @property
    def rating(self) -> str:
        return {1: "again", 2: "hard", 3: "good", 4: "easy"}[self.log.rating]

    @property
    def harmful(self) -> bool:
        return self.card.kind == ReviewCard.SKILL and self.log.grade == grading.HARMFUL

    @property
    def item(self) -> Item | None:
        return self.log.item


def _clean_client_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({"review_id": "must be a UUID made by the client for this review."})


def _graded_pick(card: ReviewCard, key: str, option_id: str, *, practice: bool):
    """The prompt the card shows now (refusing a stale key) and the chosen option's feedback."""
    prompt = selectors.prompt_for(card, practice=practice)
    if prompt is None:
        raise quiz_services.Conflict("There is nothing left to show for this card.")
    if key != prompt.key:
        shows = "practice" if practice else "review"
        raise quiz_services.Conflict(f"'{key}' is not what this {shows} shows now; it shows '{prompt.key}'.")
    chosen, best, explanation = _feedback(card, prompt.item, option_id)
    if chosen is None:
        raise ValidationError({"option": f"'{option_id}' is not an option of this review."})
    return prompt, chosen, best, explanation


def _feedback(card: ReviewCard, item: Item | None, option_id: str) -> tuple[dict | None, dict, str]:
    """The chosen option, the best (or correct) one and an explanation, for a skill or a fact."""
    if card.kind == ReviewCard.FACT:
        options = card.fact.options
        chosen = next((o for o in options if o["id"] == option_id), None)
        correct = next(o for o in options if o.get("correct"))
        as_feedback = {"id": correct["id"], "text": correct["text"], "grade": grading.BEST, "rationale": ""}
        if chosen is not None:
            chosen = {
                "id": chosen["id"],
                "text": chosen["text"],
                "grade": grading.BEST if chosen.get("correct") else grading.HARMFUL,
                "rationale": "",
            }
        return chosen, as_feedback, card.fact.explanation
    first = grading.step_at(item.steps, "")  # a review plays an item's first step (a session's first turn)
    chosen = grading.option_by_id(first, option_id)
    return chosen, grading.best_option(first), ""


def stored_outcome(log: ReviewLog) -> ReviewOutcome:
    card = ReviewCard.objects.select_related("fact").get(pk=log.card_id)
    chosen, best, explanation = _feedback(card, log.item, log.option_id)
    return ReviewOutcome(log, card, chosen, best, explanation, repeated=True)


def review_submit(
    user,
    card_id: int,
    key: str,
    option_id: str,
    confidence,
    seconds: float | None,
    client_id,
    reviewed_at: datetime | None = None,
) -> ReviewOutcome:
    """Record one review. The same review_id sent again returns the stored result; a review dated
    before the card's last one is refused; a card reviewed meanwhile elsewhere is a Conflict."""
    client_id = _clean_client_id(client_id)
    stored = ReviewLog.objects.filter(client_id=client_id).select_related("item").first()
    if stored is not None:
        if stored.user_id != user.pk:
            raise ValidationError({"review_id": "is already used; make a new one for each review."})
        return stored_outcome(stored)
    card = ReviewCard.objects.filter(user=user, pk=card_id).select_related("fact").first()
    if card is None:
        raise CardNotFound(card_id)
    confidence = quiz_services.clean_confidence(confidence)
    now = timezone.now()
    if reviewed_at is None:
        reviewed_at = now
    else:
        try:
            reviewed_at = scheduling.to_utc(reviewed_at)
        except (TypeError, ValueError):
            raise ValidationError({"reviewed_at": "must be a date and time with a time zone."})
        if reviewed_at > now + MAX_CLOCK_SKEW:
            raise ValidationError({"reviewed_at": "is in the future."})
    prompt, chosen, best, explanation = _graded_pick(card, key, option_id, practice=False)
    rating = scheduling.rating_for(chosen["grade"], confidence, seconds, app_settings.REVIEW_QUICK_SECONDS)
    try:
        state = _schedule(card, rating, reviewed_at)
    except scheduling.OutOfOrderReview as exc:
        raise ValidationError({"reviewed_at": str(exc)})
    try:
        with transaction.atomic():
            # Claim the card's current state: two reviews of the same state cannot both count.
            moved = ReviewCard.objects.filter(pk=card.pk, reps=card.reps).update(
                **_card_fields(state), last_item=prompt.item, reps=F("reps") + 1
            )
            if not moved:
                raise IntegrityError("card reviewed meanwhile")
            level_before = None
            if card.kind == ReviewCard.SKILL:
                level_before = {}
                level_record(
                    user.pk,
                    card.course_id,
                    card.skill,
                    chosen["grade"],
                    reviewed_at,
                    level_before,
                    item_id=prompt.item.pk,
                )
            # Reminders note the review (no reminder that day) and write what they changed, for undo.
            others_before: dict = {}
            reviewed.send(sender=ReviewCard, user_id=user.pk, reviewed_at=reviewed_at, before=others_before)
            log = ReviewLog.objects.create(
                client_id=client_id,
                card=card,
                user=user,
                source=ReviewLog.REVIEW,
                item=prompt.item,
                option_id=option_id,
                grade=chosen["grade"],
                rating=int(rating),
                confidence=confidence,
                seconds=seconds,
                reviewed_at=reviewed_at,
                due_before=card.due,
                due_after=state.due,
                before={"card": _undo_fields(card), "level": level_before, "others": others_before},
            )
    except IntegrityError:
        stored = ReviewLog.objects.filter(client_id=client_id).select_related("item").first()
        if stored is not None and stored.user_id == user.pk:
            return stored_outcome(stored)
        raise quiz_services.Conflict("This card was reviewed meanwhile; load the next review.")
    card.refresh_from_db()
    return ReviewOutcome(log, card, chosen, best, explanation, repeated=False)


@dataclass
class PracticeOutcome:
    """Feedback on practice ahead: nothing is recorded."""

    card: ReviewCard
    chosen: dict
    best: dict
    explanation: str
    item: Item | None = None

    @property
    def harmful(self) -> bool:
        return self.card.kind == ReviewCard.SKILL and self.chosen["grade"] == grading.HARMFUL


def practice_outcome(user, card_id: int, key: str, option_id: str) -> PracticeOutcome:
    """Grade practice ahead of schedule. It writes nothing: FSRS is not told (a review long before
    its due date would teach the scheduler a recall the trainee was never asked for), nor the
    practice level. It sits beside review_submit because it grades with the same feedback."""
    card = ReviewCard.objects.filter(user=user, pk=card_id).select_related("fact").first()
    if card is None:
        raise CardNotFound(card_id)
    prompt, chosen, best, explanation = _graded_pick(card, key, option_id, practice=True)
    return PracticeOutcome(card, chosen, best, explanation, prompt.item)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _undo_fields(card: ReviewCard) -> dict:
    """The card's FSRS fields before a review, in JSON: floats and microsecond times round-trip exactly."""
    return {
        "state": card.state,
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": _when(card.due),
        "last_review": _when(card.last_review),
        "last_item_id": card.last_item_id,
        "reps": card.reps,
    }


class NothingToUndo(LookupError):
    """Only the trainee's latest spaced review can be undone, once, while nothing has moved its card."""


def _parse_when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def review_undo(user, client_id) -> ReviewCard:
    """Take back the trainee's latest spaced review: its card gets back the exact FSRS state it had
    (state, step, stability, difficulty, due, last review, isomorph shown, reps), the skill its
    practice level if nothing has moved the level since, and the review's log is deleted, so
    mastery and the instructor's figures forget it too. A quiz's first answer is not undoable.
    The card is restored with a conditional UPDATE on its reps, so a review recorded meanwhile
    (another tab) wins and the undo is refused."""
    client_id = _clean_client_id(client_id)
    with transaction.atomic():
        latest = (
            ReviewLog.objects.select_for_update()
            .filter(user=user, source=ReviewLog.REVIEW)
            .order_by("-pk")
            .select_related("card")
            .first()
        )
        if latest is None or latest.client_id != client_id or not latest.before:
            raise NothingToUndo("Only your latest review can be undone.")
        was = latest.before["card"]
        restored = ReviewCard.objects.filter(pk=latest.card_id, reps=was["reps"] + 1).update(
            state=was["state"],
            step=was["step"],
            stability=was["stability"],
            difficulty=was["difficulty"],
            due=_parse_when(was["due"]),
            last_review=_parse_when(was["last_review"]),
            last_item_id=was["last_item_id"],
            reps=was["reps"],
        )
        if not restored:
            raise NothingToUndo("This card has been reviewed again since; that review can no longer be undone.")
        card = latest.card
        level = latest.before.get("level")
        mastery_from_history = False
        if card.kind == ReviewCard.SKILL and level is not None:
            key = {"user_id": user.pk, "course_id": card.course_id, "skill": card.skill}
            # Only the change this review made: a level moved since by a quiz answer or a reaction stays.
            untouched = SkillLevel.objects.filter(**key, updated_at=latest.reviewed_at)
            if level:
                restored_level = untouched.update(**_level_restored(level))
            else:
                restored_level = untouched.delete()[0]  # the review made the row
            # The mastery state went back with the level. When something wrote the row since (a pick
            # the state has folded in after this one), or the record predates the state, it is refolded
            # from the picks left once the log is gone: a rare path with queries of its own.
            mastery_from_history = not restored_level or (level and "ready" not in level)
        # E.g. the reminders' "reviewed today" mark goes back, so that day's reminder is not skipped.
        review_undone.send(
            sender=ReviewCard,
            user_id=user.pk,
            reviewed_at=latest.reviewed_at,
            before=latest.before.get("others") or {},
        )
        latest.delete()
        if mastery_from_history:
            mastery_rebuild(course_id=card.course_id, user_ids=[user.pk], skill=card.skill)
    card.refresh_from_db()
    return card


# ---------------------------------------------------------------- import


def facts_apply(course, modules: dict, section, report) -> None:
    """Apply a package's facts deck inside the import's transaction; removed facts are archived."""
    existing_facts = {fact.slug: fact for fact in Fact.objects.filter(course=course)}
    for spec in section.facts:
        _, created, changed = upsert(
            Fact,
            {"course": course, "slug": spec.id},
            {
                "module": modules[spec.module],
                "version": spec.version,
                "question": spec.question,
                "options": spec.options,
                "explanation": spec.explanation,
                "is_active": True,
            },
            existing=existing_facts.get(spec.id),
        )
        report.note(f"fact {spec.id}", created, changed)
    for slug, fact in existing_facts.items():
        if slug not in {spec.id for spec in section.facts} and fact.is_active:
            Fact.objects.filter(pk=fact.pk).update(is_active=False)
            report.removed.append(f"fact {slug}")


# ---------------------------------------------------------------- practice levels


def _thresholds() -> levels.Thresholds:
    return levels.Thresholds(app_settings.LEVEL_UP_AFTER_BEST, app_settings.LEVEL_DOWN_AFTER_MISSES)


def mastery_columns(state: mastery_rules.MasteryState) -> dict:
    """A skill's mastery state as SkillLevel's columns (JSON-ready: item ids, "<UTC time>" strings)."""
    return {
        "best_items": list(state.best_items),
        "first_best_on": state.first_best_on,
        "last_best_on": state.last_best_on,
        "recent_picks": [[at.isoformat(), grade] for at, grade in state.recent],
        "ready": state.ready,
    }


MASTERY_COLUMNS = tuple(mastery_columns(mastery_rules.NO_PICKS))


def mastery_state_of(row) -> mastery_rules.MasteryState:
    """The mastery state a SkillLevel row (or a historical model's row) stores."""
    return mastery_rules.MasteryState(
        tuple(row.best_items),
        row.first_best_on,
        row.last_best_on,
        tuple((datetime.fromisoformat(at), grade) for at, grade in row.recent_picks),
    )


def _level_save(
    row: SkillLevel, new: levels.Level, now: datetime, pick: mastery_rules.Pick | None = None
) -> SkillLevel:
    """Save the level the rule gave the locked row and, for a scored pick, the skill's mastery state
    moved by it: computed from the row in hand, so it rides in the same UPDATE."""
    moved = new.level != row.level
    row.level, row.best_run, row.miss_run, row.updated_at = new.level, new.best_run, new.miss_run, now
    row.moves += moved
    fields = ["level", "best_run", "miss_run", "moves", "updated_at"]
    if pick is not None:
        for name, value in mastery_columns(mastery_rules.after_pick(mastery_state_of(row), pick)).items():
            setattr(row, name, value)
        fields += MASTERY_COLUMNS
    save_fields(row, fields)  # row.save(update_fields=...) without compiling the UPDATE each answer
    return row


def _level_apply(
    user_id: int,
    course_id: int,
    skill: str,
    rule,
    now: datetime,
    snapshot=None,
    pick: mastery_rules.Pick | None = None,
) -> SkillLevel:
    """Apply a level rule to the trainee's row, locked for the change: two queries when the row
    exists, and a guarded insert the first time (a concurrent first insert is retried on top).
    `snapshot`, a dict, receives the row as it was (empty when there was none), for an undo.
    `pick`, a scored reply (not a reaction), also moves the skill's mastery state."""
    key = {"user_id": user_id, "course_id": course_id, "skill": skill}
    with transaction.atomic(savepoint=False):
        row = SkillLevel.objects.select_for_update().filter(**key).first()
        if row is not None:
            if snapshot is not None:
                snapshot.update(_level_fields(row))
            return _level_save(row, rule(levels.Level(row.level, row.best_run, row.miss_run)), now, pick)
        new = rule(levels.Level())
        mastery = mastery_rules.after_pick(mastery_rules.NO_PICKS, pick) if pick else mastery_rules.NO_PICKS
        try:
            with transaction.atomic():
                return SkillLevel.objects.create(
                    **key,
                    level=new.level,
                    best_run=new.best_run,
                    miss_run=new.miss_run,
                    moves=int(new.level != levels.LEVELS[0]),
                    updated_at=now,
                    **mastery_columns(mastery),
                )
        except IntegrityError:
            return _level_apply(user_id, course_id, skill, rule, now, snapshot, pick)


def _level_fields(row: SkillLevel) -> dict:
    """The row as an undo restores it (JSON: times and dates as ISO strings), mastery state included."""
    return {
        "level": row.level,
        "best_run": row.best_run,
        "miss_run": row.miss_run,
        "moves": row.moves,
        "updated_at": row.updated_at.isoformat(),
        "best_items": list(row.best_items),
        "first_best_on": _day(row.first_best_on),
        "last_best_on": _day(row.last_best_on),
        "recent_picks": list(row.recent_picks),
        "ready": row.ready,
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _level_restored(fields: dict) -> dict:
    """_level_fields' record as column values again."""
    values = {**fields, "updated_at": _parse_when(fields["updated_at"])}
    for name in ("first_best_on", "last_best_on"):
        if name in values:
            values[name] = date.fromisoformat(values[name]) if values[name] is not None else None
    return values


def level_record(
    user_id: int,
    course_id: int,
    skill: str,
    grade: int,
    now: datetime,
    snapshot: dict | None = None,
    *,
    item_id: int,
) -> SkillLevel:
    """Move the trainee's level in a skill after a scored reply to item `item_id` (levels.after_answer),
    and the skill's mastery state with it."""
    limits = _thresholds()
    return _level_apply(
        user_id,
        course_id,
        skill,
        lambda current: levels.after_answer(current, grade, limits),
        now,
        snapshot,
        mastery_rules.Pick(item_id, grade, now),
    )


def level_react(user, item: Item, reaction: str, now: datetime | None = None) -> SkillLevel:
    """The trainee's one-tap reaction to an item they answered: too easy, about right, too hard.
    A reaction is not a pick: it moves the level, never the skill's mastery state."""
    if reaction not in levels.REACTIONS:
        raise ValidationError({"reaction": f"must be one of {', '.join(levels.REACTIONS)}."})
    now = now or timezone.now()
    return _level_apply(
        user.pk, item.course_id, item.skill, lambda current: levels.after_reaction(current, reaction), now
    )


# ---------------------------------------------------------------- mastery from the history


def _history_models(apps):
    if apps is None:
        return Answer, Item, ReviewLog, SkillLevel
    labels = ("attune_quizzes.Answer", "attune_quizzes.Item", "attune_review.ReviewLog", "attune_review.SkillLevel")
    return tuple(apps.get_model(label) for label in labels)


def mastery_rebuild(course_id: int | None = None, user_ids=None, *, skill: str | None = None, apps=None) -> int:
    """Refold every stored mastery state (SkillLevel's mastery columns and `ready`) from the history:
    a quiz answer's root step and a spaced review of a skill card with an item, as mastery's rule
    reads them. For one course, or every course; for some trainees (ids), or all; for one skill.
    A trainee with picks but no level row gets one (at the first level); a row without picks is
    reset. Returns the number of rows written.

    Set-based: per course, the level rows (locked, so a pick recorded meanwhile waits), the course's
    items, its root answers and its skill reviews (one ordered query each), folded in Python, then
    bulk writes of the rows that changed. `apps` is a migration's app registry (historical models)."""
    models = _history_models(apps)
    _, Item, _, SkillLevel = models  # noqa: N806 (model classes)
    if course_id is None:
        course_ids = set(Item.objects.values_list("course_id", flat=True).distinct())
        course_ids |= set(SkillLevel.objects.values_list("course_id", flat=True).distinct())
    else:
        course_ids = {course_id}
    user_ids = list(user_ids) if user_ids is not None else None
    return sum(_mastery_rebuild_course(models, course, user_ids, skill) for course in sorted(course_ids))


def _mastery_rebuild_course(models, course_id: int, user_ids, skill) -> int:
    Answer, Item, ReviewLog, SkillLevel = models  # noqa: N806 (model classes)
    mine = {"user_id__in": user_ids} if user_ids is not None else {}
    with transaction.atomic():
        rows = SkillLevel.objects.select_for_update().filter(course_id=course_id, **mine)
        items = Item.objects.filter(course_id=course_id)
        if skill is not None:
            rows, items = rows.filter(skill=skill), items.filter(skill=skill)
        stored = {
            (user_id, row_skill): (pk, dict(zip(MASTERY_COLUMNS, columns, strict=True)))
            for pk, user_id, row_skill, *columns in rows.values_list("pk", "user_id", "skill", *MASTERY_COLUMNS)
        }
        skill_of = dict(items.values_list("pk", "skill"))
        states: dict[tuple[int, str], mastery_rules.MasteryState] = {}
        last_at: dict[tuple[int, str], datetime] = {}

        def fold(user_id, item_skill, item_id, grade, at):
            key = (user_id, item_skill)
            states[key] = mastery_rules.after_pick(states.get(key, mastery_rules.NO_PICKS), mastery_rules.Pick(
                item_id, grade, at))  # fmt: skip
            last_at[key] = max(at, last_at.get(key, at))

        # Answers first, then reviews, each in time order: the order mastery's callers list them in,
        # which decides only between picks stamped at the same instant.
        users = {"attempt__user_id__in": user_ids} if user_ids is not None else {}
        answers = (
            Answer.objects.filter(step_path="", item_id__in=list(skill_of), **users)
            .order_by("answered_at", "pk")
            .values_list("attempt__user_id", "item_id", "grade", "answered_at")
        )
        for user_id, item_id, grade, at in answers.iterator(chunk_size=5000):
            fold(user_id, skill_of[item_id], item_id, grade, at)
        reviews = ReviewLog.objects.filter(
            source="review", card__kind="skill", card__course_id=course_id, item__isnull=False, **mine
        )
        if skill is not None:
            reviews = reviews.filter(card__skill=skill)
        reviews = reviews.order_by("reviewed_at", "pk").values_list("user_id", "card__skill", "item_id", "grade",
                                                                    "reviewed_at")  # fmt: skip
        for user_id, card_skill, item_id, grade, at in reviews.iterator(chunk_size=5000):
            fold(user_id, card_skill, item_id, grade, at)

        changed, new = [], []
        for key in stored.keys() | states.keys():
            columns = mastery_columns(states.get(key, mastery_rules.NO_PICKS))
            if key in stored:
                pk, before = stored[key]
                if before != columns:
                    changed.append(SkillLevel(pk=pk, **columns))
            else:
                user_id, row_skill = key
                new.append(SkillLevel(user_id=user_id, course_id=course_id, skill=row_skill, updated_at=last_at[key],
                                      **columns))  # fmt: skip
        SkillLevel.objects.bulk_update(changed, MASTERY_COLUMNS, batch_size=1000)
        # A row a first answer inserted meanwhile already holds its own state.
        SkillLevel.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(changed) + len(new)
