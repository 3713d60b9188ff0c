"""Words for the instructor's screens where the data holds keys: item titles, FSRS ratings (no ORM)."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# Every vignette opens with the client's first name and age ("Idris, 33, a night-shift ..."), and the
# slug's name is not always the client's (m4-withdrawal-priya is Helen), so the title is read from the text.
_NAME_AND_AGE = re.compile(r"\s*([^\W\d_][\w'’-]*),\s*(\d{1,3})\b")
_NAME = re.compile(r"\s*([^\W\d_][\w'’-]*),")

# fsrs.Rating as the review policy sets it from the grade (quizzes.grading.fsrs_rating).
RATINGS = {
    1: (_("Again"), _("weak or harmful reply: the card comes back soon")),
    2: (_("Hard"), _("acceptable reply: the next gap grows a little")),
    3: (_("Good"), _("best reply: the next gap grows")),
    4: (_("Easy"), _("best reply, sure and quick: the next gap grows most")),
}


def client_name(vignette: str) -> str:
    """The client's "Name, age" from the vignette's opening, or "" when it opens otherwise."""
    match = _NAME_AND_AGE.match(vignette or "")
    if match:
        return f"{match.group(1)}, {match.group(2)}"
    match = _NAME.match(vignette or "")
    return match.group(1) if match and match.group(1)[0].isupper() else ""


def item_title(slug: str, vignette: str, skill_name: str = "") -> str:
    """A name an instructor recognises: the client and the skill ("Idris, 33 · Naming a strain");
    the slug only when the vignette names nobody."""
    name = client_name(vignette)
    if not name:
        return f"{skill_name} ({slug})" if skill_name else slug
    return f"{name} · {skill_name}" if skill_name else name


def rating_word(rating: int) -> str:
    return RATINGS.get(rating, (str(rating), ""))[0]


def rating_meaning(rating: int) -> str:
    return RATINGS.get(rating, ("", ""))[1]
