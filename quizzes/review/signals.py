"""What spaced review tells other apps: a trainee reviewed (a quiz's first answer of a skill, or a
spaced review). Reminders listen, so review never imports reminders."""

from django.dispatch import Signal

# kwargs: user_id, reviewed_at (UTC)
reviewed = Signal()
