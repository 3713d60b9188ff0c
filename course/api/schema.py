"""The OpenAPI schema names every response an operation can give, errors included.

DRF answers 400, 401, 403, 404, 409 and 429 with one of two bodies: `{"detail": "..."}`, or for a
validation error the fields mapped to their messages. drf-spectacular documents only what a view
declares, so this AutoSchema adds the error responses that the view's own setup makes possible:
401 wherever a credential can be sent, 403 behind a permission (and the CSRF check on unsafe
methods), 400 where there is a body, 404 where the path names something, 429 under a throttle
(or where the view names it in `error_codes`, as the token view does for the login lockout).
A response a view declares itself wins; one declared without a body gets the error body.

Use it with REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "course.api.schema.AutoSchema".
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import inline_serializer
from rest_framework import permissions, serializers

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

ErrorSerializer = inline_serializer(
    "Error",
    fields={"detail": serializers.CharField(help_text="Why the request was refused, safe to show.")},
)
# Field name (or non_field_errors) -> messages; a nested field or a list item nests the same shape.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Each invalid field mapped to its messages (a nested field or list item nests the same "
    'shape); an unreadable body gives {"detail": "..."} instead.',
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}
DESCRIPTIONS = {
    "400": "The input is invalid.",
    "401": "No valid credential: log in or send `Authorization: Token <key>`.",
    "403": "Not allowed: the permission is missing, the module is locked, or the CSRF check failed.",
    "404": "Nothing of that id among yours.",
    "409": "The request does not fit the current state.",
    "429": "Too many requests: wait and try again.",
}


# DRF's CharField refuses NUL and (trimming whitespace) a blank-only string
# unless allow_blank: the patterns say so, so a client can tell a valid string from the schema.
# (Lone surrogates are refused too, but a surrogate range is no valid class for every regex engine.)
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        plain = isinstance(field, serializers.CharField) and not isinstance(field, serializers.ChoiceField)
        if direction == "request" and plain and schema.get("type") == "string" and "pattern" not in schema:
            blank_ok = field.allow_blank
            schema["pattern"] = NO_NUL if blank_ok or not field.trim_whitespace else NOT_BLANK
            if not blank_ok:
                schema["minLength"] = max(schema.get("minLength", 0), 1)
        return schema

    def _error_codes(self) -> list[str]:
        view = self.view
        codes = ["401"]
        perms = view.get_permissions() if hasattr(view, "get_permissions") else []
        if any(not isinstance(p, permissions.AllowAny) for p in perms) or self.method not in SAFE_METHODS:
            codes.append("403")
        if self.method not in SAFE_METHODS:  # a GET that validates its query declares its own 400
            codes.append("400")
        if "{" in self.path:
            codes.append("404")
        if (hasattr(view, "get_throttles") and view.get_throttles()) or "429" in getattr(view, "error_codes", ()):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(code, {"description": DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                body = (
                    VALIDATION_ERROR_SCHEMA
                    if code == "400"
                    else self.resolve_serializer(ErrorSerializer, "response").ref
                )
                response["content"] = {"application/json": {"schema": body}}
                response["description"] = response.get("description") or DESCRIPTIONS.get(code, "")
        return dict(sorted(responses.items()))
