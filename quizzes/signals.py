"""What scenario quizzes tell other apps, so that quizzes never imports them.

Receivers run inside the sender's transaction: a receiver's write rolls back with the answer.
"""

from django.dispatch import Signal

# kwargs: answer, item. Sent inside attempt_answer's transaction when a step is answered.
answer_recorded = Signal()

# kwargs: reflection, at. Sent inside the transaction that saves an instructor's changed score or comment.
reflection_scored = Signal()
