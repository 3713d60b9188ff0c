"""`{% unread_notifications as n %}`: the unread count in base.html's navigation.

One indexed COUNT per page for a signed-in user, kept on the request so that the home page's
notifications panel reuses it rather than counting again."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return selectors.unread_count_for_request(request)
