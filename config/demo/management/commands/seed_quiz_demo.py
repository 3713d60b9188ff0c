"""Demo quiz history: finished attempts and review cards for the demo cohort (after seed_demo).

The demo `trainee` ends with reviews due now and a reminder preference whose time has come, so
the first Celery beat tick after `make run` (within 5 minutes) emails a digest to var/mail/ and
adds an in-app notification. Safe to run twice: attempts are only played once, and the demo
trainee's reminder for today is reset each run so the demo shows it again.
"""

import random
from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from config.demo.management.commands.seed_demo import COHORT_TRAINEES
from course.models import Lesson
from course.services import lesson_complete, lesson_open
from quizzes import grading, services, sessions
from quizzes.models import Answer, Quiz
from quizzes.reminders import services as reminder_services
from quizzes.reminders import timing
from quizzes.reminders.models import Reminder, ReminderPreference
from quizzes.review import selectors as review_selectors
from quizzes.review.models import ReviewCard, SkillLevel

# A whole conversation is harder to get right than one reply: in sessions the demo cohort picks the
# best reply less often, so its instructor sees different paths and endings in the item analysis.
SESSION_HANDICAP = 0.3
DEMO_REPLY = "Something seemed to shift just then. Could we slow down and look at what happened between us?"


def play(user, quiz: Quiz, rng: random.Random, skill_level: float) -> None:
    """Finish one attempt, picking the best option with probability `skill_level`."""
    attempt, _ = services.attempt_start(user, quiz)
    while attempt.is_open:
        item_id = attempt.item_ids[attempt.position]
        item = quiz.items.get(pk=item_id)
        if item.write_first and not attempt.step_path and not attempt.free_replies.filter(item=item).exists():
            services.attempt_write_reply(attempt, item.slug, DEMO_REPLY)
        step = grading.step_at(item.steps, attempt.step_path)
        options = sorted(step["options"], key=lambda o: -o["grade"])
        level = skill_level - SESSION_HANDICAP if sessions.is_session(item.steps) else skill_level
        choice = options[0] if rng.random() < level else rng.choice(options)
        services.attempt_answer(
            attempt, item.slug, attempt.step_path, choice["id"], rng.randint(2, 4), rng.uniform(8, 40)
        )
        attempt.refresh_from_db()


def session_report() -> str:
    """How many trainees played a relationship-state session to its end, and the endings they reached."""
    endings: dict[str, Counter[str]] = defaultdict(Counter)  # item -> ending -> plays
    players = set()
    answers = Answer.objects.filter(item__steps__kind=sessions.KIND, attempt__status="completed").select_related(
        "item", "attempt"
    )
    by_play: dict[tuple[int, int], list[Answer]] = {}
    for answer in answers.order_by("pk"):
        by_play.setdefault((answer.attempt_id, answer.item_id), []).append(answer)
    for played in by_play.values():
        item = played[0].item
        ending = grading.session_ending(item.steps, [(a.step_path, a.option_id) for a in played])
        if ending is not None:
            endings[item.slug][ending[0]] += 1
            players.add(played[0].attempt.user_id)
    reached = "; ".join(
        f"{slug}: " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))
        for slug, counts in sorted(endings.items())
    )
    return f"Sessions played to an ending by {len(players)} trainee(s): {reached or 'none'}."


class Command(BaseCommand):
    help = "Give the demo cohort finished quiz attempts and review cards; make the demo trainee due a reminder."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        quizzes = list(Quiz.objects.filter(module__is_active=True).order_by("module__order")[:2])
        if not quizzes:
            raise CommandError("No quizzes: run `python manage.py import_course` first.")
        rng = random.Random(11)
        played = 0
        for index, username in enumerate(["trainee", *COHORT_TRAINEES]):
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}: run `python manage.py seed_demo` first.")
            if user.quiz_attempts.filter(status="completed").exists():
                continue
            for quiz in quizzes[: 1 + index % 2]:
                # Read the lessons up to the quiz's module first, as the prerequisites ask.
                for lesson in Lesson.objects.filter(
                    module__course=quiz.module.course, module__order__lte=quiz.module.order, is_active=True
                ):
                    lesson_open(user, lesson)
                    lesson_complete(user, lesson)
                play(user, quiz, rng, skill_level=0.5 + 0.08 * index)
                played += 1
                if not user.module_results.filter(module=quiz.module, passed_at__isnull=False).exists():
                    break  # the next module stays locked until this quiz is passed
        # A shared reflection, so the demo instructor has one to read and score (issue 6).
        sharer = User.objects.get(username=COHORT_TRAINEES[0])
        first = sharer.quiz_attempts.filter(status="completed").order_by("completed_at").first()
        if first is not None and not hasattr(first, "reflection"):
            services.reflection_save(first, "I noticed I wanted to explain my approach rather than ask.", True)
        trainee = User.objects.get(username="trainee")
        now = timezone.now()
        # Some of the demo trainee's cards come due now, as if practised days ago.
        due_ids = list(ReviewCard.objects.filter(user=trainee).order_by("kind", "pk").values_list("pk", flat=True)[:6])
        ReviewCard.objects.filter(pk__in=due_ids).update(due=now - timedelta(hours=1))
        pref = reminder_services.preference_ensure(trainee.pk, now)
        zone = timing.zone_or_utc(pref.time_zone)
        ReminderPreference.objects.filter(pk=pref.pk).update(
            reminder_time=now.astimezone(zone).time().replace(second=0, microsecond=0),
            quiet_start=None,
            quiet_end=None,
            frequency=ReminderPreference.DAILY,
            email_enabled=True,
            in_app_enabled=True,
            paused_until=None,
            unsubscribed_at=None,
            next_reminder_at=now,
            last_reminded_at=None,
            last_reviewed_at=now - timedelta(days=2),
            ignored_in_a_row=0,
            updated_at=now,
        )
        Reminder.objects.filter(user=trainee, local_date=now.astimezone(zone).date()).delete()  # demo only
        due = review_selectors.due_count(trainee, now)
        moved = SkillLevel.objects.filter(moves__gt=0).values("user_id").distinct().count()
        self.stdout.write(f"Practice levels moved for {moved} trainee(s) by their answers.")
        self.stdout.write(session_report())
        self.stdout.write(
            f"Quiz demo ready: {played} attempt(s) played; trainee has {due} review(s) due and a "
            "reminder due at the next beat (within 5 minutes): see var/mail/ and the trainee's notifications."
        )
