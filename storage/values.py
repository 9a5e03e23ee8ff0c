"""Answer values to and from their stored text, by the kind the form declares for the key."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from dialogs.form import Form, Value, ValueKind


def encode(value: Value) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def decode(form: Form, key: str, text: str) -> Value:
    """The typed value of a stored answer; keys unknown to the form stay text."""
    if not form.has_key(key):
        return text
    kind = form.field(key).kind
    try:
        if kind is ValueKind.COUNT:
            return int(text)
        if kind is ValueKind.AMOUNT:
            return Decimal(text)
    except (ValueError, InvalidOperation):
        return text
    return text


def decode_rows(form: Form, rows: Iterable[tuple[str, str]]) -> dict[str, Value]:
    """`decode` for many stored answers at once (a turn reads ~200 of them)."""
    kinds = form.value_kinds()
    out: dict[str, Value] = {}
    for key, text in rows:
        kind = kinds.get(key)
        if kind is ValueKind.COUNT and text.isdigit():
            out[key] = int(text)
        elif kind is None or kind is ValueKind.TEXT:
            out[key] = text
        else:
            out[key] = decode(form, key, text)
    return out
