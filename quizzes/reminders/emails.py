"""The review reminder email: one small function, templates as a subject/text/html triplet.

It carries counts and links only, never scenario, reply or reflection text. A few wordings
rotate by date so the nudge does not read like a machine.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext, ngettext_lazy

from .conf import app_settings

WORDINGS = [
    (
        ngettext_lazy("%(n)s review waiting for you", "%(n)s reviews waiting for you", "n"),
        gettext_lazy("A few minutes of review today keeps what you practised within reach."),
    ),
    (
        ngettext_lazy("Time for a short review (%(n)s due)", "Time for a short review (%(n)s due)", "n"),
        gettext_lazy("What you practised is back for another look."),
    ),
    (
        ngettext_lazy("%(n)s item ready to revisit", "%(n)s items ready to revisit", "n"),
        gettext_lazy("Spacing practice out is what makes it stick; today is a good day."),
    ),
    (
        ngettext_lazy("Your review is ready: %(n)s due", "Your review is ready: %(n)s due", "n"),
        gettext_lazy("Coming back now, just as things begin to fade, is when review helps most."),
    ),
]


def wording_for(local_date: date, count: int) -> tuple[str, str]:
    subject, opening = WORDINGS[local_date.toordinal() % len(WORDINGS)]
    return subject % {"n": count}, str(opening)


def due_summary(counts: dict[str, int]) -> str:
    """'1 skill and 5 facts are due for review.' (parts with nothing due are left out)."""
    skills, facts = counts.get("skill", 0), counts.get("fact", 0)
    parts = []
    if skills:
        parts.append(ngettext("%(n)s skill", "%(n)s skills", skills) % {"n": skills})
    if facts:
        parts.append(ngettext("%(n)s fact", "%(n)s facts", facts) % {"n": facts})
    total = sum(counts.values())
    if not parts:
        return ngettext("Nothing is due for review.", "Nothing is due for review.", total)
    # Translators: %(parts)s is e.g. "1 skill and 5 facts".
    return ngettext("%(parts)s is due for review.", "%(parts)s are due for review.", total) % {
        "parts": gettext(" and ").join(parts)
    }


def absolute(path: str) -> str:
    return f"{app_settings.SITE_URL}{path}"


def review_digest_message(user, counts: dict[str, int], local_date: date, unsubscribe_token: str):
    """The digest for one trainee, with RFC 8058 one-click unsubscribe headers."""
    total = sum(counts.values())
    subject, opening = wording_for(local_date, total)
    unsubscribe_url = absolute(reverse("reminders:unsubscribe", args=[unsubscribe_token]))
    context = {
        "name": getattr(user, "first_name", "") or user.get_username(),  # a custom user may have no first_name
        "opening": opening,
        "total": total,
        "skills": counts.get("skill", 0),
        "facts": counts.get("fact", 0),
        "review_url": absolute(reverse("review:session")),
        "preferences_url": absolute(reverse("reminders:preferences")),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("attune/reminders/emails/review_reminder_subject.txt", {"subject": subject}).strip(),
        body=render_to_string("attune/reminders/emails/review_reminder.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[getattr(user, user.get_email_field_name(), "")],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("attune/reminders/emails/review_reminder.html", context), "text/html")
    return message


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: 4xx SMTP replies (a 421 greeting included), dropped or refused
    connections, timeouts and other network errors. 5xx replies and anything else (bad
    address, bad configuration) are permanent."""
    import smtplib

    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out, unreachable, name not resolved
