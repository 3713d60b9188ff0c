"""Page input of the quizzes app: one field per value turns the posted text into a value and
names itself in the error (rules shared with the API in quizzes.validators)."""

from django import forms

from . import validators
from .models import TEXT_LIMITS


class ReplyForm(forms.Form):
    """A trainee's own reply to a write-first item, before its options are shown."""

    item = forms.CharField(max_length=100)
    text = validators.text_field(TEXT_LIMITS["free_reply"])


class AnswerForm(forms.Form):
    item = forms.CharField(max_length=100)
    step = forms.CharField(max_length=32, required=False)
    option = forms.CharField(max_length=8)
    confidence = validators.confidence_field()
    seconds = validators.MeasuredSecondsField()


class ReflectionForm(forms.Form):
    text = validators.text_field(TEXT_LIMITS["reflection"])
    shared = forms.BooleanField(required=False)


class ReplayForm(forms.Form):
    """The choices of a replay so far, as option ids joined by dots ("a.c")."""

    path = forms.RegexField(regex=r"^([A-Za-z0-9]{1,8}(\.[A-Za-z0-9]{1,8}){0,15})?$", max_length=140, required=False)
