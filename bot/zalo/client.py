"""A small client of the Zalo Bot Platform API (Telegram-like, JSON over POST).

The PyPI SDKs for this API are young and cover little; the API is a handful
of methods, so we speak it directly with httpx."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000


class ZaloError(Exception):
    def __init__(self, status: int, code: int | None, description: str):
        super().__init__(f"{status}/{code}: {description}")
        self.status, self.code, self.description = status, code, description


class ZaloUnreadable(ZaloError):
    """The answer is not the API's JSON (a proxy's HTML error page, a cut body)."""


class ZaloClient:
    def __init__(self, token: str, base: str = DEFAULT_BASE, timeout: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._token = token
        self._base = base.rstrip("/")
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, http_timeout: float | None = None, **params):
        url = f"{self._base}/bot{self._token}/{method}"
        request_timeout = httpx.Timeout(http_timeout) if http_timeout is not None else self.http.timeout
        response = await self.http.post(url, json={k: v for k, v in params.items() if v is not None},
                                        timeout=request_timeout)
        try:
            body = response.json()
        except ValueError:
            raise ZaloUnreadable(response.status_code, None, "not JSON") from None
        if not isinstance(body, dict) or "ok" not in body:
            raise ZaloUnreadable(response.status_code, None, "not an API answer")
        if response.status_code == 200 and body.get("ok"):
            return body.get("result")
        raise ZaloError(response.status_code, body.get("error_code"), str(body.get("description", "")))

    async def get_me(self):
        return await self.call("getMe")

    async def get_updates(self, timeout: int = 30) -> list[dict]:
        """Long poll; an idle poll (HTTP 408) is not an error but no update."""
        try:
            result = await self.call("getUpdates", http_timeout=timeout + 10, timeout=timeout)
        except ZaloError as error:
            if error.status == 408 or error.code == 408:
                return []
            raise
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    async def set_webhook(self, url: str, secret_token: str):
        return await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self):
        return await self.call("deleteWebhook")

    async def get_webhook_info(self):
        return await self.call("getWebhookInfo")

    async def send_message(self, chat_id: str, text: str):
        return await self.call("sendMessage", chat_id=chat_id, text=text)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None):
        return await self.call("sendPhoto", chat_id=chat_id, photo=photo_url, caption=caption)

    async def send_chat_action(self, chat_id: str, action: str = "typing"):
        return await self.call("sendChatAction", chat_id=chat_id, action=action)
