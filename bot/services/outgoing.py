"""What every channel's messages share: text chunks under the message limit, button actions.

The services build unprompted messages (summaries, notices, reminders, digests) with these; the
adapters (Telegram today) read the same button data back. No messaging library is imported here.
"""

from __future__ import annotations

from dialogs import messages_telegram as tmsg
from dialogs.parsing import parse_whole_number

# Telegram's limit (telegram.constants.MessageLimit.MAX_TEXT_LENGTH), the strictest channel's.
MESSAGE_LIMIT = 4096
RESUME_PREFIX = "resume:"
REVIEW_PREFIX = "review:"


def invite_link(bot_username: str, token: str) -> str:
    """The deep link that opens the bot with an invite token (`/start <token>`)."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={token}"


def resume_data(report_id: int) -> str:
    """The data of a resume button: open that report at its current question."""
    return f"{RESUME_PREFIX}{report_id}"


def read_resume_data(data: str) -> int | None:
    return parse_whole_number(data.removeprefix(RESUME_PREFIX)) if data.startswith(RESUME_PREFIX) else None


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` in chunks of at most `limit` characters, cut between paragraphs where possible.

    A channel refuses longer messages outright. A single paragraph over the limit is cut at a
    line end, then at a sentence end, and only as a last resort in the middle.
    """
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        for piece in _pieces(paragraph, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                if current.strip():
                    chunks.append(current)
                current = piece
    if current.strip():
        chunks.append(current)
    return chunks


def _pieces(paragraph: str, limit: int) -> list[str]:
    pieces: list[str] = []
    rest = paragraph
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind(mark) for mark in tmsg.SENTENCE_ENDS) + 1
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def review_data(action: str, report_id: int) -> str:
    """The data of a coordinator's review button (accept or return that report)."""
    return f"{REVIEW_PREFIX}{action}:{report_id}"


def read_review_data(data: str) -> tuple[str, int] | None:
    action, _, tail = data.removeprefix(REVIEW_PREFIX).partition(":")
    report_id = parse_whole_number(tail)
    if not data.startswith(REVIEW_PREFIX) or report_id is None:
        return None
    return action, report_id


def review_buttons(report_id: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The accept and return buttons under a submission summary."""
    return (
        (
            (tmsg.BTN_ACCEPT, review_data("accept", report_id)),
            (tmsg.BTN_RETURN, review_data("return", report_id)),
        ),
    )
