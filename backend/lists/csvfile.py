"""Reading an import's CSV: the header (an email column, plus first_name, last_name, phone
and any trait columns), then each row checked. Row numbers are the spreadsheet's: the
header is row 1, the first person row 2."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from backend.errors import Invalid

MAX_VALUE = 255  # characters of a trait value
MAX_EMAIL = 320  # RFC 5321's limit, and the profiles column's
MAX_COLUMN = 100  # characters of a column name
MAX_COLUMNS = 100
# Enough to refuse what cannot be delivered (spaces, no dot in the domain, two @s);
# whether the address exists only sending tells.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
EMAIL = re.compile(rf"[^@\s\"(),:;<>\[\]\\]+@{_LABEL}(?:\.{_LABEL})+")
ALIASES = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "email_address": "email",
    "first_name": "first_name",
    "first name": "first_name",
    "firstname": "first_name",
    "last_name": "last_name",
    "last name": "last_name",
    "lastname": "last_name",
    "phone": "phone",
    "phone_number": "phone",
    "phone number": "phone",
}


@dataclass(frozen=True)
class Header:
    columns: list[str]  # the name of each column, known ones normalised
    delimiter: str


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(
            problems=["file: must be UTF-8 text (in a spreadsheet: save as CSV UTF-8)"]
        ) from None


def _delimiter(first_line: str) -> str:
    return max((",", ";", "\t"), key=first_line.count)


def header(text: str) -> Header:
    """The file's columns; Invalid naming what is wrong with them."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise Invalid(
            problems=["file: is empty; its first row names the columns (email, first_name, ...)"]
        )
    delimiter = _delimiter(first_line)
    names = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    problems, columns = [], []
    for i, raw in enumerate(names, start=1):
        name = raw.strip()
        key = ALIASES.get(name.lower(), name)
        if not name:
            problems.append(f"columns: column {i} has no name")
        elif len(name) > MAX_COLUMN:
            problems.append(f"columns: column {i}'s name is over {MAX_COLUMN} characters")
        elif key in columns:
            problems.append(f'columns: "{name}" appears twice')
        columns.append(key)
    if "email" not in columns:
        problems.append("columns: no email column; the first row must name one (email)")
    if len(columns) > MAX_COLUMNS:
        problems.append(f"columns: at most {MAX_COLUMNS}")
    if problems:
        raise Invalid(problems=problems)
    return Header(columns, delimiter)


def rows(text: str, head: Header) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each non-blank row after the header."""
    reader = csv.reader(io.StringIO(text), delimiter=head.delimiter)
    next(reader, None)
    # Numbered by record, not by line: a quoted value may hold a line break.
    for number, cells in enumerate(reader, start=2):
        if any(c.strip() for c in cells):
            yield number, cells


def count(text: str, head: Header) -> int:
    return sum(1 for _ in rows(text, head))


def check(head: Header, cells: list[str]) -> tuple[str, dict] | str:
    """(e-mail, traits) of a row, or why it is refused."""
    email, traits = "", {}
    for name, value in zip(head.columns, cells, strict=False):
        value = value.strip()
        if name == "email":
            email = value.lower()
        elif value:
            if len(value) > MAX_VALUE:
                return f"too long: {name} is over {MAX_VALUE} characters"
            traits[name] = value
    if not email:
        return "no e-mail address"
    if len(email) > MAX_EMAIL:
        return f"too long: email is over {MAX_EMAIL} characters"
    if not EMAIL.fullmatch(email):
        return "not an e-mail address"
    return email, traits
