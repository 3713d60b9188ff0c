"""DRF's token authentication with an expiry: the class to name in REST_FRAMEWORK."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .tokens import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """A token older than ATTUNE_API_TOKEN_TTL_HOURS gets 401; POST /api/v1/auth/token/ issues a new one."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("Token expired: post your username and password to the token endpoint for a new one.")
            )
        return user, token
