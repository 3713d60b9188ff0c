import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from course.models import ModuleResult
from quizzes import selectors, services
from quizzes.models import Answer, Attempt, FreeReply, Item
from quizzes.services import Conflict
from tests.conftest import UserFactory, enroll

pytestmark = pytest.mark.django_db


def play(attempt, path=("a", "a"), mira="b"):
    """Answer Priya (write first, then the given path) and Mira."""
    services.attempt_write_reply(attempt, "priya", "How did the plan really land for you?")
    step = ""
    for option_id in path:
        services.attempt_answer(attempt, "priya", step, option_id, 3)
        attempt.refresh_from_db()
        step = attempt.step_path
    services.attempt_answer(attempt, "mira", "", mira, 4, seconds=8.5)
    attempt.refresh_from_db()
    return attempt


def test_start_then_resume_returns_the_same_open_attempt(quiz, trainee):
    first, created = services.attempt_start(trainee, quiz)
    again, created_again = services.attempt_start(trainee, quiz)
    assert created and not created_again and first.pk == again.pk
    assert first.item_ids == list(Item.objects.order_by("order").values_list("pk", flat=True))


def test_database_allows_one_open_attempt_per_trainee_and_quiz(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(user=trainee, quiz=quiz, seed=1, item_ids=attempt.item_ids, started_at=timezone.now())


def test_write_first_item_needs_the_free_reply_before_options(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    assert selectors.current_step(attempt).phase == "write"
    assert selectors.current_step(attempt).options is None
    with pytest.raises(Conflict, match="Write your own reply"):
        services.attempt_answer(attempt, "priya", "", "a", 3)
    services.attempt_write_reply(attempt, "priya", "  What happened with the plan?  ")
    assert FreeReply.objects.get(attempt=attempt).text == "What happened with the plan?"
    step = selectors.current_step(attempt)
    assert step.phase == "choose" and {o["id"] for o in step.options} == {"a", "b", "c", "d"}


def test_options_are_shuffled_per_attempt_and_stable_on_reload(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "Hm.")
    order = [o["id"] for o in selectors.current_step(attempt).options]
    assert order == [o["id"] for o in selectors.current_step(attempt).options]


def test_branch_step_shows_the_clients_next_line_and_its_options(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "Can we pause on the plan?")
    outcome = services.attempt_answer(attempt, "priya", "", "a", 3)
    assert outcome.next_step["client_reply"].startswith("Honestly?")
    attempt.refresh_from_db()
    step = selectors.current_step(attempt)
    assert step.step_path == "a" and step.client_line.startswith("Honestly?")
    assert {o["id"] for o in step.options} == {"a", "b", "c"}
    assert step.previous_lines[0]["you"] == "Reply a"


def test_a_pick_without_branch_moves_to_the_next_item(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "Okay.")
    outcome = services.attempt_answer(attempt, "priya", "", "c", 2)
    assert outcome.next_step is None and outcome.best["id"] == "a" and outcome.chosen["grade"] == 1
    attempt.refresh_from_db()
    assert (attempt.position, attempt.step_path) == (1, "")


def test_finishing_scores_records_module_result_and_version(quiz, trainee):
    attempt = play(services.attempt_start(trainee, quiz)[0])
    assert attempt.status == Attempt.COMPLETED and attempt.score == 1.0 and attempt.passed
    assert set(Answer.objects.filter(attempt=attempt).values_list("item_version", flat=True)) == {1}
    result = ModuleResult.objects.get(user=trainee, module=quiz.module)
    assert result.best_score == 1.0 and result.passed_at is not None
    summary = selectors.attempt_result(attempt)
    assert summary.by_skill["rupture.withdrawal.notice"].steps == 2
    assert summary.by_dimension["rupture_repair"].shown == 1


def test_a_harmful_pick_fails_the_attempt(quiz, trainee):
    attempt = play(services.attempt_start(trainee, quiz)[0], path=("a", "c"))
    assert attempt.passed is False
    assert ModuleResult.objects.get(user=trainee, module=quiz.module).passed_at is None


def test_retake_allowed_and_the_best_attempt_counts(quiz, trainee):
    good = play(services.attempt_start(trainee, quiz)[0])
    retake, created = services.attempt_start(trainee, quiz)
    assert created and retake.pk != good.pk
    play(retake, path=("d",), mira="a")
    result = ModuleResult.objects.get(user=trainee, module=quiz.module)
    assert result.best_score == 1.0 and result.passed_at is not None
    assert selectors.best_attempt(trainee, quiz).pk == good.pk
    assert Attempt.objects.filter(user=trainee, quiz=quiz).count() == 2


def test_not_the_current_step_is_a_conflict(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    with pytest.raises(Conflict, match="not the attempt's current step"):
        services.attempt_answer(attempt, "mira", "", "b", 3)
    services.attempt_write_reply(attempt, "priya", "x")
    with pytest.raises(Conflict, match="not the attempt's current step"):
        services.attempt_answer(attempt, "priya", "a", "a", 3)


def test_option_of_another_step_is_invalid_and_names_the_field(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "x")
    with pytest.raises(ValidationError) as excinfo:
        services.attempt_answer(attempt, "priya", "", "z", 3)
    assert "option" in excinfo.value.message_dict
    assert not Answer.objects.exists()


def test_unknown_item_and_bad_confidence_name_their_fields(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    with pytest.raises(ValidationError) as excinfo:
        services.attempt_answer(attempt, "nobody", "", "a", 3)
    assert "item" in excinfo.value.message_dict
    for bad in (0, 5, "3", None, True):
        with pytest.raises(ValidationError) as excinfo:
            services.attempt_answer(attempt, "priya", "", "a", bad)
        assert "confidence" in excinfo.value.message_dict


def test_the_same_answer_twice_is_stored_once_and_answers_the_same(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "x")
    first = services.attempt_answer(attempt, "priya", "", "b", 3)
    stale = Attempt.objects.get(pk=attempt.pk)
    second = services.attempt_answer(attempt, "priya", "", "b", 3)
    assert second.repeated and second.answer.pk == first.answer.pk and second.chosen == first.chosen
    assert services.attempt_answer(stale, "priya", "", "b", 3).answer.pk == first.answer.pk
    with pytest.raises(Conflict, match="already answered"):
        services.attempt_answer(attempt, "priya", "", "a", 3)
    assert Answer.objects.filter(attempt=attempt).count() == 1


def test_a_closed_attempt_refuses_new_answers(quiz, trainee):
    attempt = play(services.attempt_start(trainee, quiz)[0])
    with pytest.raises(Conflict, match="closed"):
        services.attempt_answer(attempt, "priya", "a.a", "a", 3)
    with pytest.raises(Conflict, match="closed"):
        services.attempt_write_reply(attempt, "priya", "late")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "must not be empty"), ("   ", "must not be empty"), ("a\x00b", "NUL"), ("x" * 2001, "at most 2000")],
)
def test_free_reply_text_is_checked(quiz, trainee, text, message):
    attempt, _ = services.attempt_start(trainee, quiz)
    with pytest.raises(ValidationError) as excinfo:
        services.attempt_write_reply(attempt, "priya", text)
    assert message in str(excinfo.value.message_dict["text"])
    assert not FreeReply.objects.exists()


def test_free_reply_twice_is_idempotent_but_cannot_be_changed(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    services.attempt_write_reply(attempt, "priya", "same")
    services.attempt_write_reply(attempt, "priya", "same")
    with pytest.raises(Conflict, match="already written"):
        services.attempt_write_reply(attempt, "priya", "different")


def test_reflection_needs_a_finished_attempt_and_can_be_edited(quiz, trainee):
    attempt, _ = services.attempt_start(trainee, quiz)
    with pytest.raises(Conflict, match="Finish the quiz"):
        services.reflection_save(attempt, "Too early", False)
    play(attempt)
    reflection = services.reflection_save(attempt, "I rushed past her 'fine'.", False)
    edited = services.reflection_save(attempt, "I rushed past her 'fine' again.", True)
    assert edited.pk == reflection.pk and edited.shared and "again" in edited.text
    with pytest.raises(ValidationError) as excinfo:
        services.reflection_save(attempt, "x" * 5001, True)
    assert "text" in excinfo.value.message_dict


def test_reflection_privacy_author_and_shared_instructors_only(quiz, trainee, instructor, other_instructor):
    attempt = play(services.attempt_start(trainee, quiz)[0])
    reflection = services.reflection_save(attempt, "private thoughts", False)
    classmate = enroll(UserFactory(username="classmate"), trainee.cohorts.get())
    readable = selectors.reflections_readable_by
    assert readable(trainee).filter(pk=reflection.pk).exists()
    for viewer in (instructor, other_instructor, classmate):
        assert not readable(viewer).filter(pk=reflection.pk).exists()
    services.reflection_save(attempt, "private thoughts", True)
    assert readable(instructor).filter(pk=reflection.pk).exists()
    for viewer in (other_instructor, classmate):
        assert not readable(viewer).filter(pk=reflection.pk).exists()
    trainee.cohorts.get().instructors.remove(instructor)
    assert not readable(instructor).filter(pk=reflection.pk).exists()
