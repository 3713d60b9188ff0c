"""Reads for spaced review, scoped to the trainee."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import TruncDate
from django.utils import timezone

from course.models import Course
from course.prepared import Prepared

from .. import grading
from .. import items as kept_items
from ..models import Answer, Item
from ..selectors import skill_names
from . import levels
from . import mastery as mastery_rules
from .models import Fact, ReviewCard, ReviewLog, SkillLevel


def due_cards(user, now: datetime | None = None) -> QuerySet[ReviewCard]:
    return ReviewCard.objects.filter(user=user, due__lte=now or timezone.now()).order_by("due", "pk")


def due_count(user, now: datetime | None = None, course=None) -> int:
    cards = due_cards(user, now).order_by()
    if course is not None:
        cards = cards.filter(course=course)
    return cards.count()


def has_cards(user) -> bool:
    return ReviewCard.objects.filter(user=user).exists()


def due_count_by_kind(user, now: datetime | None = None) -> dict[str, int]:
    rows = due_cards(user, now).order_by().values("kind").annotate(n=Count("*"))
    counts = {ReviewCard.SKILL: 0, ReviewCard.FACT: 0}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


def due_counts_by_user(user_ids: list[int], now: datetime) -> dict[int, int]:
    """The sweep's one grouped query per batch of trainees (sorted ids). It filters on the batch's
    id range rather than a list of thousands of ids, and counts with Count("*"), so PostgreSQL
    answers from the (due, user) index alone; counts of trainees outside the batch are dropped."""
    if not user_ids:
        return {}
    rows = (
        ReviewCard.objects.filter(due__lte=now, user_id__gte=user_ids[0], user_id__lte=user_ids[-1])
        .order_by()
        .values("user_id")
        .annotate(n=Count("*"))
        .values_list("user_id", "n")
    )
    wanted = set(user_ids)
    return {user_id: n for user_id, n in rows if user_id in wanted}


def isomorph_for(card: ReviewCard, items: list[Item] | None = None, level: str | None = None) -> Item | None:
    """The item a skill review shows: the next isomorph after the one shown last time, so two
    reviews in a row never show the same client (unless the skill has only one item). A caller
    that has the skill's active items (by slug, pk) and the trainee's level brings them."""
    if items is None:
        items = list(
            Item.objects.filter(course_id=card.course_id, skill=card.skill, is_active=True).order_by("slug", "pk")
        )
    if not items:
        return None
    if level is None:
        level = level_of(card.user_id, card.course_id, card.skill)
    # Closest to the trainee's level first; within a level, rotate after the one shown last.
    order = [items[i] for i in levels.closest_first([item.difficulty for item in items], level)]
    distance = {item.pk: abs(levels.LEVELS.index(item.difficulty) - levels.LEVELS.index(level)) for item in items}
    nearest = [item for item in order if distance[item.pk] == distance[order[0].pk]]
    ids = [item.pk for item in nearest]
    if card.last_item_id in ids and len(nearest) > 1:
        return nearest[(ids.index(card.last_item_id) + 1) % len(nearest)]
    fresh = [item for item in order if item.pk != card.last_item_id]
    return fresh[0] if fresh else order[0]


def items_answered_by(user) -> QuerySet[Item]:
    """Items the trainee has answered in a quiz or a review: those they may react to."""
    in_quizzes = Answer.objects.filter(attempt__user=user).values("item_id")
    in_reviews = ReviewLog.objects.filter(user=user, item__isnull=False).values("item_id")
    return Item.objects.filter(Q(pk__in=in_quizzes) | Q(pk__in=in_reviews))


def level_of(user_id: int, course_id: int, skill: str) -> str:
    level = (
        SkillLevel.objects.filter(user_id=user_id, course_id=course_id, skill=skill)
        .values_list("level", flat=True)
        .first()
    )
    return level or levels.LEVELS[0]


def levels_of(user) -> dict[tuple[int, str], str]:
    """The trainee's level in each skill they have practised, keyed by (course id, skill)."""
    rows = SkillLevel.objects.filter(user=user).values_list("course_id", "skill", "level")
    return {(course_id, skill): level for course_id, skill, level in rows}


@dataclass
class ReviewPrompt:
    card: ReviewCard
    kind: str
    key: str  # the item's or fact's slug: sent back with the answer
    client_line: str
    options: list[dict]
    item: Item | None = None
    fact: Fact | None = None
    due_left: int = 0


def _seed(card: ReviewCard) -> int:
    return card.pk * 1009 + card.reps


def practice_item_for(card: ReviewCard) -> Item | None:
    """The isomorph practice ahead shows: nearest the trainee's level like a review, but not the
    one the card's next scored review will show (nor the one shown last), so practising ahead
    never spoils the review to come. With too few isomorphs it falls back to the review's own."""
    upcoming = isomorph_for(card)
    if upcoming is None:
        return None
    items = list(Item.objects.filter(course_id=card.course_id, skill=card.skill, is_active=True).order_by("slug", "pk"))
    level = level_of(card.user_id, card.course_id, card.skill)
    order = [items[i] for i in levels.closest_first([item.difficulty for item in items], level)]
    others = [item for item in order if item.pk not in (upcoming.pk, card.last_item_id)]
    return others[0] if others else upcoming


def prompt_for(card: ReviewCard, practice: bool = False, items=None, level=None) -> ReviewPrompt | None:
    """What a review of the card shows; `practice`: what practice ahead shows (see practice_item_for);
    items and level as isomorph_for takes them."""
    if card.kind == ReviewCard.FACT:
        fact = card.fact
        if fact is None or not fact.is_active:
            return None
        options = [{"id": o["id"], "text": o["text"]} for o in fact.options]
        random.Random(f"{_seed(card)}:{fact.slug}").shuffle(options)
        return ReviewPrompt(card, card.kind, fact.slug, fact.question, options, fact=fact)
    item = practice_item_for(card) if practice else isomorph_for(card, items, level)
    if item is None:
        return None
    options = grading.shuffled_options(grading.step_at(item.steps, ""), _seed(card), item.slug, "")
    return ReviewPrompt(
        card, card.kind, item.slug, item.client_statement, [{"id": o["id"], "text": o["text"]} for o in options], item
    )


CARD_FIELDS = tuple(f.attname for f in ReviewCard._meta.concrete_fields)
FACT_FIELDS = tuple(f.attname for f in Fact._meta.concrete_fields)
DUE_LOOKED_AT = 20  # the most overdue cards looked through for one with something to show
_COURSE_KEY_FIELDS = ("id", "created_at", "structure_version")  # what course.structure.cache_key reads


def _due_query(user_id: int, now: datetime):
    """The most overdue cards with their facts, the course's version (its kept items), the
    trainee's level in each card's skill, and on every row how many skills and facts are due in all
    (window counts run before the LIMIT)."""
    level = SkillLevel.objects.filter(
        user_id=OuterRef("user_id"), course_id=OuterRef("course_id"), skill=OuterRef("skill")
    ).values("level")[:1]
    return (
        ReviewCard.objects.filter(user_id=user_id, due__lte=now)
        .annotate(
            level=Subquery(level),
            due_skills=Window(Count("pk", filter=Q(kind=ReviewCard.SKILL))),
            due_facts=Window(Count("pk", filter=Q(kind=ReviewCard.FACT))),
        )
        .order_by("due", "pk")
        .values_list(
            *CARD_FIELDS, *(f"fact__{f}" for f in FACT_FIELDS), "course__created_at", "course__structure_version",
            "level", "due_skills", "due_facts",
        )[:DUE_LOOKED_AT]
    )  # fmt: skip


_DUE = Prepared(_due_query, int, datetime)


def due_reviews(user, now: datetime | None = None) -> tuple[dict[str, int], ReviewPrompt | None]:
    """How many reviews are due, by kind, and the most overdue card that still has something to
    show (with how many are due in all): one precompiled query, the items from the course's kept
    items (quizzes/items.py)."""
    rows = _DUE.rows(user.pk, now or timezone.now())
    if not rows:
        return {ReviewCard.SKILL: 0, ReviewCard.FACT: 0}, None
    counts = {ReviewCard.SKILL: rows[0][-2], ReviewCard.FACT: rows[0][-1]}
    cards, facts = len(CARD_FIELDS), len(FACT_FIELDS)
    for row in rows:
        card = ReviewCard.from_db("default", CARD_FIELDS, row[:cards])
        fact = row[cards : cards + facts]
        card.fact = Fact.from_db("default", FACT_FIELDS, fact) if fact[0] is not None else None
        created_at, version, level = row[cards + facts : cards + facts + 3]
        items = None
        if card.kind == ReviewCard.SKILL:
            course = Course.from_db("default", _COURSE_KEY_FIELDS, (card.course_id, created_at, version))
            kept = kept_items.course_items(course).values()
            items = sorted((i for i in kept if i.skill == card.skill and i.is_active), key=lambda i: (i.slug, i.pk))
        prompt = prompt_for(card, items=items, level=level or levels.LEVELS[0])
        if prompt is not None:
            prompt.due_left = sum(counts.values())
            return counts, prompt
    return counts, None


def next_review(user, now: datetime | None = None) -> ReviewPrompt | None:
    """The most overdue card that still has something to show, with how many are due in all."""
    return due_reviews(user, now)[1]


def next_ahead(user, after: int | None = None, now: datetime | None = None) -> ReviewPrompt | None:
    """Practice ahead, when nothing is due: the card falling due soonest, or the next one after
    card `after` in that order (wrapping round), so a run of practice walks the deck. Unscored:
    showing and answering it changes no schedule (see practice_outcome)."""
    now = now or timezone.now()
    upcoming = ReviewCard.objects.filter(user=user, due__gt=now).select_related("fact").order_by("due", "pk")
    start = upcoming.filter(pk=after).values_list("due", flat=True).first() if after else None
    if start is not None:
        later = upcoming.filter(Q(due__gt=start) | Q(due=start, pk__gt=after))
        cards = list(later[:20]) or list(upcoming[:20])
    else:
        cards = list(upcoming[:20])
    for card in cards:
        prompt = prompt_for(card, practice=True)
        if prompt is not None:
            return prompt
    return None


def latest_review_id(user):
    """The client id of the trainee's latest spaced review: the one an undo may take back."""
    return (
        ReviewLog.objects.filter(user=user, source=ReviewLog.REVIEW)
        .order_by("-pk")
        .values_list("client_id", flat=True)
        .first()
    )


@dataclass
class SkillMastery:
    skill: str
    name: str
    mastery: mastery_rules.Mastery
    level: str = levels.LEVELS[0]


def mastery_by_skill(user) -> list[SkillMastery]:
    """Every skill the trainee has a card for, in four queries whatever the number of skills.
    Skills are keyed by course and key: two courses may use the same key for different skills."""
    cards = list(
        ReviewCard.objects.filter(user=user, kind=ReviewCard.SKILL)
        .order_by("course_id", "skill")
        .values_list("course_id", "skill")
    )
    picks: dict[tuple[int, str], list[mastery_rules.Pick]] = defaultdict(list)
    answers = Answer.objects.filter(
        attempt__user=user, step_path="", item__skill__in={skill for _, skill in cards}
    ).values_list("item__course_id", "item__skill", "item_id", "grade", "answered_at")
    for course_id, skill, item_id, grade, at in answers:
        picks[(course_id, skill)].append(mastery_rules.Pick(item_id, grade, at))
    reviews = ReviewLog.objects.filter(
        user=user, source=ReviewLog.REVIEW, card__kind=ReviewCard.SKILL, item__isnull=False
    ).values_list("card__course_id", "card__skill", "item_id", "grade", "reviewed_at")
    for course_id, skill, item_id, grade, at in reviews:
        picks[(course_id, skill)].append(mastery_rules.Pick(item_id, grade, at))
    names = skill_names({course_id for course_id, _ in cards})
    practice = levels_of(user)
    return [
        SkillMastery(
            skill,
            names.get((course_id, skill), skill),
            mastery_rules.mastery(picks[(course_id, skill)]),
            practice.get((course_id, skill), levels.LEVELS[0]),
        )
        for course_id, skill in cards
    ]


def due_forecast(user, days: int = 7, now: datetime | None = None) -> list[tuple[date, int]]:
    """Reviews falling due on each of the coming days in the current time zone (today counts what
    is overdue too): one grouped query."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    end = timezone.make_aware(datetime.combine(today + timedelta(days=days), time.min))
    rows = (
        ReviewCard.objects.filter(user=user, due__lt=end)
        .order_by()
        .annotate(day=TruncDate("due", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    )
    counts = dict.fromkeys((today + timedelta(days=i) for i in range(days)), 0)
    for day, n in rows:
        key = max(day, today)
        if key in counts:
            counts[key] += n
    return list(counts.items())
