"""Rows in PostgreSQL's COPY text format, so the benchmark can load millions of rows quickly.

``bulk_create`` builds a model instance and adapts every value of every row in Python; at ten
times the dataset (2,000,000 answers) that alone takes many minutes. COPY streams
tab-separated lines that PostgreSQL parses itself. These functions are pure: they turn Python
values into COPY text and know nothing of the database.
"""

from __future__ import annotations

import datetime
import json

# COPY text format: backslash escapes, one row per line, tab between columns, \N for NULL.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopyText(str):
    """A field already in COPY text format: written as it is, not escaped again."""


def json_field(value) -> CopyText:
    """``value`` serialised as JSON and escaped for COPY once, to be written in many rows."""
    return CopyText(json.dumps(value).translate(_ESCAPES))


def copy_value(value) -> str:
    """One Python value as a COPY text field (``None`` is NULL, booleans ``t``/``f``)."""
    if value is None:
        return "\\N"
    if isinstance(value, CopyText):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: COPY would read it in the server's time zone")
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).translate(_ESCAPES)


def copy_line(values) -> str:
    """One row (an iterable of Python values) as a COPY text line, newline included."""
    return "\t".join(copy_value(value) for value in values) + "\n"
