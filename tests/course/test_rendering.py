import pytest

from course.rendering import evidence_labels, render_markdown


def test_script_tags_are_removed():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html and "world" in html


def test_javascript_links_lose_their_href():
    html = render_markdown('[click](javascript:alert(1)) and <a href="JaVaScRiPt:alert(2)">this</a>')
    assert "javascript" not in html.lower()
    assert "click" in html and "this" in html


def test_event_handlers_and_images_are_removed():
    html = render_markdown('<img src=x onerror="alert(1)"><p onclick="steal()">hi</p>')
    assert "onerror" not in html and "onclick" not in html and "<img" not in html


def test_safe_links_and_formatting_survive():
    html = render_markdown("**Bold** and [a study](https://doi.org/10.1037/pst0000172)")
    assert "<strong>Bold</strong>" in html
    assert 'href="https://doi.org/10.1037/pst0000172"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    ("level", "badge"),
    [
        ("meta-analysis", "Meta-analysis"),
        ("rct", "Randomised trial"),
        ("single-study", "Single study"),
        ("review", "Review"),
        ("consensus", "Expert consensus"),
        ("opinion", "Expert opinion"),
    ],
)
def test_evidence_labels_render_as_badges(level, badge):
    html = render_markdown(f"The alliance predicts outcome. {{evidence={level}}}")
    assert f'<span class="evidence evidence--{level}">{badge}</span>' in html


@pytest.mark.parametrize("level", ["meta-analytic", "trial"])
def test_retired_evidence_labels_are_not_rendered_as_badges(level):
    html = render_markdown(f"A claim. {{evidence={level}}}")
    assert f"{{evidence={level}}}" in html and "<span" not in html


def test_unknown_evidence_label_stays_visible_text_and_classes_cannot_be_injected():
    html = render_markdown('{evidence=hunch} <span class="evidence evil">x</span>')
    assert "{evidence=hunch}" in html
    assert "evil" not in html


def test_evidence_labels_are_listed():
    assert evidence_labels("a {evidence=rct} b {evidence=single-study} c {evidence=opinion}") == [
        "rct",
        "single-study",
        "opinion",
    ]
