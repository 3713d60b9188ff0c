"""`{% teaches_any as flag %}`: whether to show the "Teaching" link in base.html's nav.

Read from the session (set at login, refreshed by every instructor page), so the nav adds no
query to other pages; access itself is never decided by this flag."""

from django import template

from ..signals import SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def teaches_any(context) -> bool:
    request = context.get("request")
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))
