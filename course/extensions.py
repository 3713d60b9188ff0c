"""Hooks through which other apps add to course pages without course importing them.

quizzes registers a module panel in its AppConfig.ready(); course renders whatever is registered.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

ModulePanel = Callable[..., str]  # (request, outline, module_state) -> HTML
_module_panels: list[ModulePanel] = []


def register_module_panel(panel: ModulePanel) -> None:
    if panel not in _module_panels:
        _module_panels.append(panel)


def module_panels(request, outline, state) -> SafeString:
    return mark_safe("".join(panel(request, outline, state) for panel in _module_panels))  # noqa: S308 - templates


CoursePanel = Callable[..., str]  # (request, outline) -> HTML, shown on the course page
_course_panels: list[CoursePanel] = []


def register_course_panel(panel: CoursePanel) -> None:
    if panel not in _course_panels:
        _course_panels.append(panel)


def course_panels(request, outline) -> SafeString:
    return mark_safe("".join(panel(request, outline) for panel in _course_panels))  # noqa: S308 - templates
