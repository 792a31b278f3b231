"""A fake Zalo Bot Platform API server for tests.

An aiohttp application bound to 127.0.0.1 on a free port that answers the Bot
API methods the way the real server is documented to (DOMAIN.md, "Zalo Bot
Platform facts"): ``POST <base>/bot<TOKEN>/<method>`` with a JSON body,
answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}``.  It records every request, lets a test inject
failures and slow answers, queues incoming events for ``getUpdates`` and
POSTs them to a webhook, and serves static files for photo URLs::

    fake = FakeZalo()
    base_url = await fake.start()          # our client: base_url + f"/bot{fake.token}/sendMessage"
    fake.push(fake.text_event("u1", "u1", "III.2 xong"))

Behaviour kept from the real platform:
- ``getUpdates`` is a long poll (body ``{"timeout": seconds}``, a number or a
  numeric string, default 30).  There is no offset: each answer hands out the
  next queued event and forgets it; ``result`` is the event object itself
  (or a list of every queued event with ``updates_as_list=True``).  An idle
  poll answers HTTP 408 ``{"ok": false, "error_code": 408, "description":
  "Request timeout"}`` — not an error for the client, just poll again.
- Repeats happen (drop them by ``message_id``): :meth:`FakeZalo.repeat_next`.
- Webhook and getUpdates exclude each other: while a webhook is set,
  getUpdates answers 409.  One poller per token: a new getUpdates ends a
  pending one with 409 (the pending one hands out nothing).
- ``setWebhook`` needs ``url`` and ``secret_token`` (8–256 characters); the
  secret arrives in the header ``X-Bot-Api-Secret-Token``.  Webhook bodies
  come bare or wrapped in ``{"ok": true, "result": ...}``
  (:meth:`FakeZalo.post_webhook` ``wrapped=``).
- ``sendMessage`` text is 1–2000 characters, ``sendPhoto`` takes ``photo`` as
  a URL (never an upload) and an optional ``caption`` (≤ 2000), ``sendSticker``
  takes ``sticker``, ``sendChatAction`` takes ``action`` ("typing";
  "upload_photo" is also accepted).  Send results are ``{"message_id",
  "date"}`` (ms); ``sendChatAction`` answers ``{"ok": true}`` with no
  ``result`` (as in the platform's sample answer: don't rely on one).
- Wrong token: HTTP 401 ``{"ok": false, "error_code": 401, ...}``.

Deliberate simplifications (the real server differs or is undocumented):
- built-in errors answer with the HTTP status equal to ``error_code`` (400,
  401, 404, 408, 409); :meth:`FakeZalo.fail_next` can answer ``ok: false``
  with HTTP 200 (its default) or any status, to check the client reads
  ``ok`` and not only the status;
- any ``chat_id`` exists (no "user never messaged the bot" error), there is
  no monthly quota and no rate limit (inject them with ``fail_next``);
- ``setWebhook`` accepts plain ``http://`` only for loopback hosts, so
  :meth:`FakeZalo.post_webhook` can reach a local test app;
- photo URLs are not fetched unless ``fetch_photos=True``; a URL served by
  :meth:`FakeZalo.host_file` is resolved locally either way (``sent[i]
  ["photo_bytes"]``);
- a ``delay_next`` request is carried out at once, only its answer waits.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import mimetypes
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, web

__all__ = ["CAPTION_LIMIT", "SECRET_HEADER", "TEXT_LIMIT", "FakeZalo", "Recorded"]

TEXT_LIMIT = 2000
CAPTION_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
DEFAULT_POLL_TIMEOUT = 30.0
SECRET_HEADER = "X-Bot-Api-Secret-Token"

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

SEND_METHODS = frozenset({"sendmessage", "sendphoto", "sendsticker"})
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    408: "Request timeout",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
WEBHOOK_CONFLICT = "Conflict: getUpdates is not available while a webhook is set; call deleteWebhook first"
POLL_CONFLICT = "Conflict: terminated by another getUpdates request; only one poller per bot token"


# --------------------------------------------------------------------------- records


@dataclass
class Recorded:
    """One HTTP call to the fake, in arrival order.

    ``method`` is the API method as written in the URL ("sendMessage"), or
    "media" for a GET of a hosted file (``params == {"name": ...}``).
    ``params`` merges the query string and the JSON body.  ``status`` is the
    HTTP status answered (``None`` while a long poll or delayed answer is
    pending); ``response`` the JSON body answered.
    """

    method: str
    params: dict[str, Any]
    time: float
    status: int | None = None
    http_method: str = "POST"
    token: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    response: Any = None


class ApiError(Exception):
    def __init__(self, error_code: int, description: str | None = None, *, status: int | None = None):
        description = description or DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.status = error_code if status is None else status

    def body(self) -> dict:
        return _error_body(self.error_code, self.description)


def _error_body(error_code: int, description: str) -> dict:
    return {"ok": False, "error_code": error_code, "description": description}


def bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    status: int
    error_code: int
    description: str
    raw_body: str | None
    remaining: int


@dataclass
class _Delay:
    seconds: float
    remaining: int


class _NoResult:
    """Marker: answer ``{"ok": true}`` without a ``result`` key."""


NO_RESULT = _NoResult()


# --------------------------------------------------------------------------- the fake


class FakeZalo:
    """Fake Zalo Bot Platform server; see the module docstring."""

    BOT_ACCOUNT_NAME = "bot.tiendo_test"

    def __init__(
        self,
        token: str = "zalo-test-token-123",
        *,
        updates_as_list: bool = False,
        fetch_photos: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        #: getUpdates answers ``result: [events...]`` (every queued event) instead of one event object
        self.updates_as_list = updates_as_list
        #: sendPhoto GETs the photo URL and answers 400 unless it serves 200
        self.fetch_photos = fetch_photos
        self.clock = clock
        prefix = token.split(":", 1)[0]
        self.bot_info: dict[str, Any] = {
            "id": prefix if prefix.isdigit() and ":" in token else "1459232241454765289",
            "account_name": self.BOT_ACCOUNT_NAME,
            "account_type": "BASIC",
            "can_join_groups": True,
        }
        self.base_url = ""
        self.requests: list[Recorded] = []
        #: messages delivered by sendMessage / sendPhoto / sendSticker, in order
        self.sent: list[dict[str, Any]] = []
        #: events handed out by getUpdates (repeats included), in order
        self.delivered: list[dict] = []
        #: chat actions accepted: {"chat_id", "action", "time"}
        self.chat_actions: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": "", "updated_at": 0}
        self.files: dict[str, dict[str, Any]] = {}
        self._events: deque[dict] = deque()
        self._last_delivered: dict | None = None
        self._repeats = 0
        self._poll_seq = itertools.count(1)
        self._current_poll = 0
        self._new_event = asyncio.Event()
        self._closing = asyncio.Event()
        self._message_seq = itertools.count(1)
        self._faults: dict[str, deque[_Fault]] = defaultdict(deque)
        self._delays: dict[str, deque[_Delay]] = defaultdict(deque)
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[[dict, Recorded, web.Request], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "sendsticker": self._send_sticker,
            "sendchataction": self._send_chat_action,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> str:
        """Bind 127.0.0.1 on a free port; return the base URL (no trailing slash)."""
        if self._runner is not None:
            return self.base_url
        self._closing = asyncio.Event()
        self._new_event = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_route("GET", "/media/{name:.+}", self._handle_media)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(runner, sock)
        await site.start()
        self._runner = runner
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.base_url

    async def stop(self) -> None:
        """End pending long polls (they answer 408) and delayed answers, close the server."""
        self._closing.set()
        self._wake()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> FakeZalo:
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """``<base>/bot<TOKEN>``: append ``/<method>``."""
        return f"{self.base_url}/bot{self.token}"

    def url(self, method: str) -> str:
        return f"{self.api_url}/{method}"

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str) -> list[Recorded]:
        """Recorded requests for one method (case-insensitive), e.g. calls("sendMessage")."""
        key = method.lower()
        return [r for r in self.requests if r.method.lower() == key]

    def sent_to(self, chat_id: Any) -> list[dict]:
        return [s for s in self.sent if s["chat_id"] == chat_id]

    def texts(self, chat_id: Any | None = None) -> list[str]:
        """Texts (and photo captions) delivered, optionally to one chat."""
        out = []
        for s in self.sent:
            if chat_id is not None and s["chat_id"] != chat_id:
                continue
            value = s["text"] if s["text"] is not None else s["caption"]
            if value is not None:
                out.append(value)
        return out

    def pending_events(self) -> list[dict]:
        """Events queued and not yet handed out by getUpdates."""
        return copy.deepcopy(list(self._events))

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error_code: int | None = None,
        description: str | None = None,
        times: int = 1,
        raw_body: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" = any, "media" = hosted files) with an error.

        ``status`` is the HTTP status: 200 (default) answers ``ok: false`` with
        HTTP 200; 429/5xx give an HTTP error with the same JSON body.
        ``error_code`` defaults to ``status`` (400 when status is 200).
        ``raw_body`` replaces the JSON (e.g. an HTML page from a proxy).
        The request is recorded but not carried out: nothing is delivered,
        and a failed getUpdates hands out no event.
        """
        if error_code is None:
            error_code = status if status >= 400 else 400
        if description is None:
            description = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        self._faults[method.lower()].append(_Fault(status, error_code, description, raw_body, times))

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold back the answer to the next `times` calls of `method` ("*" = any).

        The request itself is carried out at once (a sendMessage is delivered,
        a getUpdates takes its event), only the answer waits — so a client
        read timeout loses the answer, not the action.
        """
        self._delays[method.lower()].append(_Delay(seconds, times))

    def repeat_next(self, times: int = 1) -> None:
        """The next `times` getUpdates answers hand out the previously handed-out event again
        (same ``message_id``), before any queued one."""
        if self._last_delivered is None:
            raise RuntimeError("repeat_next: getUpdates has not handed out any event yet")
        self._repeats += times
        self._wake()

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

    # ------------------------------------------------------------------ incoming events

    def push(self, event: dict) -> dict:
        """Queue an event for getUpdates; returns it."""
        self._events.append(event)
        self._wake()
        return event

    def text_event(
        self,
        chat_id: Any,
        user_id: Any,
        text: str,
        *,
        group: bool = False,
        display_name: str = "Người dùng",
        message_id: str | None = None,
        date: int | None = None,
    ) -> dict:
        return self._event(EVENT_TEXT, chat_id, user_id, group, display_name, message_id, date, {"text": text})

    def image_event(
        self,
        chat_id: Any,
        user_id: Any,
        photo_url: str,
        *,
        caption: str | None = None,
        group: bool = False,
        display_name: str = "Người dùng",
        message_id: str | None = None,
        date: int | None = None,
    ) -> dict:
        body: dict[str, Any] = {"photo_url": photo_url}
        if caption is not None:
            body["caption"] = caption
        return self._event(EVENT_IMAGE, chat_id, user_id, group, display_name, message_id, date, body)

    def sticker_event(
        self,
        chat_id: Any,
        user_id: Any,
        sticker: str = "0e078a2fb66a5f34067b",
        *,
        url: str | None = None,
        group: bool = False,
        display_name: str = "Người dùng",
        message_id: str | None = None,
        date: int | None = None,
    ) -> dict:
        body: dict[str, Any] = {"sticker": sticker}
        if url is not None:
            body["url"] = url
        return self._event(EVENT_STICKER, chat_id, user_id, group, display_name, message_id, date, body)

    def unsupported_event(
        self,
        chat_id: Any,
        user_id: Any,
        *,
        group: bool = False,
        display_name: str = "Người dùng",
        message_id: str | None = None,
        date: int | None = None,
    ) -> dict:
        """A message of a kind the platform does not pass on (file, voice, location...)."""
        return self._event(EVENT_UNSUPPORTED, chat_id, user_id, group, display_name, message_id, date, {})

    @staticmethod
    def raw_event(event: dict) -> dict:
        """A deep copy of `event`, unchecked: for shapes the builders don't make
        (unknown event_name, missing fields, wrong types)."""
        return copy.deepcopy(event)

    def new_message_id(self) -> str:
        """A fresh message id, 20 hex digits like the platform's."""
        return f"{next(self._message_seq):020x}"

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    def _event(self, name: str, chat_id: Any, user_id: Any, group: bool, display_name: str,
               message_id: str | None, date: int | None, body: dict) -> dict:
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else self.new_message_id(),
            "date": date if date is not None else self.now_ms(),
            "from": {"id": user_id, "display_name": display_name},
            "chat": {"id": chat_id, "chat_type": "GROUP" if group else "PRIVATE"},
        }
        message.update(body)
        return {"event_name": name, "message": message}

    # ------------------------------------------------------------------ webhook delivery

    async def post_webhook(
        self,
        event: dict,
        *,
        secret: str | None = None,
        wrapped: bool = False,
        timeout: float = 5.0,
    ) -> int:
        """POST `event` to the URL set by setWebhook with the header
        X-Bot-Api-Secret-Token (the registered secret unless `secret` is
        given; ``secret=""`` sends no header).  ``wrapped`` sends
        ``{"ok": true, "result": event}``.  Returns the receiver's HTTP status."""
        url = self.webhook.get("url")
        if not url:
            raise RuntimeError("post_webhook: no webhook set")
        if secret is None:
            secret = self.webhook.get("secret_token") or ""
        headers = {SECRET_HEADER: secret} if secret else {}
        body = {"ok": True, "result": event} if wrapped else event
        async with ClientSession(timeout=ClientTimeout(total=timeout)) as session:
            async with session.post(url, json=body, headers=headers) as resp:
                await resp.read()
                return resp.status

    # ------------------------------------------------------------------ static files

    def host_file(self, name: str, data: bytes, content_type: str | None = None) -> str:
        """Serve `data` at ``<base>/media/<name>`` (GET); return that URL.
        Use it for image events' ``photo_url`` and for photos the bot sends by URL."""
        if not self.base_url:
            raise RuntimeError("host_file: start() the fake first")
        if content_type is None:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self.files[name] = {"data": bytes(data), "content_type": content_type}
        return f"{self.base_url}/media/{quote(name)}"

    def hosted(self, url: str) -> bytes | None:
        """The bytes behind a URL of this server's file host, or None."""
        if not self.base_url or not url.startswith(self.base_url + "/media/"):
            return None
        info = self.files.get(unquote(url[len(self.base_url) + len("/media/"):]))
        return info["data"] if info else None

    # ------------------------------------------------------------------ HTTP plumbing

    def _wake(self) -> None:
        event, self._new_event = self._new_event, asyncio.Event()
        event.set()

    async def _sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._closing.is_set():
            return
        try:
            await asyncio.wait_for(self._closing.wait(), seconds)
        except TimeoutError:
            pass

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            raw = await request.read()
            if raw.strip():
                try:
                    data = json.loads(raw)
                except ValueError as e:
                    raise bad("body is not valid JSON") from e
                if not isinstance(data, dict):
                    raise bad("body must be a JSON object")
                params.update(data)
        return params

    def _answer(self, rec: Recorded, status: int, body: Any, raw_body: str | None = None) -> web.Response:
        rec.status = status
        rec.response = raw_body if raw_body is not None else body
        if raw_body is not None:
            return web.Response(status=status, text=raw_body, content_type="text/html")
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        token = request.match_info["token"]
        arrived = self.clock()
        try:
            params = await self._read_params(request)
            parse_error = None
        except ApiError as e:
            params, parse_error = {}, e
        rec = Recorded(method, params, arrived, http_method=request.method, token=token,
                       headers=dict(request.headers))
        self.requests.append(rec)
        if token != self.token:
            return self._answer(rec, 401, _error_body(401, "Unauthorized: invalid bot token"))
        fault = self._take(self._faults, method)
        delay = self._take(self._delays, method)
        raw_body = None
        if parse_error is not None:
            status, body = parse_error.status, parse_error.body()
        elif fault is not None:
            status, body, raw_body = fault.status, _error_body(fault.error_code, fault.description), fault.raw_body
        else:
            handler = self._methods.get(method.lower())
            if handler is None:
                status, body = 404, _error_body(404, f"Not Found: unknown method {method}")
            else:
                try:
                    result = await handler(params, rec, request)
                    body = {"ok": True} if result is NO_RESULT else {"ok": True, "result": result}
                    status = 200
                except ApiError as e:
                    status, body = e.status, e.body()
        if delay is not None:
            await self._sleep(delay.seconds)
        return self._answer(rec, status, body, raw_body)

    async def _handle_media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        rec = Recorded("media", {"name": name}, self.clock(), http_method="GET", headers=dict(request.headers))
        self.requests.append(rec)
        fault = self._take(self._faults, "media")
        delay = self._take(self._delays, "media")
        if delay is not None:
            await self._sleep(delay.seconds)
        if fault is not None:
            return self._answer(rec, fault.status, _error_body(fault.error_code, fault.description), fault.raw_body)
        info = self.files.get(name)
        if info is None:
            return self._answer(rec, 404, _error_body(404, "Not Found"))
        rec.status = 200
        return web.Response(body=info["data"], content_type=info["content_type"])

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        rec = Recorded(request.path, {}, self.clock(), http_method=request.method, headers=dict(request.headers))
        self.requests.append(rec)
        return self._answer(rec, 404, _error_body(404, "Not Found"))

    # ------------------------------------------------------------------ shared checks

    @staticmethod
    def _chat_id(p: dict) -> Any:
        chat_id = p.get("chat_id")
        if chat_id is None or (isinstance(chat_id, str) and not chat_id.strip()) or isinstance(chat_id, (dict, list, bool)):
            raise bad("chat_id is required")
        return chat_id

    @staticmethod
    def _text(p: dict, key: str, limit: int, *, required: bool) -> str | None:
        value = p.get(key)
        if value is None:
            if required:
                raise bad(f"{key} is required")
            return None
        if not isinstance(value, str):
            raise bad(f"{key} must be a string")
        if required and not value.strip():
            raise bad(f"{key} is empty")
        if len(value) > limit:
            raise bad(f"{key} is too long: {len(value)} characters, at most {limit}")
        return value

    def _deliver(self, method: str, chat_id: Any, **content: Any) -> dict:
        result = {"message_id": self.new_message_id(), "date": self.now_ms()}
        entry: dict[str, Any] = {
            "method": method,
            "chat_id": chat_id,
            "text": None,
            "photo": None,
            "caption": None,
            "sticker": None,
            "photo_bytes": None,
            "message_id": result["message_id"],
            "date": result["date"],
            "time": self.clock(),
        }
        entry.update(content)
        self.sent.append(entry)
        return result

    # ------------------------------------------------------------------ methods

    async def _get_me(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        return dict(self.bot_info)

    async def _get_updates(self, p: dict, rec: Recorded, request: web.Request) -> Any:
        if self.webhook.get("url"):
            raise ApiError(409, WEBHOOK_CONFLICT)
        raw_timeout = p.get("timeout", DEFAULT_POLL_TIMEOUT)
        try:
            timeout = max(0.0, float(raw_timeout))
        except (TypeError, ValueError) as e:
            raise bad("timeout must be a number of seconds") from e
        poll = next(self._poll_seq)
        self._current_poll = poll
        self._wake()  # a pending poll (older) sees it is superseded
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._current_poll != poll:
                raise ApiError(409, POLL_CONFLICT)
            if self.webhook.get("url"):
                raise ApiError(409, WEBHOOK_CONFLICT)
            if self._closing.is_set() or self._gone(request):
                break
            if self._repeats > 0 or self._events:
                return self._hand_out()
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            event = self._new_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        if self._current_poll == poll:
            self._current_poll = 0
        raise ApiError(408, "Request timeout")

    @staticmethod
    def _gone(request: web.Request) -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    def _hand_out(self) -> Any:
        self._current_poll = 0
        batch: list[dict] = []
        if self._repeats > 0 and self._last_delivered is not None:
            self._repeats -= 1
            batch.append(copy.deepcopy(self._last_delivered))
            if not self.updates_as_list:
                self.delivered.append(batch[0])
                return copy.deepcopy(batch[0])
        if self.updates_as_list:
            while self._events:
                batch.append(self._events.popleft())
        else:
            batch.append(self._events.popleft())
        self._last_delivered = copy.deepcopy(batch[-1])
        self.delivered.extend(copy.deepcopy(batch))
        if self.updates_as_list:
            return copy.deepcopy(batch)
        return copy.deepcopy(batch[0])

    async def _set_webhook(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        url = p.get("url")
        if not isinstance(url, str) or not url:
            raise bad("url is required")
        parts = urlsplit(url)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise bad("url must be an HTTPS URL")
        secret = p.get("secret_token")
        if not isinstance(secret, str) or not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise bad(f"secret_token must be {SECRET_MIN} to {SECRET_MAX} characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": self.now_ms()}
        self._wake()  # a pending poll now answers 409
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    async def _delete_webhook(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        self.webhook = {"url": "", "updated_at": self.now_ms()}
        return {"url": "", "updated_at": self.webhook["updated_at"]}

    async def _get_webhook_info(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        return {"url": self.webhook.get("url", ""), "updated_at": self.webhook.get("updated_at", 0)}

    async def _send_message(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        chat_id = self._chat_id(p)
        text = self._text(p, "text", TEXT_LIMIT, required=True)
        return self._deliver(rec.method, chat_id, text=text)

    async def _send_photo(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        chat_id = self._chat_id(p)
        photo = p.get("photo")
        if not isinstance(photo, str) or not photo.strip():
            raise bad("photo is required (a public URL)")
        if urlsplit(photo).scheme not in ("http", "https") or not urlsplit(photo).hostname:
            raise bad("photo must be a public http(s) URL")
        caption = self._text(p, "caption", CAPTION_LIMIT, required=False)
        data = self.hosted(photo)
        if self.fetch_photos and data is None:
            data = await self._fetch(photo)
        return self._deliver(rec.method, chat_id, photo=photo, caption=caption, photo_bytes=data)

    async def _fetch(self, url: str) -> bytes:
        try:
            async with ClientSession(timeout=ClientTimeout(total=5.0)) as session:
                async with session.get(url) as resp:
                    data = await resp.read()
                    if resp.status != 200:
                        raise bad(f"photo could not be fetched: HTTP {resp.status}")
                    return data
        except (TimeoutError, ClientError) as e:
            raise bad(f"photo could not be fetched: {e.__class__.__name__}") from e

    async def _send_sticker(self, p: dict, rec: Recorded, request: web.Request) -> dict:
        chat_id = self._chat_id(p)
        sticker = p.get("sticker")
        if not isinstance(sticker, str) or not sticker.strip():
            raise bad("sticker is required")
        return self._deliver(rec.method, chat_id, sticker=sticker)

    async def _send_chat_action(self, p: dict, rec: Recorded, request: web.Request) -> _NoResult:
        chat_id = self._chat_id(p)
        action = p.get("action")
        if action not in CHAT_ACTIONS:
            raise bad(f"action must be one of {sorted(CHAT_ACTIONS)}")
        self.chat_actions.append({"chat_id": chat_id, "action": action, "time": self.clock()})
        return NO_RESULT
