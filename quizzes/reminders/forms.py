"""Reminder preferences as a form: the page binds it, the API's serializer shares its rules,
and preference_update runs the given values through the same fields as a last defence."""

from __future__ import annotations

from datetime import time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..validators import no_nul, row_id
from . import timing
from .models import ReminderPreference


def validate_iana_zone(value) -> None:
    """An IANA zone name that zoneinfo can load ('Not/AZone' is refused)."""
    try:
        timing.validate_zone(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_zone")


def parse_local_time(value) -> time | None:
    """A local time of day such as 18:30 (seconds dropped), None for empty; no zone or offset,
    which belongs to the time_zone field."""
    if value is None or value == "":
        return None
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValidationError(_("must be a local time of day such as 18:30, with no zone or offset."))
        return value.replace(second=0, microsecond=0)
    if not isinstance(value, str) or len(value) > 32:
        raise ValidationError(_("must be a time of day such as 18:30."), code="invalid")
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("must be a time of day such as 18:30."), code="invalid")
    if parsed.tzinfo is not None:  # "18:30Z"
        raise ValidationError(_("must be a local time of day such as 18:30, with no zone or offset."))
    return parsed.replace(second=0, microsecond=0)


class LocalTimeField(forms.Field):
    def to_python(self, value):
        return parse_local_time(value)


PAIR_ERROR = _("give both ends of quiet hours, or neither.")


class PreferenceForm(forms.Form):
    time_zone = forms.CharField(max_length=64, validators=[no_nul, validate_iana_zone])
    reminder_time = LocalTimeField(error_messages={"required": _("is required.")})
    quiet_start = LocalTimeField(required=False)
    quiet_end = LocalTimeField(required=False)
    frequency = forms.ChoiceField(
        choices=ReminderPreference.FREQUENCIES,
        error_messages={"invalid_choice": _("must be daily, weekly or off.")},
    )
    paused_until = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _("must be a date such as 2026-12-31.")}
    )
    email_enabled = forms.BooleanField(required=False)
    in_app_enabled = forms.BooleanField(required=False)
    subscribed = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in data and "quiet_end" in data and (start is None) != (end is None):
            self.add_error("quiet_end" if end is None else "quiet_start", PAIR_ERROR)
        return data


FIELDS = tuple(PreferenceForm.base_fields)

# What the settings page calls each field, so an error reads "Time zone: ..." rather than "time_zone: ...".
FIELD_LABELS = {
    "time_zone": _("Time zone"),
    "reminder_time": _("Remind me at"),
    "quiet_start": _("Quiet hours from"),
    "quiet_end": _("Quiet hours to"),
    "frequency": _("How often"),
    "paused_until": _("Pause until"),
    "email_enabled": _("Email"),
    "in_app_enabled": _("In Attune"),
    "subscribed": _("Send me review reminders"),
}
FLAG_FIELDS = ("email_enabled", "in_app_enabled", "subscribed")


def clean_changes(changes: dict) -> dict:
    """Run any subset of the fields through the form's own fields (values already clean pass
    unchanged); errors name the field. For callers other than the page and the API."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("is not a reminder preference.")})
    values, errors = {}, {}
    for name, value in changes.items():
        field = PreferenceForm.base_fields[name]
        if name in FLAG_FIELDS and not isinstance(value, bool):
            errors[name] = [_("must be true or false.")]
            continue
        try:
            values[name] = field.clean(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


class IdsField(forms.Field):
    """Notification ids posted by the page; what is not a whole number is dropped (marks nothing)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return None  # none sent: all
        return [whole for whole in map(row_id, value) if whole is not None]


class NotificationsReadForm(forms.Form):
    id = IdsField(required=False)
