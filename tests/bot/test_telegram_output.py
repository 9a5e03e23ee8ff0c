"""Outgoing text chunks and button data (pure functions, no network)."""

from __future__ import annotations

from telegram.constants import InlineKeyboardButtonLimit, MessageLimit

from bot.services.outgoing import MESSAGE_LIMIT, split_text
from bot.telegram_output import dialog_data, read_dialog_data
from dialogs.commands import Command
from dialogs.report_2021 import form_2021


def test_short_text_is_one_message() -> None:
    assert split_text("一\n二") == ["一\n二"]


def test_long_text_is_cut_between_paragraphs() -> None:
    paragraphs = [f"第{n}段。" + "字" * 1500 for n in range(6)]
    chunks = split_text("\n".join(paragraphs))
    assert all(len(c) <= MessageLimit.MAX_TEXT_LENGTH for c in chunks)
    assert "\n".join(chunks) == "\n".join(paragraphs)
    assert all(c.startswith("第") for c in chunks)


def test_one_paragraph_over_the_limit_is_cut_at_sentence_ends() -> None:
    paragraph = "这是一句话。" * 1500
    chunks = split_text(paragraph)
    assert all(len(c) <= MessageLimit.MAX_TEXT_LENGTH for c in chunks)
    assert all(c.endswith("。") for c in chunks)
    assert "".join(chunks) == paragraph


def test_every_dialog_button_fits_telegrams_callback_limit() -> None:
    longest_item = max((i.id for i in form_2021().items), key=len)
    for command in Command:
        data = dialog_data(2**31 - 1, longest_item, command.value)
        assert len(data.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
        press = read_dialog_data(data)
        assert press is not None
        assert (press.token, press.value) == (longest_item, command.value)


def test_the_services_cut_messages_at_telegrams_limit() -> None:
    assert MESSAGE_LIMIT == MessageLimit.MAX_TEXT_LENGTH
    assert max(map(len, split_text("长" * (3 * MESSAGE_LIMIT)))) == MESSAGE_LIMIT
