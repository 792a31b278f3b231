"""A fake Telegram Bot API server for tests and benchmarks.

An aiohttp application bound to 127.0.0.1 on a free port that answers the
Bot API methods the Telegram adapter uses the way the real server does
(``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "...", "parameters": {...}}``), records every request, and lets
a test inject failures (429 with ``parameters.retry_after``, 403, a migrated
group, 5xx, slow answers, repeated updates).  Point aiogram at it with::

    fake = FakeTelegram()
    base_url = await fake.start()
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))

Inbound updates are built with the ``*_update`` builders (they return Update
dicts that ``aiogram.types.Update.model_validate`` accepts) and queued for
``getUpdates`` with :meth:`FakeTelegram.push_update`.

Deliberate simplifications (the real server differs):
- any integer ``chat_id`` exists: positive is a private chat, ``-100…`` (13+
  digits) a supergroup, any other negative id a group; ``@username`` chat ids
  answer "chat not found";
- ``parse_mode=HTML`` is parsed (tags checked, entities computed);
  ``Markdown``/``MarkdownV2`` are accepted unparsed (raw length is checked);
- text length is counted in code points;
- a ``delay_next`` request is processed at once and only its *answer* is held
  back, so a message whose answer the client gave up on was still delivered
  (as with a real lost answer);
- ``setWebhook`` accepts plain ``http://`` only for loopback hosts, so
  :meth:`FakeTelegram.post_webhook` can reach a local test app.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import math
import mimetypes
import re
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import ClientSession, ClientTimeout, web

__all__ = ["FakeTelegram", "Recorded", "UploadedFile", "parse_html"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
CALLBACK_DATA_LIMIT = 64  # bytes, UTF-8
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile
UPLOAD_LIMIT = 50 * 1024 * 1024  # sendDocument / sendPhoto multipart

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument"})
# Updates the real server withholds unless allowed_updates names them.
NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# Form fields that stay strings even when they look like JSON ("123", "true").
STRING_KEYS = frozenset(
    {
        "text", "caption", "data", "url", "secret_token", "parse_mode", "callback_query_id",
        "inline_message_id", "language_code", "description", "short_description", "name",
        "title", "file_id", "question", "emoji", "action", "ip_address", "query",
        "message_effect_id", "business_connection_id", "sticker", "photo", "document", "video",
        "audio", "voice", "animation", "thumbnail", "certificate", "address", "first_name",
        "last_name", "username",
    }
)
# Fields a JSON body may still carry as a JSON-serialized string.
JSON_KEYS = frozenset(
    {
        "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
        "reply_parameters", "link_preview_options", "media",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
BLOCKED_PRIVATE = "Forbidden: bot was blocked by the user"
KICKED_GROUP = "Forbidden: bot was kicked from the group chat"

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED_PRIVATE,
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


# --------------------------------------------------------------------------- records


@dataclass
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Recorded:
    """One HTTP call to the fake, in arrival order.

    ``params`` holds query, JSON, urlencoded and multipart fields, coerced like
    the real server reads them (``"123"`` -> ``123``, ``reply_markup`` and other
    JSON-serialized fields -> dict/list); uploaded files appear as ``bytes``
    under the field that referenced them (aiogram sends ``document=attach://x``
    plus a part ``x``: you get ``params["document"] == b"..."``) and also in
    ``files`` with their file name.  ``status`` is the HTTP status answered
    (``None`` while a long poll or a delayed answer is still pending).
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    http_method: str = "POST"
    files: dict[str, UploadedFile] = field(default_factory=dict)
    response: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        return _error_body(self.status, self.description, self.parameters)


def _error_body(status: int, description: str, parameters: dict | None = None) -> dict:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    status: int
    description: str
    parameters: dict | None
    raw_body: str | None
    remaining: int


@dataclass
class _Delay:
    seconds: float
    remaining: int


# --------------------------------------------------------------------------- text helpers


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_ATTR_RE = re.compile(r"""([A-Za-z_][\w:-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _unescape(value: str) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1)
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED.get(name, m.group(0))

    return _HTML_ENTITY_RE.sub(repl, value)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram-style HTML: (plain text, entities with UTF-16 offsets).

    Raises ApiError 400 "can't parse entities: ..." like the real server for an
    unsupported tag (e.g. an unescaped "<"), a missing or unmatched end tag.
    """

    def fail(why: str) -> ApiError:
        return bad(f"can't parse entities: {why}")

    out: list[str] = []
    pos16 = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            offset = len(text[:i].encode("utf-8"))
            end = text.find(">", i + 1)
            if i + 1 >= n or text[i + 1].isspace():
                raise fail(f'Unsupported start tag "" at byte offset {offset}')
            if end == -1:
                raise fail(f"Can't find end of the tag starting at byte offset {offset}")
            inner = text[i + 1 : end]
            closing = inner.startswith("/")
            if closing:
                name = inner[1:].strip().lower()
                if not stack:
                    raise fail(f"Unexpected end tag at byte offset {offset}")
                open_name, start16, attrs = stack.pop()
                if name != open_name:
                    raise fail(
                        f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", found "</{name}>"'
                    )
                length = pos16 - start16
                kind = _HTML_TAGS[open_name]
                entity: dict[str, Any] = {"type": kind, "offset": start16, "length": length}
                if open_name == "a":
                    href = attrs.get("href")
                    if href is None:
                        entity = {}
                    elif href.startswith("tg://user?id="):
                        entity = {"type": "text_mention", "offset": start16, "length": length,
                                  "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": "User"}}
                    else:
                        entity["url"] = href
                elif open_name == "tg-emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "0")
                elif open_name == "blockquote" and "expandable" in attrs:
                    entity["type"] = "expandable_blockquote"
                if entity and length > 0:
                    entities.append(entity)
            else:
                parts = inner.split(None, 1)
                name = parts[0].lower() if parts else ""
                raw_attrs = parts[1] if len(parts) > 1 else ""
                if raw_attrs.endswith("/"):
                    raw_attrs = raw_attrs[:-1]
                if name not in _HTML_TAGS:
                    raise fail(f'Unsupported start tag "{name}" at byte offset {offset}')
                attrs = {
                    m.group(1).lower(): _unescape(next((g for g in m.groups()[1:] if g is not None), ""))
                    for m in _ATTR_RE.finditer(raw_attrs)
                }
                if name == "span" and attrs.get("class") != "tg-spoiler":
                    raise fail(f'Unsupported start tag "{name}" at byte offset {offset}')
                stack.append((name, pos16, attrs))
            i = end + 1
            continue
        if ch == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m:
                decoded = _unescape(m.group(0))
                out.append(decoded)
                pos16 += utf16_len(decoded)
                i = m.end()
                continue
        out.append(ch)
        pos16 += 2 if ord(ch) > 0xFFFF else 1
        i += 1
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")


def text_entities(text: str) -> list[dict]:
    """Entities the real server attaches to an incoming text: bot_command, mention."""
    found = []
    for regex, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention")):
        for m in regex.finditer(text):
            found.append({"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))})
    found.sort(key=lambda e: e["offset"])
    return found


def _chat_kind(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    if chat_id <= -1_000_000_000_000:
        return "supergroup"
    return "group"


# --------------------------------------------------------------------------- the server


class FakeTelegram:
    """Fake Bot API server; see the module docstring."""

    BOT_USERNAME = "tiendo_test_bot"
    # (messages, seconds) sliding windows enforced when enforce_limits is on
    PRIVATE_LIMIT = (1, 1.0)
    GROUP_LIMIT = (20, 60.0)
    GLOBAL_LIMIT = (30, 1.0)

    def __init__(
        self,
        token: str = "123456:TEST",
        *,
        enforce_limits: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.enforce_limits = enforce_limits
        self.clock = clock
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Tiendo Test",
            "username": self.BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.base_url = ""
        self.requests: list[Recorded] = []
        self.sent: list[dict] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.files: dict[str, dict[str, Any]] = {}
        self._files_by_path: dict[str, dict[str, Any]] = {}
        self._file_seq = itertools.count(1)
        self._updates: list[dict] = []
        self._next_update_id = 100_000
        self._confirmed = 0
        self._allowed_updates: list[str] | None = None
        self._duplicate_batches = 0
        self._new_update = asyncio.Event()
        self._closing = asyncio.Event()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._chats: dict[int, dict[str, Any]] = {}
        self._blocked: dict[int, str] = {}
        self._migrated: dict[int, int] = {}
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._callback_seq = itertools.count(4_000_000_000_000_000_001)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, deque[_Delay]] = defaultdict(deque)
        self._chat_windows: dict[int, deque[float]] = defaultdict(deque)
        self._global_window: deque[float] = deque()
        self._delivered: Counter = Counter()
        self._rejected: Counter = Counter()
        self._too_many = 0
        self._edits = 0
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict, Recorded], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "sendchataction": self._send_chat_action,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self, port: int = 0) -> str:
        """Bind 127.0.0.1 on `port` (0: a free one); return the base URL.
        A test may pick a port, point the bot at it while nothing listens
        (connection refused), and start the fake there later.

        After :meth:`stop`, connections are refused; ``start(port=fake.port)``
        brings the same server back (an outage that ends)."""
        if self._runner is not None:
            return self.base_url
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=UPLOAD_LIMIT + 16 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner
        port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        """Wake pending long polls and delayed answers, close the server."""
        self._closing.set()
        self._wake()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/bot{self.token}"

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str) -> list[Recorded]:
        """Recorded requests for one method (case-insensitive), e.g. calls("sendMessage")."""
        key = method.lower()
        return [r for r in self.requests if r.method.lower() == key]

    def sent_to(self, chat_id: int) -> list[dict]:
        return [s for s in self.sent if s["chat_id"] == chat_id]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The current state of a stored message (bot's or user's), or None."""
        entry = self._messages.get((chat_id, message_id))
        return copy.deepcopy(entry["message"]) if entry else None

    def duplicates(self) -> list[tuple[int, str, int]]:
        """(chat_id, text or caption, times) for every send delivered more than once."""
        counts = Counter(
            (s["chat_id"], s["text"] if s["text"] is not None else s["caption"])
            for s in self.sent
            if s["method"].lower() in SEND_METHODS
        )
        return [(chat, text, n) for (chat, text), n in counts.items() if n > 1]

    def stats(self) -> dict[str, Any]:
        """Counters for benchmarks.

        delivered / rejected: per chat_id, messages sent (sendMessage, sendPhoto,
        sendDocument) and 429s answered to requests for that chat;
        too_many_requests: every 429 answered (limits and injected);
        edits: accepted editMessageText/editMessageReplyMarkup.
        """
        return {
            "delivered": dict(self._delivered),
            "rejected": dict(self._rejected),
            "delivered_total": sum(self._delivered.values()),
            "rejected_total": sum(self._rejected.values()),
            "too_many_requests": self._too_many,
            "edits": self._edits,
            "requests": len(self.requests),
            "duplicates": len(self.duplicates()),
        }

    def pending_updates(self) -> list[dict]:
        return copy.deepcopy(self._updates)

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict] | None:
        return copy.deepcopy(self.commands.get(self._commands_key(scope, language_code)))

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        raw_body: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" = any method) with an error.

        The request is recorded but not carried out (nothing delivered).
        ``raw_body`` replaces the JSON answer (e.g. an HTML page from a proxy).
        Default descriptions: 429 "Too Many Requests: retry after N", 403
        "Forbidden: bot was blocked by the user", 400 with migrate_to_chat_id
        "Bad Request: group chat was upgraded to a supergroup chat", 500
        "Internal Server Error", ...
        """
        parameters: dict[str, Any] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}" if retry_after else "Too Many Requests"
            elif migrate_to_chat_id is not None:
                description = MIGRATED
            else:
                description = DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        self._faults[method.lower()].append(_Fault(status, description, parameters or None, raw_body, times))

    def clear_faults(self) -> None:
        """Forget the failures and delays still queued (the outage is over)."""
        self._faults.clear()
        self._delays.clear()

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold back the answer to the next `times` calls of `method` ("*" = any).

        The request itself is carried out at once (a sendMessage is delivered),
        only the answer waits — so a client read timeout loses the answer, not
        the message.
        """
        self._delays[method.lower()].append(_Delay(seconds, times))

    def duplicate_next_updates(self, batches: int = 1) -> None:
        """The next `batches` non-empty getUpdates answers carry every update
        twice in a row (same update_id)."""
        self._duplicate_batches += batches

    def block_chat(self, chat_id: int, description: str | None = None) -> None:
        """From now on every send/edit to chat_id answers 403."""
        self._blocked[chat_id] = description or (BLOCKED_PRIVATE if chat_id > 0 else KICKED_GROUP)

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.pop(chat_id, None)

    def migrate_chat(self, chat_id: int, new_chat_id: int) -> None:
        """From now on sends/edits to chat_id answer 400 with migrate_to_chat_id."""
        self._migrated[chat_id] = new_chat_id
        self._chats.setdefault(new_chat_id, {"id": new_chat_id, "type": "supergroup",
                                             "title": self._chat(chat_id).get("title", "Group")})

    @staticmethod
    def _take(queue_map: dict[str, deque], method: str):
        for key in (method.lower(), "*"):
            queue = queue_map.get(key)
            if queue:
                item = queue[0]
                item.remaining -= 1
                if item.remaining <= 0:
                    queue.popleft()
                return item
        return None

    # ------------------------------------------------------------------ inbound updates

    def push_update(self, update: dict) -> dict:
        """Queue an Update dict for getUpdates (assigns update_id if missing); returns it."""
        if "update_id" not in update:
            update["update_id"] = self._new_update_id()
        else:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._register_callback(update)
        uid = update["update_id"]
        index = len(self._updates)
        while index > 0 and self._updates[index - 1]["update_id"] > uid:
            index -= 1
        self._updates.insert(index, update)
        self._wake()
        return update

    def message_update(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        chat_title: str | None = None,
        reply_to: int | None = None,
        update_id: int | None = None,
        **extra: Any,
    ) -> dict:
        """An Update with a text message from user_id in chat_id.

        chat_type defaults from the id (positive: private, -100…: supergroup,
        other negative: group).  /commands and @mentions get entities.
        reply_to: message_id of a stored message in the chat to reply to.
        extra: more Message fields.  Not queued: pass it to push_update.
        """
        user = self._user(user_id, first_name, username)
        msg = self._user_message(chat_id, user, chat_type, chat_title, reply_to)
        msg["text"] = text
        entities = text_entities(text)
        if entities:
            msg["entities"] = entities
        msg.update(extra)
        return self._update("message", msg, update_id)

    def callback_update(
        self,
        chat_id: int,
        user_id: int,
        data: str,
        message_id: int,
        *,
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        callback_id: str | None = None,
        update_id: int | None = None,
        **extra: Any,
    ) -> dict:
        """An Update with a callback_query (a button press on message_id).

        The message is the stored one (text and reply_markup as sent by the
        bot) or a stand-in bot message.  The query id is registered, so
        answerCallbackQuery accepts it once.
        """
        user = self._user(user_id, first_name, username)
        chat = self._chat(chat_id, chat_type, user=user)
        entry = self._messages.get((chat_id, message_id))
        if entry is not None:
            message = copy.deepcopy(entry["message"])
            message.pop("reply_to_message", None)
        else:
            message = {"message_id": message_id, "from": dict(self.bot_user), "chat": chat,
                       "date": int(time.time()), "text": "…"}
        cq: dict[str, Any] = {
            "id": callback_id or str(next(self._callback_seq)),
            "from": user,
            "chat_instance": str(abs(chat_id) * 7919 % 10**19),
            "data": data,
            "message": message,
        }
        cq.update(extra)
        self._callback_queries.setdefault(cq["id"], False)
        return self._update("callback_query", cq, update_id)

    def document_update(
        self,
        chat_id: int,
        user_id: int,
        data: bytes = b"",
        *,
        file_name: str = "document.docx",
        mime_type: str | None = None,
        file_size: int | None = None,
        file_id: str | None = None,
        caption: str | None = None,
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        **extra: Any,
    ) -> dict:
        """An Update with a document message; the file is registered for getFile
        (file_size overrides len(data), e.g. to fake a 25 MB file)."""
        user = self._user(user_id, first_name, username)
        msg = self._user_message(chat_id, user, chat_type, None, None)
        info = self.register_file(
            file_id or self._file_id("BQACAgUAAxkBAAI"), data,
            file_path=f"documents/file_{next(self._file_seq)}{self._ext(file_name)}", file_size=file_size,
        )
        doc = {
            "file_name": file_name,
            "mime_type": mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_size": info["file_size"],
        }
        msg["document"] = doc
        if caption is not None:
            msg["caption"] = caption
        msg.update(extra)
        return self._update("message", msg, update_id)

    def photo_update(
        self,
        chat_id: int,
        user_id: int,
        data: bytes = b"",
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        file_size: int | None = None,
        file_id: str | None = None,
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        **extra: Any,
    ) -> dict:
        """An Update with a photo message: a thumbnail and the full size
        (the last PhotoSize); both registered for getFile with `data`."""
        user = self._user(user_id, first_name, username)
        msg = self._user_message(chat_id, user, chat_type, None, None)
        msg["photo"] = self._photo_sizes(data, width, height, file_size, file_id)
        if caption is not None:
            msg["caption"] = caption
        msg.update(extra)
        return self._update("message", msg, update_id)

    def my_chat_member_update(
        self,
        chat_id: int,
        user_id: int,
        *,
        old_status: str = "member",
        new_status: str = "kicked",
        chat_type: str | None = None,
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        apply: bool = True,
        **extra: Any,
    ) -> dict:
        """An Update with my_chat_member: user_id changed the bot's status in chat_id.

        Statuses: creator, administrator, member, restricted, left, kicked.
        Default: the user blocked the bot (member -> kicked).  apply=True also
        changes the server: left/kicked blocks sends (403), anything else unblocks.
        """
        user = self._user(user_id, first_name, username)
        chat = self._chat(chat_id, chat_type, user=user)
        body = {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": self._member(old_status),
            "new_chat_member": self._member(new_status),
        }
        body.update(extra)
        if apply:
            if new_status in ("left", "kicked"):
                self.block_chat(chat_id)
            else:
                self.unblock_chat(chat_id)
        return self._update("my_chat_member", body, update_id)

    def migrate_update(
        self,
        chat_id: int,
        new_chat_id: int,
        *,
        user_id: int = 1,
        first_name: str = "Test",
        update_id: int | None = None,
        apply: bool = True,
    ) -> dict:
        """An Update with the service message in the old group carrying
        migrate_to_chat_id.  apply=True also makes later sends to chat_id
        answer 400 with parameters.migrate_to_chat_id."""
        user = self._user(user_id, first_name, None)
        msg = self._user_message(chat_id, user, "group", None, None)
        msg["migrate_to_chat_id"] = new_chat_id
        if apply:
            self.migrate_chat(chat_id, new_chat_id)
        return self._update("message", msg, update_id)

    def register_file(
        self,
        file_id: str,
        data: bytes = b"",
        file_path: str | None = None,
        *,
        file_unique_id: str | None = None,
        file_size: int | None = None,
    ) -> dict:
        """Make file_id known to getFile and its bytes downloadable at
        /file/bot<TOKEN>/<file_path>.  Returns the File object."""
        seq = next(self._file_seq)
        info = {
            "file_id": file_id,
            "file_unique_id": file_unique_id or f"AgAD{seq:06d}",
            "file_size": len(data) if file_size is None else file_size,
            "file_path": file_path or f"documents/file_{seq}",
            "data": bytes(data),
        }
        self.files[file_id] = info
        self._files_by_path[info["file_path"]] = info
        return {k: v for k, v in info.items() if k != "data"}

    async def post_webhook(self, update: dict, *, secret_token: str | None = None, timeout: float = 5.0) -> int:
        """POST an Update to the URL set by setWebhook, with the secret header
        X-Telegram-Bot-Api-Secret-Token (the registered one unless given).
        Returns the HTTP status the receiver answered."""
        url = self.webhook.get("url")
        if not url:
            raise RuntimeError("no webhook set")
        self._register_callback(update)
        secret = secret_token if secret_token is not None else self.webhook.get("secret_token")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        async with ClientSession(timeout=ClientTimeout(total=timeout)) as session:
            async with session.post(url, json=update, headers=headers) as resp:
                await resp.read()
                return resp.status

    # builder helpers

    def _new_update_id(self) -> int:
        uid = self._next_update_id
        self._next_update_id += 1
        return uid

    def _update(self, kind: str, body: dict, update_id: int | None) -> dict:
        if update_id is None:
            update_id = self._new_update_id()
        else:
            self._next_update_id = max(self._next_update_id, update_id + 1)
        return {"update_id": update_id, kind: body}

    def _register_callback(self, update: dict) -> None:
        cq = update.get("callback_query")
        if isinstance(cq, dict) and "id" in cq:
            self._callback_queries.setdefault(str(cq["id"]), False)

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None) -> dict:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
        if username:
            user["username"] = username
        return user

    def _chat(self, chat_id: int, chat_type: str | None = None, *, user: dict | None = None,
              title: str | None = None) -> dict:
        known = self._chats.get(chat_id)
        if known is not None and chat_type in (None, known["type"]) and title is None:
            return dict(known)
        kind = chat_type or (known["type"] if known else _chat_kind(chat_id))
        if kind == "private":
            chat: dict[str, Any] = {"id": chat_id, "type": "private",
                                    "first_name": (user or {}).get("first_name", f"User {chat_id}")}
            if user and user.get("username"):
                chat["username"] = user["username"]
        else:
            chat = {"id": chat_id, "type": kind,
                    "title": title or (known or {}).get("title") or f"Nhóm {abs(chat_id)}"}
        self._chats[chat_id] = chat
        return dict(chat)

    def _new_message_id(self, chat_id: int) -> int:
        mid = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = mid + 1
        return mid

    def _user_message(self, chat_id: int, user: dict, chat_type: str | None, title: str | None,
                      reply_to: int | None) -> dict:
        chat = self._chat(chat_id, chat_type, user=user, title=title)
        msg: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to is not None:
            replied = self._messages.get((chat_id, reply_to))
            if replied is None:
                raise KeyError(f"no stored message {reply_to} in chat {chat_id}")
            quoted = copy.deepcopy(replied["message"])
            quoted.pop("reply_to_message", None)
            msg["reply_to_message"] = quoted
        self._messages[(chat_id, msg["message_id"])] = {"message": msg, "by_bot": False}
        return msg

    def _member(self, status: str) -> dict:
        bot = dict(self.bot_user)
        if status == "creator":
            return {"status": status, "user": bot, "is_anonymous": False}
        if status == "administrator":
            rights = dict.fromkeys(
                ["can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                 "can_change_info", "can_invite_users", "can_pin_messages"], True)
            rights.update(dict.fromkeys(
                ["can_be_edited", "is_anonymous", "can_promote_members", "can_post_stories", "can_edit_stories",
                 "can_delete_stories", "can_send_welcome_messages"], False))
            return {"status": status, "user": bot, **rights}
        if status == "restricted":
            perms = dict.fromkeys(
                ["can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                 "can_send_video_notes", "can_send_voice_notes", "can_send_polls", "can_send_other_messages",
                 "can_add_web_page_previews", "can_react_to_messages", "can_edit_tag", "can_change_info",
                 "can_invite_users", "can_pin_messages", "can_manage_topics"], False)
            return {"status": status, "user": bot, "is_member": True, "until_date": 0, **perms}
        if status == "kicked":
            return {"status": status, "user": bot, "until_date": 0}
        if status in ("member", "left"):
            return {"status": status, "user": bot}
        raise ValueError(f"unknown chat member status {status!r}")

    def _file_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._file_seq):08d}"

    @staticmethod
    def _ext(file_name: str | None) -> str:
        if file_name and "." in file_name:
            return "." + file_name.rsplit(".", 1)[1].lower()
        return ""

    def _photo_sizes(self, data: bytes, width: int, height: int, file_size: int | None,
                     file_id: str | None) -> list[dict]:
        sizes = []
        for (w, h), fid in (((90, max(1, 90 * height // max(width, 1))), None), ((width, height), file_id)):
            info = self.register_file(
                fid or self._file_id("AgACAgUAAxkBAAI"), data,
                file_path=f"photos/file_{next(self._file_seq)}.jpg", file_size=file_size,
            )
            sizes.append({"file_id": info["file_id"], "file_unique_id": info["file_unique_id"],
                          "file_size": info["file_size"], "width": w, "height": h})
        return sizes

    # ------------------------------------------------------------------ HTTP plumbing

    def _wake(self) -> None:
        event, self._new_update = self._new_update, asyncio.Event()
        event.set()

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._closing.is_set():
            return
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        raw: dict[str, Any] = {k: self._coerce(k, v) for k, v in request.query.items()}
        uploads: dict[str, UploadedFile] = {}
        ctype = request.content_type
        if request.can_read_body:
            if ctype == "application/json":
                body = await request.text()
                if body.strip():
                    try:
                        data = json.loads(body)
                    except ValueError as e:
                        raise bad("can't parse JSON object") from e
                    if not isinstance(data, dict):
                        raise bad("can't parse JSON object")
                    for key, value in data.items():
                        if key in JSON_KEYS and isinstance(value, str):
                            value = self._coerce(key, value)
                        raw[key] = value
            elif ctype == "multipart/form-data":
                reader = await request.multipart()
                while True:
                    part = await reader.next()
                    if part is None:
                        break
                    if not hasattr(part, "filename"):  # nested multipart: ignore
                        continue
                    if part.filename is not None:
                        uploads[part.name] = UploadedFile(
                            part.filename, part.headers.get("Content-Type"), bytes(await part.read())
                        )
                    else:
                        raw[part.name] = self._coerce(part.name, await part.text())
            elif ctype == "application/x-www-form-urlencoded":
                form = await request.post()
                for key in form:
                    raw[key] = self._coerce(key, str(form[key]))
            else:
                await request.read()
        params = raw
        files: dict[str, UploadedFile] = {}
        referenced = set()
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://"):]
                if name in uploads:
                    files[key] = uploads[name]
                    params[key] = uploads[name].data
                    referenced.add(name)
        for name, upload in uploads.items():
            if name not in referenced:
                files[name] = upload
                params[name] = upload.data
        return params, files

    @staticmethod
    def _coerce(key: str, value: str) -> Any:
        if key in STRING_KEYS and key not in JSON_KEYS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    def _answer(self, rec: Recorded, status: int, body: Any, raw_body: str | None = None) -> web.Response:
        rec.status = status
        rec.response = raw_body if raw_body is not None else body
        if status == 429:
            self._too_many += 1
            chat = rec.params.get("chat_id")
            if chat is not None and not isinstance(chat, (dict, list)):
                self._rejected[chat] += 1
        if raw_body is not None:
            return web.Response(status=status, text=raw_body, content_type="text/html")
        return web.json_response(body, status=status)

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        arrived = self.clock()
        try:
            params, files = await self._read_params(request)
            parse_error = None
        except ApiError as e:
            params, files, parse_error = {}, {}, e
        rec = Recorded(method, params, arrived, http_method=request.method, files=files,
                       headers=dict(request.headers))
        self.requests.append(rec)
        if request.match_info["token"] != self.token:
            return self._answer(rec, 401, _error_body(401, "Unauthorized"))
        fault = self._take(self._faults, method)
        delay = self._take(self._delays, method)
        raw_body = None
        if parse_error is not None:
            status, body = parse_error.status, parse_error.body()
        elif fault is not None:
            status, body, raw_body = fault.status, _error_body(fault.status, fault.description, fault.parameters), fault.raw_body
        else:
            handler = self._methods.get(method.lower())
            if handler is None:
                status, body = 404, _error_body(404, "Not Found")
            else:
                try:
                    result = await handler(params, rec)
                    if isinstance(result, tuple):  # (result, description)
                        body = {"ok": True, "result": result[0], "description": result[1]}
                    else:
                        body = {"ok": True, "result": result}
                    status = 200
                except ApiError as e:
                    status, body = e.status, e.body()
        if delay is not None:
            await self._sleep(delay.seconds)
        return self._answer(rec, status, body, raw_body)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        rec = Recorded("downloadFile", {"file_path": path}, self.clock(), http_method="GET",
                       headers=dict(request.headers))
        self.requests.append(rec)
        if request.match_info["token"] != self.token:
            return self._answer(rec, 401, _error_body(401, "Unauthorized"))
        fault = self._take(self._faults, "downloadFile")
        delay = self._take(self._delays, "downloadFile")
        if delay is not None:
            await self._sleep(delay.seconds)
        if fault is not None:
            return self._answer(rec, fault.status, _error_body(fault.status, fault.description, fault.parameters),
                                fault.raw_body)
        info = self._files_by_path.get(path)
        if info is None:
            return self._answer(rec, 404, _error_body(404, "Not Found"))
        rec.status = 200
        return web.Response(body=info["data"], content_type="application/octet-stream")

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(_error_body(404, "Not Found"), status=404)

    # ------------------------------------------------------------------ shared checks

    def _chat_id(self, p: dict, *, required: bool = True) -> int | None:
        chat_id = p.get("chat_id")
        if chat_id is None or chat_id == "":
            if required:
                raise bad("chat_id is empty")
            return None
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id == 0:
            raise bad("chat not found")
        return chat_id

    def _check_chat(self, chat_id: int) -> None:
        if chat_id in self._migrated:
            raise ApiError(400, MIGRATED, {"migrate_to_chat_id": self._migrated[chat_id]})
        if chat_id in self._blocked:
            raise ApiError(403, self._blocked[chat_id])

    def _check_limits(self, chat_id: int) -> None:
        if not self.enforce_limits:
            return
        now = self.clock()

        def wait_for(window: deque[float], limit: tuple[int, float]) -> float | None:
            count, span = limit
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= count:
                return window[len(window) - count] + span - now
            return None

        chat_window = self._chat_windows[chat_id]
        chat_limit = self.PRIVATE_LIMIT if chat_id > 0 else self.GROUP_LIMIT
        waits = [w for w in (wait_for(self._global_window, self.GLOBAL_LIMIT), wait_for(chat_window, chat_limit))
                 if w is not None]
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        self._global_window.append(now)
        chat_window.append(now)

    def _render(self, text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict]]:
        if parse_mode in (None, ""):
            return text, list(entities) if isinstance(entities, list) else []
        mode = str(parse_mode).lower()
        if mode == "html":
            return parse_html(text)
        if mode in ("markdown", "markdownv2"):
            return text, []
        raise bad("unsupported parse_mode")

    def _markup(self, markup: Any) -> dict | None:
        if markup in (None, ""):
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError as e:
                raise bad("can't parse reply keyboard markup JSON object") from e
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad("can't parse inline keyboard markup")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not str(button.get("text", "")):
                        raise bad("can't parse inline keyboard button: Text must be non-empty")
                    if "callback_data" in button:
                        size = len(str(button["callback_data"]).encode("utf-8"))
                        if size == 0 or size > CALLBACK_DATA_LIMIT:
                            raise bad("BUTTON_DATA_INVALID")
                    elif not (set(button) - {"text"}):
                        raise bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return markup

    def _store_bot_message(self, chat_id: int, content: dict, p: dict) -> dict:
        msg: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        reply_to = p.get("reply_to_message_id")
        if reply_to is None and isinstance(p.get("reply_parameters"), dict):
            reply_to = p["reply_parameters"].get("message_id")
        if isinstance(reply_to, int) and (chat_id, reply_to) in self._messages:
            quoted = copy.deepcopy(self._messages[(chat_id, reply_to)]["message"])
            quoted.pop("reply_to_message", None)
            msg["reply_to_message"] = quoted
        msg.update(content)
        self._messages[(chat_id, msg["message_id"])] = {"message": msg, "by_bot": True}
        return msg

    def _record_sent(self, method: str, chat_id: int, msg: dict, p: dict, **more: Any) -> None:
        entry = {
            "method": method,
            "chat_id": chat_id,
            "message_id": msg.get("message_id"),
            "text": p.get("text") if method.lower() in ("sendmessage", "editmessagetext") else None,
            "caption": p.get("caption"),
            "rendered": msg.get("text", msg.get("caption")),
            "parse_mode": p.get("parse_mode"),
            "reply_markup": self._markup(p.get("reply_markup")),
            "time": self.clock(),
        }
        entry.update(more)
        self.sent.append(entry)
        if method.lower() in SEND_METHODS:
            self._delivered[chat_id] += 1
        else:
            self._edits += 1

    @staticmethod
    def _inline(markup: dict | None) -> dict | None:
        return markup if markup and "inline_keyboard" in markup else None

    # ------------------------------------------------------------------ methods

    async def _get_me(self, p: dict, rec: Recorded) -> dict:
        return dict(self.bot_user)

    async def _get_updates(self, p: dict, rec: Recorded) -> list[dict]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = p.get("offset")
        limit = p.get("limit", 100)
        timeout = p.get("timeout", 0)
        try:
            limit = min(100, max(1, int(limit)))
            timeout = max(0.0, float(timeout))
        except (TypeError, ValueError) as e:
            raise bad("wrong parameter") from e
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        if isinstance(offset, int) and offset != 0:
            self._confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._available(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                break
            event = self._new_update
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        batch = copy.deepcopy(batch)
        if batch and self._duplicate_batches > 0:
            self._duplicate_batches -= 1
            batch = [u for u in batch for _ in (0, 1)]
        return batch

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._confirmed = max(self._confirmed, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= self._confirmed]
        else:
            keep = -offset
            self._updates = self._updates[-keep:] if keep else []
            if self._updates:
                self._confirmed = max(self._confirmed, self._updates[0]["update_id"])

    def _allowed(self, update: dict) -> bool:
        kinds = [k for k in update if k != "update_id"]
        kind = kinds[0] if kinds else ""
        if self._allowed_updates is None:
            return kind not in NOT_BY_DEFAULT
        return kind in self._allowed_updates

    def _available(self, limit: int) -> list[dict]:
        # updates the current allowed_updates exclude are dropped, as the real server never stores them
        self._updates = [u for u in self._updates if u["update_id"] >= self._confirmed and self._allowed(u)]
        return self._updates[:limit]

    async def _send_message(self, p: dict, rec: Recorded) -> dict:
        chat_id = self._chat_id(p)
        text = p.get("text")
        if text is None or not str(text).strip():
            raise bad("message text is empty")
        plain, entities = self._render(str(text), p.get("parse_mode"), p.get("entities"))
        if not plain.strip():
            raise bad("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad("message is too long")
        markup = self._markup(p.get("reply_markup"))
        self._check_chat(chat_id)
        self._check_limits(chat_id)
        content: dict[str, Any] = {"text": plain}
        if entities:
            content["entities"] = entities
        if self._inline(markup):
            content["reply_markup"] = markup
        msg = self._store_bot_message(chat_id, content, p)
        self._record_sent(rec.method, chat_id, msg, p)
        return copy.deepcopy(msg)

    def _find_own_message(self, p: dict, what: str) -> tuple[int, dict]:
        chat_id = self._chat_id(p)
        message_id = p.get("message_id")
        if not isinstance(message_id, int):
            raise bad("message identifier is not specified")
        self._check_chat(chat_id)
        entry = self._messages.get((chat_id, message_id))
        if entry is None:
            raise bad(f"message to {what} not found")
        if not entry["by_bot"] and what == "edit":
            raise bad("message can't be edited")
        return chat_id, entry

    async def _edit_message_text(self, p: dict, rec: Recorded) -> Any:
        text = p.get("text")
        if text is None or not str(text).strip():
            raise bad("message text is empty")
        plain, entities = self._render(str(text), p.get("parse_mode"), p.get("entities"))
        if not plain.strip():
            raise bad("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad("MESSAGE_TOO_LONG")
        markup = self._inline(self._markup(p.get("reply_markup")))
        if p.get("inline_message_id"):
            self.sent.append({"method": rec.method, "chat_id": None, "message_id": None,
                              "inline_message_id": p["inline_message_id"], "text": text, "caption": None,
                              "rendered": plain, "parse_mode": p.get("parse_mode"), "reply_markup": markup,
                              "time": self.clock()})
            self._edits += 1
            return True
        chat_id, entry = self._find_own_message(p, "edit")
        msg = entry["message"]
        if "text" not in msg:
            raise bad("there is no text in the message to edit")
        if msg["text"] == plain and msg.get("entities", []) == entities and msg.get("reply_markup") == markup:
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        msg["text"] = plain
        msg.pop("entities", None)
        if entities:
            msg["entities"] = entities
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        self._record_sent(rec.method, chat_id, msg, p)
        return copy.deepcopy(msg)

    async def _edit_message_reply_markup(self, p: dict, rec: Recorded) -> Any:
        markup = self._inline(self._markup(p.get("reply_markup")))
        if p.get("inline_message_id"):
            self._edits += 1
            return True
        chat_id, entry = self._find_own_message(p, "edit")
        msg = entry["message"]
        if msg.get("reply_markup") == markup:
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        msg["edit_date"] = int(time.time())
        self._record_sent(rec.method, chat_id, msg, p)
        return copy.deepcopy(msg)

    async def _delete_message(self, p: dict, rec: Recorded) -> bool:
        chat_id, _entry = self._find_own_message(p, "delete")
        del self._messages[(chat_id, p["message_id"])]
        return True

    async def _send_chat_action(self, p: dict, rec: Recorded) -> bool:
        chat_id = self._chat_id(p)
        if not p.get("action"):
            raise bad("action is empty")
        self._check_chat(chat_id)
        return True

    async def _answer_callback_query(self, p: dict, rec: Recorded) -> bool:
        query_id = p.get("callback_query_id")
        query_id = None if query_id is None else str(query_id)
        if query_id is None or self._callback_queries.get(query_id, True):
            raise bad(QUERY_INVALID[len("Bad Request: "):])
        text = p.get("text")
        if text is not None and len(str(text)) > CALLBACK_ANSWER_LIMIT:
            raise bad("MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    def _incoming_file(self, p: dict, rec: Recorded, field_name: str) -> tuple[bytes, str | None, dict | None]:
        value = p.get(field_name)
        if isinstance(value, (bytes, bytearray)):
            upload = rec.files.get(field_name)
            data = bytes(value)
            if not data:
                raise bad("file must be non-empty")
            if len(data) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            return data, upload.filename if upload else None, None
        if isinstance(value, str) and value:
            if value in self.files:
                return self.files[value]["data"], None, self.files[value]
            if value.startswith(("http://", "https://")):
                return b"", value.rsplit("/", 1)[-1] or None, None
            raise bad("wrong file identifier/HTTP URL specified")
        raise bad(f"there is no {field_name} in the request")

    def _caption(self, p: dict) -> tuple[str | None, list[dict]]:
        caption = p.get("caption")
        if caption in (None, ""):
            return None, []
        plain, entities = self._render(str(caption), p.get("parse_mode"), p.get("caption_entities"))
        if len(plain) > CAPTION_LIMIT:
            raise bad("message caption is too long")
        return plain, entities

    async def _send_document(self, p: dict, rec: Recorded) -> dict:
        chat_id = self._chat_id(p)
        data, filename, known = self._incoming_file(p, rec, "document")
        caption, entities = self._caption(p)
        markup = self._markup(p.get("reply_markup"))
        self._check_chat(chat_id)
        self._check_limits(chat_id)
        if known is not None:
            info = {k: v for k, v in known.items() if k != "data"}
            file_name = filename or known["file_path"].rsplit("/", 1)[-1]
        else:
            file_name = filename or "document"
            info = self.register_file(self._file_id("BQACAgUAAxkDAAI"), data,
                                      f"documents/file_{next(self._file_seq)}{self._ext(file_name)}")
        content: dict[str, Any] = {"document": {
            "file_name": file_name,
            "mime_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
            "file_id": info["file_id"],
            "file_unique_id": info["file_unique_id"],
            "file_size": info["file_size"],
        }}
        if caption is not None:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        if self._inline(markup):
            content["reply_markup"] = markup
        msg = self._store_bot_message(chat_id, content, p)
        self._record_sent(rec.method, chat_id, msg, p, document=data, filename=file_name, file_id=info["file_id"])
        return copy.deepcopy(msg)

    async def _send_photo(self, p: dict, rec: Recorded) -> dict:
        chat_id = self._chat_id(p)
        data, _filename, _known = self._incoming_file(p, rec, "photo")
        caption, entities = self._caption(p)
        markup = self._markup(p.get("reply_markup"))
        self._check_chat(chat_id)
        self._check_limits(chat_id)
        sizes = self._photo_sizes(data, 1280, 960, None, None)
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        if self._inline(markup):
            content["reply_markup"] = markup
        msg = self._store_bot_message(chat_id, content, p)
        self._record_sent(rec.method, chat_id, msg, p, photo=data, file_id=sizes[-1]["file_id"])
        return copy.deepcopy(msg)

    async def _get_file(self, p: dict, rec: Recorded) -> dict:
        file_id = p.get("file_id")
        info = self.files.get(str(file_id)) if file_id else None
        if info is None:
            raise bad("invalid file_id")
        if info["file_size"] > DOWNLOAD_LIMIT:
            raise bad("file is too big")
        return {k: v for k, v in info.items() if k != "data"}

    async def _set_webhook(self, p: dict, rec: Recorded) -> tuple[bool, str]:
        url = p.get("url") or ""
        if not url:
            return await self._delete_webhook(p, rec)
        parts = urlsplit(str(url))
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad("secret token contains unallowed characters")
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = allowed or None
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": allowed,
            "max_connections": p.get("max_connections", 40),
            "drop_pending_updates": p.get("drop_pending_updates", False),
        }
        return True, "Webhook was set"

    async def _delete_webhook(self, p: dict, rec: Recorded) -> tuple[bool, str]:
        had = bool(self.webhook.get("url"))
        if p.get("drop_pending_updates") is True:
            self._updates.clear()
        self.webhook = {"url": ""}
        return True, "Webhook was deleted" if had else "Webhook is already deleted"

    async def _get_webhook_info(self, p: dict, rec: Recorded) -> dict:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if info["url"]:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        if not isinstance(scope, dict):
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, p: dict, rec: Recorded) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        for cmd in commands:
            if not isinstance(cmd, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", ""))) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(p.get("scope"), p.get("language_code"))] = commands
        return True

    async def _get_my_commands(self, p: dict, rec: Recorded) -> list[dict]:
        return copy.deepcopy(self.commands.get(self._commands_key(p.get("scope"), p.get("language_code")), []))

    async def _delete_my_commands(self, p: dict, rec: Recorded) -> bool:
        self.commands.pop(self._commands_key(p.get("scope"), p.get("language_code")), None)
        return True
