"""From engine replies to Telegram messages: text chunks under the limit, inline keyboards.

Buttons carry `<report id>|<state token>|<value>` as callback data, so a press from an older
message (another question, or another agency's report) is recognised as stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.services.outgoing import split_text
from dialogs.engine import Choice
from dialogs.parsing import parse_whole_number

_SEPARATOR = "|"
# Short labels sit three to a row; a long label (e.g. a shortcut sentence) gets a row of its own.
_PER_ROW = 3
_LONG_LABEL = 8


@dataclass(frozen=True, slots=True)
class ButtonPress:
    report_id: int
    token: str
    value: str


def dialog_data(report_id: int, token: str, value: str) -> str:
    data = f"{report_id}{_SEPARATOR}{token}{_SEPARATOR}{value}"
    if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        # Telegram rejects the whole message otherwise; a press without a token is refused as
        # stale by the engine, which is safe.
        data = f"{report_id}{_SEPARATOR}{_SEPARATOR}{value}"[: InlineKeyboardButtonLimit.MAX_CALLBACK_DATA]
    return data


def read_dialog_data(data: str) -> ButtonPress | None:
    parts = data.split(_SEPARATOR, 2)
    report_id = parse_whole_number(parts[0]) if len(parts) == 3 else None
    if report_id is None:
        return None
    return ButtonPress(report_id, parts[1], parts[2])


def keyboard(buttons: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup | None:
    """(label, callback data) pairs laid out 2-3 per row."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for label, data in buttons:
        button = InlineKeyboardButton(label, callback_data=data)
        if len(label) > _LONG_LABEL:
            if row:
                rows.append(row)
                row = []
            rows.append([button])
            continue
        row.append(button)
        if len(row) == _PER_ROW:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def dialog_keyboard(report_id: int, token: str, choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    return keyboard([(c.label, dialog_data(report_id, token, c.value)) for c in choices])


def message_chunks(
    text: str, markup: InlineKeyboardMarkup | None
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """`text` as the messages that carry it: chunks under the limit, the keyboard on the last."""
    chunks = split_text(text)
    return [
        (chunk, markup if number == len(chunks) else None) for number, chunk in enumerate(chunks, start=1)
    ]
