"""Hooks through which other apps add to the quizzes' pages without quizzes importing them.

Review registers a panel under each answer's feedback (the one-tap "how hard was it" reaction).
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

FeedbackPanel = Callable[..., str]  # (request, item) -> HTML
_feedback_panels: list[FeedbackPanel] = []


def register_feedback_panel(panel: FeedbackPanel) -> None:
    if panel not in _feedback_panels:
        _feedback_panels.append(panel)


def feedback_panels(request, item) -> SafeString:
    return mark_safe("".join(panel(request, item) for panel in _feedback_panels))  # noqa: S308 - templates
