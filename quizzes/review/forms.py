"""Page input of spaced review (rules shared with the API in quizzes.validators)."""

from django import forms

from .. import validators
from . import levels


class ReviewAnswerForm(forms.Form):
    card = forms.CharField(required=False)
    key = forms.CharField(max_length=100, required=False)
    option = forms.CharField(max_length=8, required=False)
    confidence = validators.confidence_field()
    seconds = validators.MeasuredSecondsField()
    review_id = forms.CharField(max_length=64, required=False)

    def clean_card(self) -> int | None:
        """The card's id, or None ('²', 30 digits: no such card, a 404 rather than an error)."""
        return validators.row_id(self.cleaned_data["card"])


class ReactionForm(forms.Form):
    """The one-tap reaction under an answer's feedback: how hard the client felt."""

    item = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    reaction = forms.ChoiceField(choices=[(r, r) for r in levels.REACTIONS])
    next = forms.CharField(max_length=300, required=False)


class PracticeForm(forms.Form):
    """An answer to practice ahead: unscored, so no confidence or timing is asked for."""

    card = forms.CharField(required=False)
    key = forms.CharField(max_length=100, required=False)
    option = forms.CharField(max_length=8, required=False)

    def clean_card(self) -> int | None:
        return validators.row_id(self.cleaned_data["card"])


class AheadForm(forms.Form):
    """?after=<card id>: where a run of practice ahead goes on from."""

    after = forms.CharField(required=False)

    def clean_after(self) -> int | None:
        return validators.row_id(self.cleaned_data["after"])


class UndoForm(forms.Form):
    review_id = forms.UUIDField(error_messages={"invalid": "must be the id of your latest review."})
