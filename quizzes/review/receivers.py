"""Review's receivers: a quiz answer may start a skill's review card and the course's facts deck."""

from django.dispatch import receiver

from ..signals import answer_recorded


@receiver(answer_recorded, dispatch_uid="attune-review-cards-on-answer")
def _on_answer(sender, answer, item, **kwargs):
    from .services import cards_on_answer, level_record

    cards_on_answer(answer, item)
    if not answer.step_path:  # the item's first reply scores the skill; branch steps follow from it
        level_record(answer.attempt.user_id, item.course_id, item.skill, answer.grade, answer.answered_at)
