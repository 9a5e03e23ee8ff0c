"""A Bot API stand-in on 127.0.0.1 for end-to-end tests and benchmarks.

The project rule is that Telegram is tested by running the real PTB ``Application`` over real HTTP,
never by mocking PTB. This module is the other end of that HTTP: an aiohttp server that speaks enough
of the Bot API (as documented on core.telegram.org) for PTB 22, plus a user-side API with which a test
plays the human in a private chat::

    async with StandIn() as api:
        app = Application.builder().token(api.token).base_url(api.base_url)
        app = app.base_file_url(api.base_file_url).build()
        ...  # add handlers, app.initialize(), app.start(), app.updater.start_polling(poll_interval=0)
        await api.send_text(42, "/start")
        reply = await api.next_reply(42)
        await api.press(42, reply, "yes")
        assert api.buttons(await api.next_reply(42))[0][0].text == "..."

Served methods: getMe, getUpdates (long polling: returns at once when updates are queued, a newer
call terminates an older one with 409 as Telegram does; 409 too while a webhook is set),
setWebhook (updates are then POSTed to the URL, on 127.0.0.1 only, with the secret token header;
each when it happens, or with ``webhook_max_connections`` at most setWebhook's max_connections at
once, in order, as Telegram does),
deleteWebhook, set/get/deleteMyCommands
(per scope and language), sendMessage, editMessageText, editMessageReplyMarkup, answerCallbackQuery,
sendDocument, sendChatAction, getFile (+ the file download URL), close, logOut. Unknown methods answer
404 ``Not Found`` like api.telegram.org. Bodies may be JSON, form-encoded or multipart; PTB sends
fields whose non-string values are JSON-encoded, in a form or (nianbao's transport) a JSON body.

Telegram's rules that bite real bots are enforced with Telegram's error texts: message text length
(4096), callback data length (1-64 bytes), HTML that does not parse, unescaped reserved MarkdownV2
characters, "message is not modified", editing a message that is not the bot's, a chat that never
talked to the bot, a callback query answered twice, files over 20 MB for getFile. Failure injection
for reminder and notice tests: ``fail_with_retry_after`` (optionally for one chat), ``block_user``,
``enforce_limits``, ``hold_responses``; for kills between taking updates and confirming them,
``hold_confirmations`` / ``drop_held_confirmations``.

Everything the bot calls (except getUpdates) is kept in ``sent`` as ``BotCall`` values stamped with
``clock()`` (``time.monotonic`` unless a test injects one). Waiting is done on asyncio conditions,
never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import re
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from html.parser import HTMLParser
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import aiohttp
from aiohttp import web
from telegram.constants import BotCommandLimit, FileSizeLimit, InlineKeyboardButtonLimit, MessageLimit

__all__ = [
    "BotCall",
    "BotOutput",
    "Button",
    "Json",
    "OutputKind",
    "StandIn",
]

_LOGGER = logging.getLogger(__name__)

Json = dict[str, Any]

# How PTB encodes form fields: strings raw, everything else json.dumps'ed. Telegram parses each field
# by its declared type, so the stand-in has to know which fields are JSON objects and which are numbers.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "message_thread_id",
        "cache_time",
        "max_connections",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "drop_pending_updates",
        "show_alert",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
    }
)
# Methods that deliver a message; Telegram's flood limits are about these.
_SENDING_METHODS = frozenset({"sendmessage", "senddocument"})
# Telegram's default when a bot never set allowed_updates: everything but these.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ]
)
# MarkdownV2 characters that never start an entity: unescaped, Telegram rejects the whole message.
_MARKDOWN_V2_NEVER_MARKUP = re.compile(r"(?<!\\)[#+\-={}.!]")
_MARKDOWN_V2_ESCAPE = re.compile(r"\\(.)")
_COMMAND_NAME = re.compile(r"^[a-z0-9_]+$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class OutputKind(Enum):
    """What a bot did to a chat that a user can see."""

    MESSAGE = "message"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class BotCall:
    """One Bot API call made by the bot; ``error_code`` is None when it succeeded."""

    method: str
    at: float
    params: Mapping[str, Any]
    chat_id: int | str | None = None
    text: str | None = None  # text, or a document's caption
    reply_markup: Json | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    error_code: int | None = None
    # How the parameters travelled: the bot's aiohttp transport sends "application/json",
    # PTB's default httpx one a form; so a test can tell which of them made the call.
    content_type: str = ""

    @property
    def is_ok(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True, slots=True)
class BotOutput:
    """A new bot message or an edit of one, as a snapshot taken when it happened."""

    kind: OutputKind
    message: Json
    at: float


@dataclass(frozen=True, slots=True)
class _Upload:
    filename: str
    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    filename: str
    mime_type: str
    data: bytes


_T = TypeVar("_T")


@dataclass(slots=True)
class _Feed(Generic[_T]):
    """What the bot put into a chat, oldest first, and how far the test has read it."""

    items: list[_T] = field(default_factory=list)
    read: int = 0

    @property
    def unread(self) -> int:
        return len(self.items) - self.read

    def take(self, count: int) -> list[_T]:
        start = self.read
        self.read += count
        return self.items[start : start + count]


@dataclass(slots=True)
class _Chat:
    chat: Json
    user: Json
    next_message_id: int = 1
    messages: dict[int, Json] = field(default_factory=dict)
    bot_messages: _Feed[Json] = field(default_factory=_Feed)
    outputs: _Feed[BotOutput] = field(default_factory=_Feed)  # messages and edits, a cursor of its own
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)


@dataclass(slots=True)
class _PollGate:
    first: int  # the first update id left unconfirmed
    opened: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(slots=True)
class _Limits:
    per_chat_per_s: int
    global_per_s: int
    chat_sends: dict[int | str, deque[float]] = field(default_factory=dict)
    global_sends: deque[float] = field(default_factory=deque)


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class _HtmlText(HTMLParser):
    """Telegram's HTML parse mode: known tags only, properly nested; yields the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_tags: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
        self.open_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'
            return
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees, or a 400 with Telegram's "can't parse entities" message."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        if parser.error is None and parser.open_tags:
            parser.error = f'Can\'t find end tag corresponding to start tag "{parser.open_tags[-1]}"'
        if parser.error is not None:
            raise _ApiError(400, f"Bad Request: can't parse entities: {parser.error}")
        return "".join(parser.parts)
    if mode == "markdownv2":
        # Approximate: only the reserved characters that can never be markup are checked.
        bad = _MARKDOWN_V2_NEVER_MARKUP.search(text)
        if bad is not None:
            raise _ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{bad.group()}' is reserved and must be "
                "escaped with the preceding '\\'",
            )
        return _MARKDOWN_V2_ESCAPE.sub(r"\1", text)
    return text


def _utf16_length(text: str) -> int:
    # Telegram measures entity offsets and lengths in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _decode_field(name: str, value: str) -> Any:
    if name in _JSON_FIELDS:
        return json.loads(value)
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            try:
                return int(float(value))
            except ValueError:
                return value  # e.g. chat_id="@channelname"
    if name in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def _read_params(request: web.Request) -> tuple[Json, dict[str, _Upload]]:
    params: Json = {name: _decode_field(name, value) for name, value in request.query.items()}
    uploads: dict[str, _Upload] = {}
    if not request.body_exists:
        return params, uploads
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise _ApiError(400, "Bad Request: request body must be a JSON object")
        # Like Telegram, a JSON body may carry any field as a string (PTB's `json_payload`
        # sends "chat_id": "5" and reply_markup as serialized JSON): decoded as a form field.
        params.update(
            {
                name: _decode_field(name, value) if isinstance(value, str) else value
                for name, value in body.items()
            }
        )
        return params, uploads
    # aiohttp reads a part's file name as Telegram's server does: the filename parameter as sent
    # (raw UTF-8; a percent-encoded name stays percent-encoded), or RFC 5987's filename* decoded.
    form = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            mime = value.content_type or "application/octet-stream"
            uploads[name] = _Upload(value.filename, value.file.read(), mime)
        elif isinstance(value, bytes | bytearray):
            params[name] = _decode_field(name, value.decode())
        else:
            params[name] = _decode_field(name, value)
    return params, uploads


def _response(payload: Json, status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json",
    )


def _inline_markup(markup: Any) -> Json | None:
    """Validates reply_markup; only inline keyboards stay attached to the message."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None  # a reply keyboard, ReplyKeyboardRemove or ForceReply: not part of the message
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise _ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not (
                InlineKeyboardButtonLimit.MIN_CALLBACK_DATA
                <= len(str(data).encode())
                <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
            ):
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows}


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if not isinstance(scope, dict) or "type" not in scope:
        raise _ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
    kind = str(scope["type"])
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope.get('chat_id')}"
    if kind == "chat_member":
        return f"chat_member:{scope.get('chat_id')}:{scope.get('user_id')}"
    return kind


def _update_kind(update: Json) -> str:
    return next(key for key in update if key != "update_id")


Handler = Callable[[Json, dict[str, _Upload]], Awaitable[Any]]


class StandIn:
    """The Bot API for one bot token, served on 127.0.0.1 at a free port.

    The ``wait_*`` methods take ``timeout`` (seconds) themselves rather than leaving it to the caller's
    ``asyncio.timeout``, so that a test that forgot one cannot hang, and so that the TimeoutError they
    raise says what was awaited (hence the ASYNC109 exemptions).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_username: str = "nianbao_test_bot",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        webhook_max_connections: bool = False,
    ) -> None:
        """``webhook_max_connections``: deliver webhook updates as Telegram does, at most
        setWebhook's ``max_connections`` (default 40) POSTs in flight and the others waiting, in
        order; off, each update is POSTed when it happens (aiohttp's pool: at most 100 at once)."""
        self.token = token or f"7000000001:{secrets.token_urlsafe(24)}"
        self.bot_user: Json = {
            "id": int(self.token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": "Nianbao Test Bot",
            "username": bot_username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.clock = clock
        self.wall_clock = wall_clock
        self.sent: list[BotCall] = []
        # (scope key, language code) -> [(command, description)]; scope keys: "default",
        # "all_private_chats", "chat:<chat_id>", "chat_member:<chat_id>:<user_id>", ...
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self.callback_answers: dict[str, Json] = {}
        self.limit_violations = 0
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._pending_queries: set[str] = set()
        self._updates: list[Json] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = frozenset()
        self._poll_generation = 0
        self._updates_changed = asyncio.Condition()
        self._calls_changed = asyncio.Condition()
        self._polling = asyncio.Event()
        self._blocked: set[int | str] = set()
        self._retry_after_seconds = 0
        self._retry_after_left = 0
        self._retry_after_methods: frozenset[str] = frozenset()
        self._retry_after_chat: int | None = None
        self._limits: _Limits | None = None
        # setWebhook's parameters while a webhook is set: updates are then POSTed there (those
        # queued before, in order, each after the previous was answered; later ones as each
        # happens) and getUpdates answers 409, as Telegram does.
        self.webhook: Json | None = None
        self.webhook_answers: list[int] = []
        self.webhook_max_connections = webhook_max_connections
        self._webhook_slots: asyncio.Semaphore | None = None
        self._webhook_session: aiohttp.ClientSession | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._held: asyncio.Event | None = None
        self._poll_gate: _PollGate | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Handler] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "close": self._true,
            "logout": self._true,
        }

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> Self:
        # Telegram accepts uploads up to 50 MB; aiohttp's default body limit is 1 MiB.
        app = web.Application(client_max_size=FileSizeLimit.FILESIZE_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        return self

    async def stop(self) -> None:
        self._closing = True
        self.drop_held_confirmations()
        async with self._updates_changed:
            self._updates_changed.notify_all()  # long polls answer at once instead of at their timeout
        for task in list(self._background):
            task.cancel()
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("StandIn is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``: PTB appends the token."""
        return f"{self.url}/file/bot"

    # -- the user's side --------------------------------------------------------------------------

    def add_user(
        self, user_id: int, *, first_name: str | None = None, language_code: str = "zh-hans"
    ) -> Json:
        """Opens the private chat as if the user had started the bot; returns the chat."""
        chat = self._chats.get(user_id)
        if chat is None:
            name = first_name or f"User {user_id}"
            user = {"id": user_id, "is_bot": False, "first_name": name, "language_code": language_code}
            chat = _Chat(chat={"id": user_id, "type": "private", "first_name": name}, user=user)
            self._chats[user_id] = chat
        return chat.chat

    async def send_text(
        self, user_id: int, text: str, *, first_name: str | None = None, reply_to: int | None = None
    ) -> Json:
        """The user sends ``text`` (a leading ``/command`` gets its bot_command entity).

        With ``reply_to``, as a reply to that message of the chat: like Telegram, the update
        carries the replied message (with its inline keyboard) but not what that one replied to.
        """
        chat = self._chat(user_id, first_name)
        replied = None
        if reply_to is not None:
            original = chat.messages.get(reply_to)
            if original is None:
                raise ValueError(f"chat {user_id} has no message {reply_to}")
            replied = {k: v for k, v in original.items() if k != "reply_to_message"}
        message = self._new_message(chat, chat.user, text=text, reply_to_message=replied)
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16_length(command)}]
        await self._queue_update("message", message)
        return dict(message)

    async def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        first_name: str | None = None,
    ) -> Json:
        """The user uploads a file; the bot can fetch it with getFile and download it."""
        chat = self._chat(user_id, first_name)
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        document = self._store_file(_Upload(filename, data, mime))
        message = self._new_message(chat, chat.user, document=document)
        if caption is not None:
            message["caption"] = caption
        await self._queue_update("message", message)
        return dict(message)

    async def press(
        self, user_id: int, message: Json | int, callback_data: str, *, forged: bool = False
    ) -> Json:
        """The user presses the inline button carrying ``callback_data`` on a bot message.

        ``forged``: data the message's buttons never carried, as a modified client can send.
        """
        chat = self._chat(user_id, None)
        message_id = message if isinstance(message, int) else int(message["message_id"])
        current = chat.messages.get(message_id)
        if current is None or current["from"]["id"] != self.bot_user["id"]:
            raise ValueError(f"chat {user_id} has no bot message {message_id}")
        datas = [button.callback_data for row in self.buttons(current) for button in row]
        if callback_data not in datas and not forged:
            raise ValueError(f"message {message_id} has no button {callback_data!r}; it has {datas}")
        query_id = str(next(self._query_ids))
        self._pending_queries.add(query_id)
        query = {
            "id": query_id,
            "from": chat.user,
            "message": dict(current),
            "chat_instance": f"ci{user_id}",
            "data": callback_data,
        }
        await self._queue_update("callback_query", query)
        return query

    async def edit_text(self, user_id: int, message_id: int, new_text: str) -> Json:
        """The user edits one of their own text messages (an ``edited_message`` update)."""
        chat = self._chat(user_id, None)
        message = chat.messages.get(message_id)
        if message is None or message["from"]["id"] != user_id or "text" not in message:
            raise ValueError(f"chat {user_id} has no text message {message_id} from the user")
        message["text"] = new_text
        message["edit_date"] = int(self.wall_clock())
        await self._queue_update("edited_message", dict(message))
        return dict(message)

    # -- observing the bot ------------------------------------------------------------------------

    @staticmethod
    def buttons(message: Json) -> list[list[Button]]:
        """The inline keyboard a message carries, row by row (empty when it has none)."""
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [[Button(b["text"], b.get("callback_data"), b.get("url")) for b in row] for row in rows]

    def messages(self, chat_id: int) -> list[Json]:
        """Every message of the chat, user's and bot's, oldest first, as they are now."""
        chat = self._chats.get(chat_id)
        return [dict(m) for m in chat.messages.values()] if chat else []

    def bot_messages(self, chat_id: int) -> list[Json]:
        chat = self._chats.get(chat_id)
        return [dict(m) for m in chat.bot_messages.items] if chat else []

    def message(self, chat_id: int, message_id: int) -> Json:
        """A message as it is now (after edits)."""
        return dict(self._chats[chat_id].messages[message_id])

    def commands_for(self, scope: str | int = "default", language_code: str = "") -> list[tuple[str, str]]:
        """Commands set for a scope key, or for a chat (``BotCommandScopeChat``) when given an int."""
        key = f"chat:{scope}" if isinstance(scope, int) else scope
        return list(self.commands.get((key, language_code), []))

    async def wait_until_polling(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Returns once the bot has called getUpdates."""
        async with asyncio.timeout(timeout):
            await self._polling.wait()

    async def wait_for_messages(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[Json]:  # noqa: ASYNC109
        """The next ``count`` bot messages in the chat not yet returned by this or ``next_reply``."""
        chat = self._chat(chat_id, None)
        await self._wait_unread(chat_id, chat, chat.bot_messages, count, timeout, "new bot messages")
        return [dict(m) for m in chat.bot_messages.take(count)]

    def unread_messages(self, chat_id: int) -> list[Json]:
        """The bot messages of the chat not yet returned by the reading methods, without waiting."""
        feed = self._chat(chat_id, None).bot_messages
        return [dict(m) for m in feed.take(feed.unread)]

    async def next_reply(self, chat_id: int, timeout: float = 10.0) -> Json:  # noqa: ASYNC109
        """The next unread bot message in the chat, as it was sent."""
        return (await self.wait_for_messages(chat_id, 1, timeout))[0]

    async def wait_for_outputs(self, chat_id: int, count: int = 1, timeout: float = 10.0) -> list[BotOutput]:  # noqa: ASYNC109
        """The next ``count`` new messages *or edits* in the chat (own cursor, independent of replies)."""
        chat = self._chat(chat_id, None)
        await self._wait_unread(chat_id, chat, chat.outputs, count, timeout, "outputs")
        return chat.outputs.take(count)

    async def wait_for_call(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        since: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> BotCall:
        """The first call of ``method`` (to ``chat_id``) at index ``since`` or later in ``sent``."""

        def found() -> BotCall | None:
            for call in itertools.islice(self.sent, since, None):
                if call.method.lower() == method.lower() and (chat_id is None or call.chat_id == chat_id):
                    return call
            return None

        await self._wait(
            self._calls_changed,
            lambda: found() is not None,
            timeout,
            lambda: f"no {method} call (chat {chat_id}) after #{since}",
        )
        call = found()
        assert call is not None
        return call

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    # -- failure modes ----------------------------------------------------------------------------

    def fail_with_retry_after(
        self,
        seconds: int,
        count: int = 1,
        *,
        methods: Iterable[str] = ("sendMessage",),
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` calls of ``methods`` (to ``chat_id`` only, if given) answer 429
        with ``parameters.retry_after``."""
        self._retry_after_seconds = seconds
        self._retry_after_left = count
        self._retry_after_methods = frozenset(m.lower() for m in methods)
        self._retry_after_chat = chat_id

    def block_user(self, chat_id: int | str) -> None:
        """Sends to this chat answer 403 "Forbidden: bot was blocked by the user"."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int | str) -> None:
        self._blocked.discard(chat_id)

    def hold_responses(self) -> None:
        """Sends are delivered (and recorded) but their answers wait until ``release_responses``.

        A bot process killed meanwhile has sent a message it never heard back about: the
        "restart during a send" case of the reminder tests.
        """
        self._held = asyncio.Event()

    def release_responses(self) -> None:
        if self._held is not None:
            self._held.set()
            self._held = None

    def hold_confirmations(self) -> None:
        """Updates queued from now on stay unconfirmed: a getUpdates whose offset would confirm
        one waits, its offset not applied, until ``drop_held_confirmations``.

        Telegram forgets an update only when a later getUpdates carries a higher offset. PTB sends
        that call right after taking the updates, so a bot killed in between is rare by chance;
        this makes it certain: the bot takes an update, handles it (commits, replies), and a kill
        then leaves the update unconfirmed, to be delivered again to the next process.
        """
        self._poll_gate = _PollGate(first=self._next_update_id)

    def drop_held_confirmations(self) -> None:
        """The held getUpdates calls end without confirming anything (their process is gone)."""
        gate, self._poll_gate = self._poll_gate, None
        if gate is not None:
            gate.opened.set()

    def enforce_limits(self, per_chat_per_s: int = 1, global_per_s: int = 30) -> None:
        """Sends beyond Telegram's flood limits (in any one-second window) answer 429, retry_after=1.

        Rejected sends are counted in ``limit_violations`` and do not use up the window.
        """
        self._limits = _Limits(per_chat_per_s, global_per_s)

    # -- HTTP -------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _response(_ApiError(401, "Unauthorized").payload(), 401)
        try:
            params, uploads = await _read_params(request)
        except (ValueError, _ApiError) as error:
            api_error = error if isinstance(error, _ApiError) else _ApiError(400, f"Bad Request: {error}")
            return _response(api_error.payload(), api_error.code)
        handler = self._methods.get(method.lower())
        try:
            if handler is None:
                raise _ApiError(404, "Not Found")
            result = await handler(params, uploads)
        except _ApiError as error:
            if method.lower() != "getupdates":
                await self._log_call(method, params, uploads, error.code, request.content_type)
            return _response(error.payload(), error.code)
        if method.lower() != "getupdates":
            await self._log_call(method, params, uploads, None, request.content_type)
        held = self._held
        if held is not None and method.lower() in _SENDING_METHODS:
            await held.wait()
        return _response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        stored = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return _response(_ApiError(404, "Not Found").payload(), 404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _log_call(
        self, method: str, params: Json, uploads: dict[str, _Upload], error: int | None, content_type: str
    ) -> None:
        upload = uploads.get("document")
        text = params.get("text", params.get("caption"))
        markup = params.get("reply_markup")
        self.sent.append(
            BotCall(
                method=method,
                at=self.clock(),
                params=params,
                chat_id=params.get("chat_id"),
                text=text if isinstance(text, str) else None,
                reply_markup=markup if isinstance(markup, dict) else None,
                document_name=upload.filename if upload else None,
                document_bytes=upload.data if upload else None,
                error_code=error,
                content_type=content_type,
            )
        )
        async with self._calls_changed:
            self._calls_changed.notify_all()

    # -- methods ----------------------------------------------------------------------------------

    async def _true(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        return True

    async def _get_me(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        return self.bot_user

    async def _delete_webhook(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = None
        return True

    async def _set_webhook(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        url = params.get("url")
        if not isinstance(url, str) or not url.startswith(("http://127.0.0.1:", "https://127.0.0.1:")):
            # Telegram wants HTTPS on a public address; this stand-in only ever calls 127.0.0.1.
            raise _ApiError(400, "Bad Request: bad webhook: the stand-in only delivers to 127.0.0.1")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": params.get("secret_token"),
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": int(params.get("max_connections") or 40),
        }
        if self.webhook_max_connections:
            # FIFO: POSTs start in the order their updates happened.
            self._webhook_slots = asyncio.Semaphore(self.webhook["max_connections"])
        pending, self._updates = self._updates, []
        if pending:
            # After this answer: the bot may start listening only once setWebhook succeeded.
            task = asyncio.create_task(self._deliver_all(pending))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
        return True

    async def _deliver_all(self, updates: list[Json]) -> None:
        for update in updates:
            await self._deliver(update)

    async def _deliver(self, update: Json) -> None:
        """One update to the webhook, as Telegram posts it; the answer's status is recorded."""
        assert self.webhook is not None
        if self._webhook_session is None:
            self._webhook_session = aiohttp.ClientSession()
        headers = {}
        if self.webhook["secret_token"]:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        slots = self._webhook_slots
        async with contextlib.AsyncExitStack() as held:
            if slots is not None:
                await held.enter_async_context(slots)
            async with self._webhook_session.post(
                self.webhook["url"], json=update, headers=headers
            ) as answer:
                self.webhook_answers.append(answer.status)

    async def _get_updates(self, params: Json, uploads: dict[str, _Upload]) -> list[Json]:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        gate = self._poll_gate
        if gate is not None and int(params.get("offset") or 0) > gate.first:
            await gate.opened.wait()
            # Dropped: the process that sent this call is dead; its offset never reached Telegram.
            raise _ApiError(502, "Bad Gateway")
        self._polling.set()
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed)
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        self._poll_generation += 1
        generation = self._poll_generation
        async with self._updates_changed:
            # A newer getUpdates (e.g. after PTB cancelled this one on shutdown) must end this one.
            self._updates_changed.notify_all()
            try:
                async with asyncio.timeout(timeout):
                    await self._updates_changed.wait_for(
                        lambda: (
                            bool(self._deliverable()) or generation != self._poll_generation or self._closing
                        )
                    )
            except TimeoutError:
                pass
        if generation != self._poll_generation and not self._closing:
            raise _ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._deliverable()[:limit]

    def _deliverable(self) -> list[Json]:
        wanted = self._allowed_updates
        if wanted:
            self._updates = [u for u in self._updates if _update_kind(u) in wanted]
        else:
            self._updates = [u for u in self._updates if _update_kind(u) not in _NOT_DEFAULT_UPDATES]
        return self._updates

    async def _set_my_commands(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > BotCommandLimit.MAX_COMMAND_NUMBER:
            raise _ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        entries: list[tuple[str, str]] = []
        for entry in commands:
            name, description = str(entry.get("command", "")), str(entry.get("description", ""))
            if not (
                BotCommandLimit.MIN_COMMAND <= len(name) <= BotCommandLimit.MAX_COMMAND
                and _COMMAND_NAME.match(name)
            ):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not BotCommandLimit.MIN_DESCRIPTION <= len(description) <= BotCommandLimit.MAX_DESCRIPTION:
                raise _ApiError(400, "Bad Request: command description is empty or too long")
            entries.append((name, description))
        self.commands[(_scope_key(params.get("scope")), str(params.get("language_code") or ""))] = entries
        return True

    async def _get_my_commands(self, params: Json, uploads: dict[str, _Upload]) -> list[Json]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return [{"command": c, "description": d} for c, d in self.commands.get(key, [])]

    async def _delete_my_commands(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        self.commands.pop((_scope_key(params.get("scope")), str(params.get("language_code") or "")), None)
        return True

    async def _send_message(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        text = str(params.get("text") or "")
        plain = _plain_text(text, params.get("parse_mode"))
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(plain) > MessageLimit.MAX_TEXT_LENGTH:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = _inline_markup(params.get("reply_markup"))
        chat = self._admit_send("sendMessage", params)
        message = self._new_message(chat, self.bot_user, text=plain, reply_markup=markup)
        await self._record_output(chat, OutputKind.MESSAGE, message)
        return message

    async def _send_document(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = uploads.get(document.removeprefix("attach://"))
        else:
            upload = uploads.get("document")
        if upload is not None:
            if len(upload.data) > FileSizeLimit.FILESIZE_UPLOAD:
                raise _ApiError(413, "Request Entity Too Large")
            if not upload.data:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            described = self._store_file(upload)
        elif isinstance(document, str) and document in self._files:
            described = self._describe(self._files[document])
        else:
            raise _ApiError(400, "Bad Request: wrong remote file identifier specified")
        caption = params.get("caption")
        if caption is not None:
            caption = _plain_text(str(caption), params.get("parse_mode"))
            if len(caption) > MessageLimit.CAPTION_LENGTH:
                raise _ApiError(400, "Bad Request: message caption is too long")
        markup = _inline_markup(params.get("reply_markup"))
        chat = self._admit_send("sendDocument", params)
        message = self._new_message(chat, self.bot_user, document=described, reply_markup=markup)
        if caption:
            message["caption"] = caption
        await self._record_output(chat, OutputKind.MESSAGE, message)
        return message

    async def _edit_message_text(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        chat, message = self._editable(params)
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text = _plain_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > MessageLimit.MAX_TEXT_LENGTH:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        # Like Telegram: an edit without reply_markup removes the inline keyboard.
        markup = _inline_markup(params.get("reply_markup"))
        return await self._apply_edit(chat, message, text=text, reply_markup=markup)

    async def _edit_message_reply_markup(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        chat, message = self._editable(params)
        markup = _inline_markup(params.get("reply_markup"))
        return await self._apply_edit(chat, message, text=message.get("text"), reply_markup=markup)

    async def _answer_callback_query(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._pending_queries:
            raise _ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self._pending_queries.discard(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    async def _send_chat_action(self, params: Json, uploads: dict[str, _Upload]) -> bool:
        chat = self._known_chat(params)
        if chat.chat["id"] in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return True

    async def _get_file(self, params: Json, uploads: dict[str, _Upload]) -> Json:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > FileSizeLimit.FILESIZE_DOWNLOAD:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    # -- internals --------------------------------------------------------------------------------

    def _chat(self, user_id: int, first_name: str | None) -> _Chat:
        self.add_user(user_id, first_name=first_name)
        return self._chats[user_id]

    def _known_chat(self, params: Json) -> _Chat:
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _admit_send(self, method: str, params: Json) -> _Chat:
        """Telegram's reasons to refuse a well-formed send, in the order they apply."""
        chat = self._known_chat(params)
        chat_id: int = chat.chat["id"]
        if chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if (
            self._retry_after_left > 0
            and method.lower() in self._retry_after_methods
            and self._retry_after_chat in (None, chat_id)
        ):
            self._retry_after_left -= 1
            raise self._too_many(self._retry_after_seconds)
        if self._limits is not None and method.lower() in _SENDING_METHODS:
            self._check_limits(self._limits, chat_id)
        return chat

    def _check_limits(self, limits: _Limits, chat_id: int) -> None:
        now = self.clock()
        window_start = now - 1.0
        chat_sends = limits.chat_sends.setdefault(chat_id, deque())
        for sends in (chat_sends, limits.global_sends):
            while sends and sends[0] <= window_start:
                sends.popleft()
        if len(chat_sends) >= limits.per_chat_per_s or len(limits.global_sends) >= limits.global_per_s:
            self.limit_violations += 1
            raise self._too_many(1)
        chat_sends.append(now)
        limits.global_sends.append(now)

    @staticmethod
    def _too_many(seconds: int) -> _ApiError:
        return _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    def _editable(self, params: Json) -> tuple[_Chat, Json]:
        if "inline_message_id" in params:
            raise _ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        chat = self._known_chat(params)
        message = chat.messages.get(int(params.get("message_id") or 0))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        return chat, message

    async def _apply_edit(
        self, chat: _Chat, message: Json, *, text: str | None, reply_markup: Json | None
    ) -> Json:
        if message.get("text") == text and message.get("reply_markup") == reply_markup:
            raise _ApiError(400, _NOT_MODIFIED)
        # Keys are replaced, never mutated in place, so earlier shallow snapshots stay as they were.
        if text is not None:
            message["text"] = text
        if reply_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = reply_markup
        message["edit_date"] = int(self.wall_clock())
        await self._record_output(chat, OutputKind.EDIT, message)
        return dict(message)

    def _new_message(self, chat: _Chat, sender: Json, **content: Any) -> Json:
        message: Json = {
            "message_id": chat.next_message_id,
            "date": int(self.wall_clock()),
            "chat": chat.chat,
            "from": sender,
        }
        message.update({key: value for key, value in content.items() if value is not None})
        chat.next_message_id += 1
        chat.messages[message["message_id"]] = message
        return message

    async def _record_output(self, chat: _Chat, kind: OutputKind, message: Json) -> None:
        snapshot = dict(message)
        if kind is OutputKind.MESSAGE:
            chat.bot_messages.items.append(snapshot)
        chat.outputs.items.append(BotOutput(kind, snapshot, self.clock()))
        async with chat.changed:
            chat.changed.notify_all()

    def _store_file(self, upload: _Upload) -> Json:
        number = next(self._file_ids)
        suffix = "." + upload.filename.rpartition(".")[2] if "." in upload.filename else ""
        stored = _StoredFile(
            file_id=f"BQACAgIAAx{number:08d}",
            file_unique_id=f"AgAD{number:08d}",
            path=f"documents/file_{number}{suffix}",
            filename=upload.filename,
            mime_type=upload.mime_type,
            data=upload.data,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.path] = stored
        return self._describe(stored)

    @staticmethod
    def _describe(stored: _StoredFile) -> Json:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }

    async def _queue_update(self, kind: str, payload: Json) -> None:
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        if self.webhook is not None:
            await self._deliver(update)
            return
        self._updates.append(update)
        async with self._updates_changed:
            self._updates_changed.notify_all()

    async def _wait_unread(
        self,
        chat_id: int,
        chat: _Chat,
        feed: _Feed[Any],
        count: int,
        timeout: float,  # noqa: ASYNC109
        what: str,
    ) -> None:
        """Until the chat's `feed` has `count` items the test has not read yet."""
        await self._wait(
            chat.changed,
            lambda: feed.unread >= count,
            timeout,
            lambda: f"chat {chat_id}: waited for {count} {what}, have {feed.unread}",
        )

    @staticmethod
    async def _wait(
        condition: asyncio.Condition,
        predicate: Callable[[], bool],
        timeout: float,  # noqa: ASYNC109
        describe: Callable[[], str],
    ) -> None:
        if predicate():
            return
        try:
            async with asyncio.timeout(timeout):
                async with condition:
                    await condition.wait_for(predicate)
        except TimeoutError:
            raise TimeoutError(describe()) from None
