"""What may go into a mail header: checked on every value, and on the message as sent."""

from __future__ import annotations

import re

from ..participants.lists import has_control_character, has_line_break

ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bqBQ]\?[^?\s]*\?=")


def header_value_problem(value: str) -> str | None:
    """Why ``value`` may not go into a mail header: a line break, a control character, or
    an RFC 2047 encoded word (which a mail program would decode into anything at all)."""
    if has_line_break(value):
        return "bevat een regeleinde"
    if has_control_character(value):
        return "bevat een stuurteken"
    if ENCODED_WORD.search(value):
        return "bevat een gecodeerd woord (=?…?=)"
    return None
