"""Review's receivers: a quiz answer may start a skill's review card and the course's facts deck."""

from django.dispatch import receiver

from ..signals import answer_recorded


@receiver(answer_recorded, dispatch_uid="attune-review-cards-on-answer")
def _on_answer(sender, answer, item, **kwargs):
    from .services import review_on_answer

    review_on_answer(answer, item)  # the skill's practice level, and a skill's first answer its card
