"""Review's receivers: a quiz answer may start a skill's review card and the course's facts deck, and
an item that changes skill or goes away moves the stored mastery of the course's skills."""

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from ..models import Item
from ..signals import answer_recorded


@receiver(answer_recorded, dispatch_uid="attune-review-cards-on-answer")
def _on_answer(sender, answer, item, **kwargs):
    from .services import review_on_answer

    review_on_answer(answer, item)  # the skill's practice level, and a skill's first answer its card


def _refold_after_commit(course_id: int) -> None:
    """Mastery reads a quiz answer under its item's current skill, and forgets the picks of a deleted
    item: refold the course's stored states from the history once the change commits, once however
    many items the transaction changed (an import may move several)."""
    waiting = (getattr(callback, "refolds_course", None) for _, callback, _ in connection.run_on_commit)
    if course_id in waiting:
        return

    def refold():
        from .services import mastery_rebuild

        refold.refolds_course = None  # done: a later change in the same (test) transaction schedules anew
        mastery_rebuild(course_id=course_id)

    refold.refolds_course = course_id
    transaction.on_commit(refold)


@receiver(pre_save, sender=Item, dispatch_uid="attune-review-mastery-item-skill")
def _on_item_save(sender, instance: Item, raw=False, **kwargs):
    if raw or instance.pk is None:
        return  # a fixture load, or a new item (no answers yet)
    was = Item.objects.filter(pk=instance.pk).values_list("skill", flat=True).first()
    instance._mastery_moves = was is not None and was != instance.skill


@receiver(post_save, sender=Item, dispatch_uid="attune-review-mastery-item-saved")
def _on_item_saved(sender, instance: Item, **kwargs):
    if getattr(instance, "_mastery_moves", False):  # after the save: outside a transaction it runs at once
        instance._mastery_moves = False
        _refold_after_commit(instance.course_id)


@receiver(post_delete, sender=Item, dispatch_uid="attune-review-mastery-item-deleted")
def _on_item_delete(sender, instance: Item, **kwargs):
    _refold_after_commit(instance.course_id)
