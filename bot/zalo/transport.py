"""Sending outbox messages through the Zalo Bot Platform: text only, photos by URL."""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.delivery import Limits, Rejected, RetryAfter, Transient, Uncertain, Unreachable
from bot.media import media_url
from bot.zalo.client import TEXT_LIMIT, ZaloClient, ZaloError, ZaloUnreadable
from domain.messages import Outbound
from services.outbound import split_text
from services.texts import t

# Zalo publishes no flood limits; these keep well under Telegram's.
ZALO_LIMITS = Limits(overall_per_second=10, private_interval=0.5, group_per_minute=20)
_IMAGES = {".png", ".jpg", ".jpeg", ".webp"}


class ZaloTransport:
    platform = "zalo"

    def __init__(self, client: ZaloClient, files_dir: Path, public_base: str | None, media_secret: bytes):
        self.client = client
        self.files_dir = Path(files_dir)
        self.public_base = public_base
        self.media_secret = media_secret

    def _url(self, ref: str) -> str | None:
        if not self.public_base:
            return None
        return media_url(self.public_base, self.media_secret, self.files_dir, ref)

    async def deliver(self, message: Outbound) -> str | None:
        try:
            return await self._deliver(message)
        except ZaloUnreadable as error:
            raise Transient(f"{error.status}: {error.description}") from None
        except ZaloError as error:
            if error.status == 429 or error.code == 429:
                raise RetryAfter(None) from None
            if error.status >= 500 or error.status == 401 or error.code == 401:  # 401: the token, not the message
                raise Transient(error.description) from None
            if error.code == 403 or error.status == 403:
                raise Unreachable(error.description) from None
            raise Rejected(f"{error.code}: {error.description}") from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise Transient(type(error).__name__) from None
        except httpx.TransportError as error:  # the request may have arrived
            raise Uncertain(type(error).__name__) from None

    async def _deliver(self, message: Outbound) -> str | None:
        text = message.text
        photos, links = [], []
        for ref in message.files:
            url = self._url(ref)
            if url and Path(ref).suffix.lower() in _IMAGES:
                photos.append(url)
            elif url:
                links.append(url)
        if links:
            text = f"{text}\n" + "\n".join(t("download_link", url=url) for url in links)
        sent = None
        for part in split_text(text, TEXT_LIMIT):
            sent = await self.client.send_message(message.chat_id, part)
        for url in photos:
            sent = await self.client.send_photo(message.chat_id, url)
        return str(sent.get("message_id")) if isinstance(sent, dict) and sent.get("message_id") else None
