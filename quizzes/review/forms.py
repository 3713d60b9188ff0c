"""Page input of spaced review (rules shared with the API in quizzes.validators)."""

from django import forms

from .. import validators


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
