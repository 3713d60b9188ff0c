"""A JSON parser that refuses deep nesting before it decodes.

Python's json decoder recurses once per bracket: about 1,000 nested brackets raise RecursionError,
a 500 on any endpoint that reads a body, even the anonymous token endpoint. No Attune payload nests
deeper than a few levels, so the body is scanned first (linear, strings skipped) and refused with a
400 that names the problem."""

import io
import re
from itertools import accumulate

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_DEPTH = 32

# Each step is one C-level pass over the body, linear whatever it holds: escapes first (so every
# quote left is a real one), then strings, then everything but brackets.
_ESCAPE = re.compile(r"\\.", re.S)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How deep brackets outside strings nest. Malformed input may count a little off; the decoder
    refuses it anyway."""
    text = _STRING.sub("", _ESCAPE.sub("", text))
    brackets = _NOT_BRACKET.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    if text.count("[") + text.count("{") <= limit:  # most bodies: too few brackets to nest that deep
        return False
    return nesting_depth(text) > limit


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read() if stream is not None else b""
        encoding = get_encoding(parser_context or {})  # DRF's: refuses non-text codecs
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if nesting_depth_exceeds(text):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels of brackets.")
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except RecursionError:  # a backstop; the scan above refuses such input first
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels of brackets.") from None
