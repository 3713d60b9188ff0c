"""At login, take the device's time zone (a hidden field the login page fills in) until the
trainee chooses one, so the first reminders already come at a sensible local time."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

DEVICE_ZONE_FIELD = "device_time_zone"


@receiver(user_logged_in, dispatch_uid="attune-device-time-zone")
def _on_login(sender, request, user, **kwargs):
    zone = request.POST.get(DEVICE_ZONE_FIELD, "") if request is not None and request.method == "POST" else ""
    if zone:
        from .services import preference_zone_from_device

        preference_zone_from_device(user.pk, zone[:64])
