"""The reminders app's receivers: the device's time zone at login, and what a review changes.

The device's zone comes from the login form's hidden `device_time_zone` field or from the
`attune_device_tz` cookie that `attune/device-zone.js` sets (include it in the host's base
template), so a host's own login page works too. It is used until the trainee chooses a zone.
"""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ..review.signals import review_undone, reviewed
from ..signals import reflection_scored

DEVICE_ZONE_FIELD = "device_time_zone"
DEVICE_ZONE_COOKIE = "attune_device_tz"


@receiver(user_logged_in, dispatch_uid="attune-device-time-zone")
def _on_login(sender, request, user, **kwargs):
    if request is None:
        return
    zone = request.POST.get(DEVICE_ZONE_FIELD, "") if request.method == "POST" else ""
    zone = zone or request.COOKIES.get(DEVICE_ZONE_COOKIE, "")
    if zone:
        from .services import preference_zone_from_device

        preference_zone_from_device(user.pk, zone[:64])


@receiver(reviewed, dispatch_uid="attune-reminders-note-reviewed")
def _on_reviewed(sender, user_id, reviewed_at, **kwargs):
    from .services import note_reviewed

    note_reviewed(user_id, reviewed_at, kwargs.get("before"))


@receiver(review_undone, dispatch_uid="attune-reminders-review-undone")
def _on_review_undone(sender, user_id, reviewed_at, before, **kwargs):
    from .services import note_review_undone

    note_review_undone(user_id, reviewed_at, before.get("reminders"))


@receiver(reflection_scored, dispatch_uid="attune-reminders-reflection-scored")
def _on_reflection_scored(sender, reflection, at, **kwargs):
    from .services import notification_reflection_scored

    notification_reflection_scored(reflection, at)
