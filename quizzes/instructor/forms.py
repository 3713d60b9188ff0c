"""Instructors' input: a reflection's rubric scores and comment, and the dashboard's query
parameters. The API's serializers use the same rules (rubric_scores, DashboardQueryForm)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from .. import validators
from . import rules

COMMENT_LIMIT = 2000
RUBRIC_MAX = 2
SCORE_TEXTS = {str(n) for n in range(RUBRIC_MAX + 1)}


def rubric_scores(rubric: list[str], scores) -> dict[str, int]:
    """One whole number 0-2 for every criterion of the rubric, keyed by the criterion's text.
    Only the exact digits count: str.isdigit() accepts '²' and 5,000-digit strings, int() does not."""
    if not isinstance(scores, dict):
        raise ValidationError(gettext("must map each rubric criterion to a score of 0, 1 or 2."))
    unknown = sorted(set(scores) - set(rubric))
    if unknown:
        raise ValidationError(gettext("not criteria of this rubric: %(names)s.") % {"names": ", ".join(unknown)})
    missing = [c for c in rubric if c not in scores]
    if missing:
        raise ValidationError(gettext("missing a score for: %(names)s.") % {"names": ", ".join(missing)})
    cleaned = {}
    for criterion in rubric:
        value = scores[criterion]
        if isinstance(value, str) and value in SCORE_TEXTS:
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RUBRIC_MAX:
            raise ValidationError(gettext("'%(criterion)s' must be 0, 1 or 2.") % {"criterion": criterion})
        cleaned[criterion] = value
    return cleaned


class RubricScoresWidget(forms.Widget):
    """The page posts one `score-<index>` per criterion; the field sees them as one mapping."""

    def __init__(self, rubric, attrs=None):
        super().__init__(attrs)
        self.rubric = rubric

    def value_from_datadict(self, data, files, name):
        if not isinstance(data, QueryDict) and name in data:  # the API or a caller gives the mapping itself
            return data[name]
        posted = {criterion: data.get(f"score-{index}", "") for index, criterion in enumerate(self.rubric)}
        return {criterion: value for criterion, value in posted.items() if value != ""}


class RubricScoresField(forms.Field):
    def __init__(self, rubric, **kwargs):
        self.rubric = rubric
        super().__init__(widget=RubricScoresWidget(rubric), required=False, **kwargs)

    def clean(self, value):
        return rubric_scores(self.rubric, value) if self.rubric else {}


class ReflectionScoreForm(forms.Form):
    comment = validators.text_field(COMMENT_LIMIT, required=False)

    def __init__(self, rubric: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric_scores"] = RubricScoresField(list(rubric))
        self.rubric = list(rubric)

    def clean(self):
        data = super().clean()
        if not self.rubric and not data.get("comment") and "comment" not in self.errors:
            self.add_error("comment", gettext("must not be empty when the quiz has no rubric to score."))
        return data


class PageField(forms.IntegerField):
    def to_python(self, value):
        # A short ASCII number only: int() refuses 5,000 digits, and '²' passes str.isdigit().
        if isinstance(value, str) and (len(value) > 6 or not value.isascii()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


PAGE_ERROR = gettext_lazy("must be a whole number from 1.")


class DashboardQueryForm(forms.Form):
    """The dashboard's filters, order and page (GET parameters); `query` once valid."""

    q = forms.CharField(
        max_length=100,
        required=False,
        validators=[validators.no_surrogates],
        error_messages={
            "max_length": gettext_lazy("must be at most 100 characters of text."),
            "null_characters_not_allowed": gettext_lazy("must be at most 100 characters of text."),
        },
    )
    risk = forms.CharField(required=False)
    module = forms.CharField(required=False)
    status = forms.CharField(required=False)
    sort = forms.CharField(required=False)
    page = PageField(
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"), gettext_lazy("must be a whole number from 1.")
        ),
    )

    def __init__(self, data, module_slugs: set[str], **kwargs):
        super().__init__(data, **kwargs)
        self.module_slugs = module_slugs
        self.query: rules.DashboardQuery | None = None

    def clean_risk(self):
        risk = self.cleaned_data["risk"]
        if risk not in rules.RISK_FILTERS:
            raise ValidationError(
                gettext("must be one of %(names)s (or empty).")
                % {"names": ", ".join(r for r in rules.RISK_FILTERS if r)}
            )
        return risk

    def clean_module(self):
        module = self.cleaned_data["module"]
        if module and module not in self.module_slugs:
            raise ValidationError(gettext("is not a module of this cohort's course."))
        return module

    def clean_status(self):
        status = self.cleaned_data["status"]
        status = rules.STATUS_ALIASES.get(status, status)
        if status and status not in rules.STATUSES:
            raise ValidationError(gettext("must be one of: %(names)s.") % {"names": ", ".join(rules.STATUSES)})
        return status

    def clean_sort(self):
        sort = self.cleaned_data["sort"] or "name"
        if sort.lstrip("-") not in rules.SORTS:
            raise ValidationError(
                gettext("must be one of %(names)s, optionally prefixed with '-' for descending.")
                % {"names": ", ".join(rules.SORTS)}
            )
        return sort

    def clean(self):
        data = super().clean()
        if data.get("status") and not self.data.get("module"):
            self.add_error("status", gettext("needs a module (the status is a module's status)."))
        if not self.errors:
            sort = data["sort"]
            self.query = rules.DashboardQuery(
                q=data["q"],
                risk=data["risk"],
                module=data["module"],
                status=data["status"],
                sort=sort.lstrip("-"),
                descending=sort.startswith("-"),
                page=data["page"] or 1,
            )
        return data
