from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import extensions, selectors, services
from .models import Course


def _visible_course(user, slug: str) -> Course:
    return get_object_or_404(selectors.courses_visible_to(user), slug=slug)


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
    outline = selectors.course_outline(request.user, _visible_course(request.user, course))
    panels = extensions.course_panels(request, outline)
    return render(request, "attune/course/course_detail.html", {"outline": outline, "panels": panels})


@login_required
def module_detail(request, course, module):
    outline = selectors.course_outline(request.user, _visible_course(request.user, course))
    state = outline.module(module)
    if state is None:
        raise Http404("No such module in this course.")
    if state.locked:
        return render(request, "attune/course/module_detail.html", {"outline": outline, "state": state}, status=403)
    panels = extensions.module_panels(request, outline, state)
    return render(request, "attune/course/module_detail.html", {"outline": outline, "state": state, "panels": panels})


@login_required
def lesson_detail(request, course, lesson):
    outline = selectors.course_outline(request.user, _visible_course(request.user, course))
    module_state, lesson_state = _lesson_in_outline(outline, lesson)
    if module_state.locked:
        return render(
            request, "attune/course/module_detail.html", {"outline": outline, "state": module_state}, status=403
        )
    services.lesson_open(request.user, lesson_state.lesson)
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
            "lesson": lesson_state.lesson,
            "previous": previous,
            "next": following,
            "quiz_next": quiz_next,
        },
    )


@login_required
@require_POST
def lesson_complete(request, course, lesson):
    outline = selectors.course_outline(request.user, _visible_course(request.user, course))
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
