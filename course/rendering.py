"""Lesson Markdown to safe HTML. Pure: no ORM."""

import re

import markdown
import nh3

# What a claim's cited evidence is, strongest design first. "consensus" only where a consensus
# process (a Delphi or expert-panel study) is cited; a book's or an author's guidance is "opinion".
EVIDENCE_LEVELS: dict[str, str] = {
    "meta-analysis": "Meta-analysis",
    "rct": "Randomised trial",
    "single-study": "Single study",
    "review": "Review",
    "consensus": "Expert consensus",
    "opinion": "Expert opinion",
}
EVIDENCE_LABEL = re.compile(r"\{evidence=([a-z-]+)\}")

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_CLASSES = {"span": {"evidence", *(f"evidence--{level}" for level in EVIDENCE_LEVELS)}}


def evidence_labels(text: str) -> list[str]:
    """Every evidence label used in a lesson body, in order (valid or not)."""
    return EVIDENCE_LABEL.findall(text)


def _label_html(match: re.Match) -> str:
    level = match.group(1)
    name = EVIDENCE_LEVELS.get(level)
    if name is None:
        return match.group(0)
    return f'<span class="evidence evidence--{level}">{name}</span>'


def render_markdown(text: str) -> str:
    """Render lesson Markdown, then sanitise: scripts, handlers and javascript: links never survive."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    html = EVIDENCE_LABEL.sub(_label_html, html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
