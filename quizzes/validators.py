"""Input rules shared by the apps' Django forms and DRF serializers: one rule, one place."""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONFIDENCE_MIN, CONFIDENCE_MAX = 1, 4
SECONDS_MAX = 86400.0  # an answer time past a day is not a measurement
CONFIDENCE_CHOICES = [(str(n), str(n)) for n in range(CONFIDENCE_MIN, CONFIDENCE_MAX + 1)]
CONFIDENCE_ERROR = _("must be a whole number from 1 (guessing) to 4 (sure).")


def no_nul(value: str) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(_("must not contain NUL (\\x00) characters."), code="null_characters_not_allowed")


def no_surrogates(value: str) -> None:
    """A lone surrogate ('\\ud800', possible in JSON) cannot be stored as UTF-8."""
    if isinstance(value, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ValidationError(_("must not contain lone surrogate characters."), code="surrogate_characters_not_allowed")


TEXT_VALIDATORS = [no_nul, no_surrogates]


def error_text(errors) -> str:
    """A form's or a ValidationError's errors as one line, each message after its field's name."""
    if isinstance(errors, ValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {"__all__": errors.messages}
    parts = []
    for field, messages in errors.items():
        text = " ".join(str(m) for m in messages)
        parts.append(text if field == "__all__" else f"{field}: {text}")
    return "; ".join(parts)


def error_dict(errors) -> dict[str, str]:
    """A form's errors as {field: 'messages'} for templates that list them by field."""
    return {field: " ".join(str(m) for m in messages) for field, messages in errors.items()}


# ---------------------------------------------------------------- form fields


def row_id(value) -> int | None:
    """A posted row id, or None when it cannot be one ('²' passes str.isdigit() but not int(),
    and 30 digits would overflow a bigint): such an id finds no row, a 404 or nothing marked."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def text_field(limit: int, *, required: bool = True, **kwargs) -> forms.CharField:
    """Text a person writes: stripped, at most `limit` characters, no NUL or lone surrogate."""
    return forms.CharField(
        max_length=limit,
        required=required,
        validators=[no_surrogates],
        error_messages={
            "required": _("must not be empty."),
            "max_length": _("must be at most %(limit_value)d characters (got %(show_value)d)."),
            "null_characters_not_allowed": _("must not contain NUL (\\x00) characters."),
        },
        **kwargs,
    )


def confidence_field() -> forms.TypedChoiceField:
    """1 (guessing) to 4 (sure): a choice of four texts, so '²' or 5,000 digits are never parsed."""
    return forms.TypedChoiceField(
        choices=CONFIDENCE_CHOICES,
        coerce=int,
        error_messages={"required": CONFIDENCE_ERROR, "invalid_choice": CONFIDENCE_ERROR},
    )


def measured_seconds(value) -> float | None:
    """The answer time a page measured, or None when it is missing or not a sensible number:
    it is the browser's measurement, not the trainee's input, so nonsense never blocks an answer."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if not value.isascii() or len(value) > 32:  # '²', '٣' or 400 nines: not a measurement
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if 0 <= value <= SECONDS_MAX else None


class MeasuredSecondsField(forms.Field):
    """A page's hidden answer timer: always valid, None when it makes no sense (see measured_seconds)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return measured_seconds(value)


# ---------------------------------------------------------------- serializer fields (DRF is optional)


def api_confidence_field():
    from rest_framework import serializers

    class AsciiIntegerField(serializers.IntegerField):
        def to_internal_value(self, data):
            if isinstance(data, str) and not data.isascii():  # int() reads '٣' as 3; the page's choices do not
                self.fail("invalid")
            return super().to_internal_value(data)

    messages = dict.fromkeys(("invalid", "min_value", "max_value", "max_string_length", "required"), CONFIDENCE_ERROR)
    return AsciiIntegerField(min_value=CONFIDENCE_MIN, max_value=CONFIDENCE_MAX, error_messages=messages)


def api_seconds_field():
    from rest_framework import serializers

    message = _("must be a number of seconds from 0 to 86400.")
    messages = dict.fromkeys(("invalid", "min_value", "max_value", "max_string_length"), message)
    return serializers.FloatField(
        min_value=0, max_value=SECONDS_MAX, required=False, allow_null=True, error_messages=messages
    )


def api_text_field(limit: int, **kwargs):
    """The API's side of text_field: DRF's CharField already refuses NUL and lone surrogates."""
    from rest_framework import serializers

    messages = {"blank": _("must not be empty."), "max_length": _("must be at most {max_length} characters.")}
    return serializers.CharField(max_length=limit, error_messages=messages, **kwargs)
