"""Every write of spaced review: cards created from quiz answers, reviews, preferences,
unsubscribing and notifications."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import grading, scheduling
from .. import services as quiz_services
from ..conf import app_settings
from ..models import Answer, Fact, Item, Notification, ReminderPreference, ReviewCard, ReviewLog
from . import selectors, timing

UNSUBSCRIBE_SALT = "attune.reminders.unsubscribe"
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


# ---------------------------------------------------------------- preferences


def preference_ensure(user_id: int, now: datetime | None = None) -> ReminderPreference:
    now = now or timezone.now()
    zone = app_settings.REMINDER_DEFAULT_TIME_ZONE
    at = app_settings.REMINDER_DEFAULT_TIME
    quiet = app_settings.REMINDER_DEFAULT_QUIET_HOURS or (None, None)
    pref, _ = ReminderPreference.objects.get_or_create(
        user_id=user_id,
        defaults={
            "time_zone": zone,
            "reminder_time": at,
            "quiet_start": quiet[0],
            "quiet_end": quiet[1],
            "next_reminder_at": timing.first_slot(now, zone, at),
            "updated_at": now,
        },
    )
    return pref


def _clean_time(field: str, value) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: "must be a time of day such as 18:30."})
    if parsed.tzinfo is not None:  # "18:30Z": the zone is the time_zone field's, not the time's
        raise ValidationError({field: "must be a local time of day such as 18:30, with no zone or offset."})
    return parsed.replace(second=0, microsecond=0)


def _clean_bool(field: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValidationError({field: "must be true or false."})
    return value


# What a trainee may change: values given as text, and on/off flags.
PREFERENCE_VALUE_FIELDS = ("time_zone", "reminder_time", "quiet_start", "quiet_end", "frequency", "paused_until")
PREFERENCE_FLAG_FIELDS = ("email_enabled", "in_app_enabled", "subscribed")


def preference_update(user, changes: dict, now: datetime | None = None) -> ReminderPreference:
    """Apply validated changes (any subset of the fields) and look at the trainee again from
    today's slot. Errors name the field; nothing is saved unless every field is valid."""
    now = now or timezone.now()
    pref = preference_ensure(user.pk, now)
    unknown = set(changes) - {*PREFERENCE_VALUE_FIELDS, *PREFERENCE_FLAG_FIELDS}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "is not a reminder preference."})
    errors: dict[str, str] = {}
    values: dict = {}
    for field, value in changes.items():
        try:
            if field == "time_zone":
                timing.validate_zone(value)
                values[field] = value
            elif field == "reminder_time":
                parsed = _clean_time(field, value)
                if parsed is None:
                    raise ValidationError({field: "is required."})
                values[field] = parsed
            elif field in ("quiet_start", "quiet_end"):
                values[field] = _clean_time(field, value)
            elif field in ("email_enabled", "in_app_enabled", "subscribed"):
                values[field] = _clean_bool(field, value)
            elif field == "frequency":
                if value not in dict(ReminderPreference.FREQUENCIES):
                    raise ValidationError({field: "must be daily, weekly or off."})
                values[field] = value
            elif field == "paused_until":
                if value in (None, ""):
                    values[field] = None
                else:
                    values[field] = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        except ValueError as exc:
            message = str(exc) if field == "time_zone" else "must be a date such as 2026-12-31."
            errors[field] = message
    quiet_start = values.get("quiet_start", pref.quiet_start)
    quiet_end = values.get("quiet_end", pref.quiet_end)
    if not errors and (quiet_start is None) != (quiet_end is None):
        errors["quiet_end" if quiet_end is None else "quiet_start"] = "give both ends of quiet hours, or neither."
    if errors:
        raise ValidationError(errors)
    subscribed = values.pop("subscribed", None)
    # Only the columns this change owns: the sweep and reviews write last_* on the same row meanwhile.
    update_fields = [*values, "next_reminder_at", "updated_at"]
    if "time_zone" in values:
        pref.time_zone_chosen = True
        update_fields.append("time_zone_chosen")
    for field, value in values.items():
        setattr(pref, field, value)
    if subscribed is True:
        pref.unsubscribed_at = None
    elif subscribed is False and pref.unsubscribed_at is None:
        pref.unsubscribed_at = now
    if subscribed is not None:
        update_fields.append("unsubscribed_at")
    pref.next_reminder_at = timing.first_slot(now, pref.time_zone, pref.reminder_time)
    pref.updated_at = now
    pref.save(update_fields=update_fields)
    return pref


def preference_zone_from_device(user_id: int, zone: str, now: datetime | None = None) -> bool:
    """Use the zone of the trainee's device (seen at login) until they choose one themselves,
    so reminders come at a sensible local time from the start. Returns whether it changed."""
    try:
        timing.validate_zone(zone)
    except ValueError:
        return False  # a browser sent something odd: keep what we have
    now = now or timezone.now()
    pref = preference_ensure(user_id, now)
    if pref.time_zone_chosen or pref.time_zone == zone:
        return False
    pref.time_zone = zone
    pref.next_reminder_at = timing.first_slot(now, zone, pref.reminder_time)
    pref.updated_at = now
    pref.save(update_fields=["time_zone", "next_reminder_at", "updated_at"])
    return True


def unsubscribe_token(user_id: int) -> str:
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_unsubscribe_token(token: str) -> int | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    user_id = data.get("u") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe(user_id: int, now: datetime | None = None) -> bool:
    """Stop reminders for a trainee; True when this call changed anything. Idempotent."""
    now = now or timezone.now()
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False  # the account was deleted after the email went out: nothing left to stop
    pref = preference_ensure(user_id, now)
    return bool(
        ReminderPreference.objects.filter(pk=pref.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now, updated_at=now
        )
    )


def _note_reviewed(user_id: int, reviewed_at: datetime) -> None:
    ReminderPreference.objects.filter(
        Q(last_reviewed_at__isnull=True) | Q(last_reviewed_at__lt=reviewed_at), user_id=user_id
    ).update(last_reviewed_at=reviewed_at, ignored_in_a_row=0)


# ---------------------------------------------------------------- cards


def cards_on_answer(answer: Answer, item: Item) -> None:
    """Called inside attempt_answer's transaction when a trainee answers a step. The first root
    answer of a skill creates its card (that answer is its first review, rated from the grade)
    and adds the course's facts deck; later quiz answers leave the schedule alone."""
    if answer.step_path:
        return
    user_id = answer.attempt.user_id
    if ReviewCard.objects.filter(user_id=user_id, kind=ReviewCard.SKILL, skill=item.skill).exists():
        return
    try:
        with transaction.atomic():
            card = ReviewCard.objects.create(
                user_id=user_id,
                course_id=item.course_id,
                kind=ReviewCard.SKILL,
                skill=item.skill,
                due=answer.answered_at,
                created_at=answer.answered_at,
            )
            rating = scheduling.rating_for(
                answer.grade, answer.confidence, answer.seconds, app_settings.REVIEW_QUICK_SECONDS
            )
            state = _schedule(card, rating, answer.answered_at)
            ReviewCard.objects.filter(pk=card.pk).update(**_card_fields(state), last_item=item, reps=1)
            ReviewLog.objects.create(
                client_id=uuid.uuid4(),
                card=card,
                user_id=user_id,
                source=ReviewLog.QUIZ,
                item=item,
                option_id=answer.option_id,
                grade=answer.grade,
                rating=int(rating),
                confidence=answer.confidence,
                seconds=answer.seconds,
                reviewed_at=answer.answered_at,
                due_before=card.due,
                due_after=state.due,
            )
    except IntegrityError:
        return  # a concurrent answer created the card first
    facts_deck_ensure(user_id, item.course_id, answer.answered_at)
    preference_ensure(user_id, answer.answered_at)
    _note_reviewed(user_id, answer.answered_at)


def facts_deck_ensure(user_id: int, course_id: int, now: datetime) -> int:
    """Give the trainee a card for each active fact of the course they lack, introduced a few a
    day in module order (ATTUNE_REVIEW_NEW_FACTS_PER_DAY), so a new deck is not 30 reviews at once."""
    have = set(ReviewCard.objects.filter(user_id=user_id, kind=ReviewCard.FACT).values_list("fact_id", flat=True))
    per_day = max(1, app_settings.REVIEW_NEW_FACTS_PER_DAY)
    facts = Fact.objects.filter(course_id=course_id, is_active=True).exclude(pk__in=have)
    new = [
        ReviewCard(
            user_id=user_id,
            course_id=course_id,
            kind=ReviewCard.FACT,
            fact=fact,
            due=now + timedelta(days=index // per_day),
            created_at=now,
        )
        for index, fact in enumerate(facts.order_by("module__order", "slug"))
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


def _clean_client_id(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ValidationError({"review_id": "must be a UUID made by the client for this review."})


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
    chosen = grading.option_by_id(item.steps, option_id)
    return chosen, grading.best_option(item.steps), ""


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
    prompt = selectors.prompt_for(card)
    if prompt is None:
        raise quiz_services.Conflict("There is nothing left to show for this card.")
    if key != prompt.key:
        raise quiz_services.Conflict(f"'{key}' is not what this review shows now; it shows '{prompt.key}'.")
    chosen, best, explanation = _feedback(card, prompt.item, option_id)
    if chosen is None:
        raise ValidationError({"option": f"'{option_id}' is not an option of this review."})
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
            )
            _note_reviewed(user.pk, reviewed_at)
    except IntegrityError:
        stored = ReviewLog.objects.filter(client_id=client_id).select_related("item").first()
        if stored is not None and stored.user_id == user.pk:
            return stored_outcome(stored)
        raise quiz_services.Conflict("This card was reviewed meanwhile; load the next review.")
    card.refresh_from_db()
    return ReviewOutcome(log, card, chosen, best, explanation, repeated=False)


# ---------------------------------------------------------------- notifications


def notifications_mark_read(user, ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark some (or, with ids None, all) of the user's unread notifications read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=now or timezone.now())
