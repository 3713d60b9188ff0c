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


HomePanel = Callable[..., str]  # (request, outlines) -> HTML, shown on the trainee's home (my courses)
_home_panels: list[HomePanel] = []


def register_home_panel(panel: HomePanel) -> None:
    if panel not in _home_panels:
        _home_panels.append(panel)


def home_panels(request, outlines) -> SafeString:
    return mark_safe("".join(panel(request, outlines) for panel in _home_panels))  # noqa: S308 - templates


# (request, outline, module_state) -> (url, label) or None: where "Next" leads from a module's last
# lesson once its lessons are done (quizzes points it at the module's quiz).
ModuleNext = Callable[..., tuple[str, str] | None]
_module_next: list[ModuleNext] = []


def register_module_next(hook: ModuleNext) -> None:
    if hook not in _module_next:
        _module_next.append(hook)


def module_next(request, outline, state) -> tuple[str, str] | None:
    for hook in _module_next:
        found = hook(request, outline, state)
        if found:
            return found
    return None
