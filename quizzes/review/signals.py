"""What spaced review tells other apps: a trainee reviewed (a quiz's first answer of a skill, or a
spaced review). Reminders listen, so review never imports reminders."""

from django.dispatch import Signal

# kwargs: user_id, reviewed_at (UTC), and for a spaced review `before`, a dict a receiver fills with
# what it changed (JSON), kept with the review's log so an undo can give it back.
reviewed = Signal()

# kwargs: user_id, reviewed_at (UTC, the undone review's), before (what receivers put in `before`, or {}).
review_undone = Signal()
