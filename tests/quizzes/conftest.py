import pytest

from course.models import Module
from quizzes.models import Item, Quiz


def option(option_id, grade, text=None, **extra):
    return {
        "id": option_id,
        "text": text or f"Reply {option_id}",
        "grade": grade,
        "rationale": f"Why {option_id} is graded {grade}.",
        "dimensions": extra.pop("dimensions", {}),
        **extra,
    }


BRANCHING_STEPS = {
    "options": [
        option(
            "a",
            3,
            dimensions={"rupture_repair": "shows"},
            next={
                "client_reply": "Honestly? It felt like I was your project.",
                "options": [option("a", 3, dimensions={"empathy": "shows"}), option("b", 1), option("c", 0)],
            },
        ),
        option("b", 2),
        option("c", 1),
        option("d", 0, dimensions={"warmth": "breaks"}),
    ]
}
SIMPLE_STEPS = {"options": [option("a", 0), option("b", 3), option("c", 2)]}


@pytest.fixture
def quiz(course_with_lessons):
    module = Module.objects.get(course=course_with_lessons, slug="first")
    module.quiz_required = True
    module.save()
    quiz = Quiz.objects.create(module=module, reflection_prompt="What did you notice?")
    Item.objects.create(
        course=course_with_lessons,
        quiz=quiz,
        slug="priya",
        order=1,
        skill="rupture.withdrawal.notice",
        isomorph_group="rupture.withdrawal.notice",
        difficulty="intermediate",
        write_first=True,
        vignette="Priya, 34, low since being made redundant.",
        client_statement="Yeah, the plan was fine.",
        steps=BRANCHING_STEPS,
    )
    Item.objects.create(
        course=course_with_lessons,
        quiz=quiz,
        slug="mira",
        order=2,
        skill="here_and_now.immediacy",
        isomorph_group="here_and_now.immediacy",
        difficulty="intermediate",
        vignette="Mira, 28.",
        client_statement="You must be so bored of me.",
        steps=SIMPLE_STEPS,
    )
    return quiz
