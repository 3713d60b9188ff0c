"""Spaced-review scheduling with FSRS (py-fsrs, pinned), with no ORM.

Everything FSRS sees is UTC: aware datetimes in any zone are converted, naive ones are refused
(a naive time has no single meaning). A review dated before the card's last review is refused,
because FSRS would compute a negative interval from it. The rating comes from the grade, as
CONTENT.md's review policy says (quizzes.grading.fsrs_rating).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import fsrs

from .. import grading

MIN_RETENTION, MAX_RETENTION = 0.70, 0.97
LEARNING, REVIEW, RELEARNING = fsrs.State.Learning.value, fsrs.State.Review.value, fsrs.State.Relearning.value
RATINGS = {"again": fsrs.Rating.Again, "hard": fsrs.Rating.Hard, "good": fsrs.Rating.Good, "easy": fsrs.Rating.Easy}


class OutOfOrderReview(ValueError):
    """A review dated before the card's last review."""


def to_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: give a time zone (FSRS is called with UTC datetimes)")
    return moment.astimezone(UTC)


def validate_retention(value) -> float:
    """Desired retention as a float in 0.70-0.97, or a ValueError that names the setting."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"desired_retention must be a number from {MIN_RETENTION} to {MAX_RETENTION}, not {value!r}")
    value = float(value)
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(f"desired_retention must be from {MIN_RETENTION} to {MAX_RETENTION}, not {value}")
    return value


@lru_cache(maxsize=16)
def scheduler(desired_retention: float = 0.9, steps_minutes: tuple[int, ...] = (), fuzz: bool = True):
    steps = tuple(timedelta(minutes=m) for m in steps_minutes)
    return fsrs.Scheduler(
        desired_retention=validate_retention(desired_retention),
        learning_steps=steps,
        relearning_steps=steps,
        enable_fuzzing=fuzz,
    )


@dataclass(frozen=True)
class CardState:
    """The fsrs.Card fields as stored on a ReviewCard row."""

    card_id: int | None  # None for a card not stored yet
    due: datetime
    state: int = LEARNING
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None

    def to_fsrs(self) -> fsrs.Card:
        return fsrs.Card(
            # A card not stored yet has no id; given None, fsrs.Card makes one from the clock and
            # sleeps 1 ms so the next is different. The id only labels fsrs's review log.
            card_id=self.card_id if self.card_id is not None else 0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=to_utc(self.due),
            last_review=to_utc(self.last_review) if self.last_review else None,
        )

    @classmethod
    def from_fsrs(cls, card: fsrs.Card) -> CardState:
        return cls(
            card_id=card.card_id,
            due=card.due,
            state=card.state.value,
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            last_review=card.last_review,
        )


def new_card(card_id: int, now: datetime) -> CardState:
    """A card never reviewed: due at once."""
    return CardState(card_id=card_id, due=to_utc(now))


def rating_for(grade: int, confidence: int | None, seconds: float | None, quick_seconds: float = 20.0) -> fsrs.Rating:
    return RATINGS[grading.fsrs_rating(grade, confidence, seconds, quick_seconds=quick_seconds)]


def review(
    card: CardState,
    rating: fsrs.Rating,
    reviewed_at: datetime,
    *,
    desired_retention: float = 0.9,
    steps_minutes: tuple[int, ...] = (),
    fuzz: bool = True,
) -> CardState:
    """The card after one review at `reviewed_at` (any zone; stored and computed in UTC)."""
    reviewed_at = to_utc(reviewed_at)
    if card.last_review is not None and reviewed_at < to_utc(card.last_review):
        raise OutOfOrderReview(
            f"review at {reviewed_at.isoformat()} is before the card's last review at "
            f"{to_utc(card.last_review).isoformat()}"
        )
    fsrs_card, _log = scheduler(validate_retention(desired_retention), tuple(steps_minutes), fuzz).review_card(
        card.to_fsrs(), fsrs.Rating(rating), review_datetime=reviewed_at
    )
    return replace(CardState.from_fsrs(fsrs_card), card_id=card.card_id)
