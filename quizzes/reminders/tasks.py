"""Celery tasks: thin wrappers that take ids and call services (autodiscovered by the host's Celery app).

Each has soft and hard time limits (prefork pool), so a mail server or database that never answers
cannot wedge a pool process or keep a worker from stopping on SIGTERM."""

from celery import shared_task

from . import reminders
from .conf import app_settings


@shared_task(
    name="attune_reminders.plan_reminders",
    ignore_result=True,
    soft_time_limit=app_settings.REMINDER_PLAN_SOFT_TIME_LIMIT,
    time_limit=app_settings.REMINDER_PLAN_TIME_LIMIT,
)
def plan_reminders() -> dict:
    """The beat entry (every 5 minutes): the outbox relay, then one planning sweep."""
    report = reminders.plan_sweep()
    return {
        "planned": report.planned,
        "deferred": report.deferred,
        "skipped": sum(report.skipped.values()),
        "relayed": report.relayed,
    }


@shared_task(
    name=reminders.SEND_BATCH_TASK,
    ignore_result=True,
    soft_time_limit=app_settings.REMINDER_SEND_SOFT_TIME_LIMIT,
    time_limit=app_settings.REMINDER_SEND_TIME_LIMIT,
)
def send_reminders(reminder_ids: list[int]) -> dict:
    """A batch of planned reminders (the sweep and the relay enqueue one message per chunk of ids).
    A transient email error stops the batch; the unfinished rows are enqueued again after a
    capped backoff with jitter, or, if even that fails, left to the relay."""
    result = reminders.send_batch(reminder_ids)
    reminders.retry_later(result)
    return {"sent": len(result.sent), "skipped": len(result.skipped), "failed": len(result.failed)}


@shared_task(
    name="attune_reminders.send_reminder",
    ignore_result=True,
    soft_time_limit=app_settings.REMINDER_SEND_SOFT_TIME_LIMIT,
    time_limit=app_settings.REMINDER_SEND_TIME_LIMIT,
)
def send_reminder(reminder_id: int) -> dict:
    """One reminder (messages queued by earlier versions): a batch of one."""
    return send_reminders([reminder_id])


@shared_task(
    name="attune_reminders.apply_retention",
    ignore_result=True,
    soft_time_limit=540,
    time_limit=600,
)
def apply_retention() -> dict:
    """The daily beat entry: blank free text past its retention period (course.privacy)."""
    from course import privacy

    return privacy.apply_retention()
