"""Celery tasks: thin wrappers that take ids and call services (autodiscovered by the host's Celery app)."""

from celery import shared_task

from . import reminders
from .conf import app_settings


@shared_task(name="attune_reminders.plan_reminders", ignore_result=True)
def plan_reminders() -> dict:
    """The beat entry (every 5 minutes): one planning sweep."""
    report = reminders.plan_sweep()
    return {"planned": report.planned, "deferred": report.deferred, "skipped": sum(report.skipped.values())}


@shared_task(name=reminders.SEND_BATCH_TASK, ignore_result=True)
def send_reminders(reminder_ids: list[int]) -> dict:
    """A batch of planned reminders (the sweep enqueues one message per chunk of ids). A transient
    email error hands that one id to send_reminder, which retries with capped backoff and jitter."""
    result = reminders.send_batch(reminder_ids)
    for reminder_id in result.transient:
        send_reminder.apply_async((reminder_id,), countdown=reminders.retry_countdown(0))
    return {"sent": len(result.sent), "skipped": len(result.skipped), "failed": len(result.failed)}


@shared_task(bind=True, name="attune_reminders.send_reminder", ignore_result=True, max_retries=None)
def send_reminder(self, reminder_id: int) -> str:
    try:
        return reminders.reminder_send(reminder_id)
    except reminders.TransientSendError as exc:
        retries = self.request.retries or 0
        if retries >= app_settings.REMINDER_MAX_RETRIES:
            reminders.reminder_give_up(reminder_id, str(exc))
            return "failed: retries spent"
        raise self.retry(exc=exc, countdown=reminders.retry_countdown(retries + 1))


@shared_task(name="attune_reminders.apply_retention", ignore_result=True, time_limit=600)
def apply_retention() -> dict:
    """The daily beat entry: blank free text past its retention period (course.privacy)."""
    from course import privacy

    return privacy.apply_retention()
