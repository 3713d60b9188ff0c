import copy

from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import extensions, privacy, selectors, services, structure
from .conf import app_settings


def _visible_outline(user, slug: str) -> selectors.CourseOutline:
    outline = selectors.visible_outline(user, slug)
    if outline is None:
        raise Http404("No such course among yours.")
    return outline


def _lesson_in_outline(outline, slug: str):
    found = outline.lesson(slug)
    if found is None:
        raise Http404("No such lesson in this course.")
    return found


@login_required
def my_courses(request):
    """The trainee's home: per course the next lesson, then what the other apps add (the quiz to
    pass, reviews due, notifications) through course.extensions' home panels."""
    outlines = selectors.my_courses(request.user)
    panels = extensions.home_panels(request, outlines)
    return render(request, "attune/course/my_courses.html", {"outlines": outlines, "panels": panels})


@login_required
def course_detail(request, course):
    outline = _visible_outline(request.user, course)
    panels = extensions.course_panels(request, outline)
    return render(request, "attune/course/course_detail.html", {"outline": outline, "panels": panels})


@login_required
def module_detail(request, course, module):
    outline = _visible_outline(request.user, course)
    state = outline.module(module)
    if state is None:
        raise Http404("No such module in this course.")
    if state.locked:
        return render(request, "attune/course/module_detail.html", {"outline": outline, "state": state}, status=403)
    panels = extensions.module_panels(request, outline, state)
    context = {"outline": outline, "state": state, "lessons": _module_lessons(outline, state), "panels": panels}
    return render(request, "attune/course/module_detail.html", context)


def _module_lessons(outline, state) -> str:
    """The module's list of lessons: the course's structure and which lessons the trainee has
    completed, so it is rendered once per process, course version, language and pattern of ticks."""
    done = tuple(s.completed for s in state.lessons)
    return structure.fragment(
        outline.course,
        ("module-lessons", state.module.pk, get_script_prefix(), done),
        lambda: render_to_string("attune/course/_module_lessons.html", {"outline": outline, "state": state}),
    )


@login_required
def lesson_detail(request, course, lesson):
    outline = _visible_outline(request.user, course)
    module_state, lesson_state = _lesson_in_outline(outline, lesson)
    if module_state.locked:
        return render(
            request, "attune/course/module_detail.html", {"outline": outline, "state": module_state}, status=403
        )
    services.lesson_open(request.user, lesson_state.lesson)
    lesson = lesson_state.lesson
    # The article (title, objectives, body, terms, references) is the course's alone: rendered once per version.
    article = structure.fragment(
        outline.course, ("lesson-article", lesson.pk), lambda: _lesson_article(outline.course, module_state, lesson)
    )
    previous, following = outline.lesson_neighbours(lesson_state.lesson)
    # From a module's last lesson, "Next" leads through the module's quiz once the lessons are read.
    quiz_next = None
    if following is None or following not in [s.lesson for s in module_state.lessons]:
        quiz_next = extensions.module_next(request, outline, module_state)
    return render(
        request,
        "attune/course/lesson_detail.html",
        {
            "outline": outline,
            "module_state": module_state,
            "lesson_state": lesson_state,
            "lesson": lesson,
            "article": article,
            "previous": previous,
            "next": following,
            "quiz_next": quiz_next,
        },
    )


def _lesson_article(course, module_state, lesson) -> str:
    shown = copy.copy(lesson)  # the cached structure's lesson is shared: never mutate it
    shown.body_html = selectors.lesson_body(course, lesson)
    return render_to_string("attune/course/_lesson_article.html", {"lesson": shown, "module_state": module_state})


@login_required
@require_POST
def lesson_complete(request, course, lesson):
    outline = _visible_outline(request.user, course)
    module_state, lesson_state = _lesson_in_outline(outline, lesson)
    if module_state.locked:
        return render(
            request, "attune/course/module_detail.html", {"outline": outline, "state": module_state}, status=403
        )
    services.lesson_complete(request.user, lesson_state.lesson)
    _, following = outline.lesson_neighbours(lesson_state.lesson)
    if request.POST.get("then") == "next":
        outline = selectors.course_outline(request.user, outline.course)
        module_state = outline.module(module_state.module.slug)
        if following is None or following not in [s.lesson for s in module_state.lessons]:
            quiz_next = extensions.module_next(request, outline, module_state)
            if quiz_next:
                return redirect(quiz_next[0])
    if request.POST.get("then") == "next" and following is not None:
        return redirect("course:lesson", course=course, lesson=following.slug)
    return redirect("course:lesson", course=course, lesson=lesson)


def _locked(request, outline, module_state):
    """The module page with its lock, as a 403: it names what opens the module."""
    context = {"outline": outline, "state": module_state}
    return render(request, "attune/course/module_detail.html", context, status=403)


def _zip_response(user, actor) -> StreamingHttpResponse:
    response = StreamingHttpResponse(privacy.export_stream(user, actor=actor), content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="attune-data-{user.pk}-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_data(request):
    """The trainee's page: download their data, and erase it where the programme allows."""
    return render(
        request,
        "attune/course/account_data.html",
        {"self_erasure": privacy.self_erasure_allowed(), "retention": _retention_days()},
    )


def _retention_days() -> dict[str, int | None]:
    return {kind: app_settings.retention_days(kind) for kind in privacy.retention_kinds()}


@login_required
def account_export(request):
    return _zip_response(request.user, actor=request.user)


@login_required
def staff_export(request, user_id: int):
    # Staff with the export permission only, audited with them as actor; anyone else learns nothing (404).
    if not privacy.may_export_any_account(request.user):
        raise Http404("No such page.")
    subject = get_object_or_404(get_user_model()._default_manager, pk=user_id)
    return _zip_response(subject, actor=request.user)


@login_required
@require_POST
def account_erase(request):
    if not privacy.self_erasure_allowed():
        raise Http404("Self-erasure is not enabled.")
    if request.POST.get("confirm") != request.user.get_username():
        return render(
            request,
            "attune/course/account_data.html",
            {
                "self_erasure": True,
                "retention": _retention_days(),
                "error": _("confirm: type your username to erase your account."),
            },
            status=400,
        )
    user_id = request.user.pk
    logout(request)
    privacy.erase_user(user_id)
    return redirect("login")
