"""Review's receivers: a quiz answer may start a skill's review card and the course's facts deck."""

from django.dispatch import receiver

from ..signals import answer_recorded


@receiver(answer_recorded, dispatch_uid="attune-review-cards-on-answer")
def _on_answer(sender, answer, item, **kwargs):
    from .services import cards_on_answer, level_record

    levelled = cards_on_answer(answer, item)  # a skill's first answer writes its first level with its card
    if not answer.step_path and not levelled:  # the item's first reply scores the skill; branch steps follow
        level_record(answer.attempt.user_id, item.course_id, item.skill, answer.grade, answer.answered_at)
