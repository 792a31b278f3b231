"""One shape for every place people talk to the bot: Telegram, Zalo, the
console and a simulated script.

A channel only translates:
* `parse` turns one platform update into the core's event
  (domain.messages.Inbound), or None when there is nothing for the core;
* `deliver` puts one Outbound where the person reads it;
* `capabilities` says what the platform shows: buttons (else numbered
  options), files, edits, the length of a text (domain.messages.PLATFORMS,
  which the core also reads when it shapes a message).
`receive` is the same everywhere: parse, the core, the replies out.

Telegram and Zalo are queued channels (QueuedChannel): the replies go to
the outbox in the core's transaction and the channel's courier
(bot/delivery.py) delivers them within the platform's limits; an update
that fails is tried again and at last kept as a dead letter by the
channel's guard (bot/guard.py). Facts told outside a conversation (a group
took the bot in, a group moved, a person blocked the bot) are written
through ChatRecords (bot/wiring.py), never by the adapter itself."""

from __future__ import annotations

import asyncio
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from aiohttp import web

from bot.delivery import Courier, Limits, Transport, courier_settings
from bot.guard import Origin, UpdateGuard
from bot.logs import forms, secret_values
from bot.wiring import ChatRecords, build_core
from domain.messages import PLATFORMS, Capabilities, Inbound, Outbound
from handlers.core import Core


class Scratch:
    """A folder for the files of one update (a photo, a document), made only
    when asked for and removed once the update is handled."""

    def __init__(self) -> None:
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def path(self) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory()
        return Path(self._folder.name)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._folder is not None:
            self._folder.cleanup()


class Channel(ABC):
    platform: ClassVar[str]

    def __init__(self, core: Core) -> None:
        self.core = core

    @property
    def capabilities(self) -> Capabilities:
        return PLATFORMS[self.platform]

    @abstractmethod
    async def parse(self, update: Any, scratch: Scratch) -> Inbound | None:
        """The core's event for one platform update; None when there is nothing for the core."""

    @abstractmethod
    async def deliver(self, message: Outbound) -> str | None:
        """Show one message; the platform's id of what was sent, if any."""

    async def receive(self, update: Any) -> list[Outbound]:
        """One update through the core; what the bot answered."""
        with Scratch() as scratch:
            event = await self.parse(update, scratch)
            if event is None:
                return []
            return await self.answer(event)

    async def answer(self, event: Inbound) -> list[Outbound]:
        """The core's replies, shown at once and in order."""
        replies = await self.core.handle(event)
        for message in replies:
            await self.deliver(message)
        return replies


class QueuedChannel(Channel):
    """A platform over the network: replies through the outbox and a courier,
    updates through a guard. Every such channel is built here, the same way."""

    limits: ClassVar[Limits]
    webhook_setting: ClassVar[str]  # the setting that, when set, has the platform push updates

    def __init__(self, app: Any, transport: Transport, token: str, *,
                 courier_options: dict[str, Any] | None = None) -> None:
        super().__init__(build_core(app))
        self.app = app
        self.transport = transport
        self.records = ChatRecords(app, self.platform)
        self.courier = Courier(app.sessions, transport, app.clock, self.limits, **self.courier_hooks(),
                               **{**courier_settings(app.settings), **(courier_options or {})})
        self.records.wake = self.courier.wake
        self.secrets = forms(token) + secret_values(app.settings)
        self.guard = UpdateGuard(app, self.platform, self.secrets, wake=self.courier.wake)

    @property
    def webhook(self) -> bool:
        return bool(getattr(self.app.settings, self.webhook_setting))

    def mount(self, web_app: web.Application) -> None:
        """The channel's HTTP routes: its webhook, when updates are pushed."""
        if self.webhook:
            self.add_routes(web_app)

    @abstractmethod
    def add_routes(self, web_app: web.Application) -> None:
        """Add the webhook's route."""

    @abstractmethod
    async def serve(self, stop: asyncio.Event) -> None:
        """Take updates until stopped: the start steps, then polling unless pushed."""

    @abstractmethod
    async def close(self) -> None:
        """Close the platform's connections."""

    def courier_hooks(self) -> dict[str, Any]:
        """What the courier reports back (a person unreachable, a chat moved, a round done)."""
        return {}

    async def deliver(self, message: Outbound) -> str | None:
        return await self.transport.deliver(message)

    async def answer(self, event: Inbound) -> list[Outbound]:
        """The replies go to the outbox with the core's writes; the courier sends them."""
        replies = await self.core.handle(event, outbox=True)
        if replies:
            self.courier.wake()
        return replies

    async def take(self, origin: Origin, payload: Any, update: Any) -> None:
        """Polling: one update, tried again until handled or a dead letter."""
        await self.guard.run(origin, payload, lambda: self.receive(update))

    async def take_pushed(self, origin: Origin, payload: Any, update: Any) -> bool:
        """A webhook: one update, once; False when the platform should send it again."""
        try:
            await self.receive(update)
        except Exception as error:
            return await self.guard.failed(origin, payload, error)
        return True

