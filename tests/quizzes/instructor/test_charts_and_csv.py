"""Charts that read: whole labels, figures in the squares, a trend line, and a caution on small samples."""

import re
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from course.models import Cohort
from quizzes.instructor import charts
from tests.conftest import UserFactory, enroll
from tests.quizzes.instructor.conftest import GOOD, HARMFUL, play


def test_heat_map_writes_whole_labels_and_each_figure():
    svg = charts.heat_map(
        ["Bartholomew Featherstonehaugh"],
        ["Immediacy: speaking to what happens between us", "Warmth"],
        {(0, 0): 0.666, (0, 1): None},
        chart_id="skills",
        title="t",
    )
    assert ">Bartholomew Featherstonehaugh</text>" in svg
    labels = re.findall(r'rotate\(-45\)" aria-hidden="true">([^<]*)</text>', svg)
    assert labels == ["Immediacy: speaking to what happens between us", "Warmth"]  # whole, never cut
    figures = re.findall(r'font-size="12" aria-hidden="true">([^<]*)</text>', svg)
    assert figures == ["67", "–"]
    assert 'font-size="13"' in svg and "chart--natural" in svg


def test_completion_chart_carries_the_share_across_days(client, cohort, quiz, trainee, instructor):
    Cohort.objects.filter(pk=cohort.pk).update(start_date=timezone.localdate() - timedelta(days=9))
    play(trainee, quiz, GOOD)
    client.force_login(instructor)
    response = client.get(reverse("quizzes_instructor:charts", args=[cohort.pk]))
    completion = response.context["completion"]
    passed = completion["Module quizzes passed"]
    assert len(passed) == 10 and passed[0] == (timezone.localdate() - timedelta(days=9), 0.0)
    assert passed[-1] == (timezone.localdate(), 1.0)
    # The table lists the days the share moved (and the first and last), not all ten.
    changes = dict(response.context["completion_changes"])["Module quizzes passed"]
    assert [share for _, share in changes] == [0.0, 1.0]
    svg = response.context["completion_chart"]
    assert svg.count('text-anchor="middle" aria-hidden="true">') >= 5  # dated ticks along the axis


def test_date_ticks_span_the_range():
    ticks = charts.date_ticks(date(2026, 1, 1), date(2026, 1, 31))
    assert ticks[0] == date(2026, 1, 1) and ticks[-1] == date(2026, 1, 31) and len(ticks) == 6


@override_settings(ATTUNE_SMALL_SAMPLE_ATTEMPTS=3)
def test_item_analysis_cautions_below_the_setting_and_names_items(client, cohort, quiz, trainee, instructor):
    quiz.items.filter(slug="tomas").update(vignette="Tomás, 44, a site foreman, came after his business failed.")
    play(trainee, quiz, GOOD)
    play(enroll(UserFactory(username="b1"), cohort), quiz, HARMFUL)
    client.force_login(instructor)
    url = reverse("quizzes_instructor:item_analysis", args=[cohort.pk, quiz.pk])
    html = client.get(url).content.decode()
    assert "Caution: these figures rest on 2 completed attempts, fewer than 3" in html
    assert '<a href="#item-tomas">Tomás, 44 · Repairing a confrontation rupture</a>' in html
    quizzes_html = client.get(reverse("quizzes_instructor:quizzes", args=[cohort.pk])).content.decode()
    assert '2 <span class="caution">(few: read with caution)</span>' in quizzes_html
    play(enroll(UserFactory(username="b2"), cohort), quiz, HARMFUL)
    assert 'data-testid="small-sample"' not in client.get(url).content.decode()


@pytest.mark.parametrize("share, expected", [(0.0, "#f4a596"), (1.0, "#96d4a5"), (None, charts.NO_ANSWER)])
def test_heat_colours_stay_pale_for_dark_figures(share, expected):
    assert charts._colour(share) == expected
