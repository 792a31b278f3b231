"""Sending outbox messages through the Telegram Bot API (aiogram)."""

from __future__ import annotations

import asyncio
import contextlib
import html
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import ChatMoved, Rejected, RetryAfter, Transient, Uncertain, Unreachable
from domain.messages import Outbound
from services.outbound import split_text
from storage.files import file_path

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_TEXT_LIMIT = 200
_PHOTO_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    if not message.options:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=o.label, callback_data=o.data)] for o in message.options]
    )


class TelegramTransport:
    platform = "telegram"

    def __init__(self, bot: Bot, files_dir: Path):
        self.bot = bot
        self.files_dir = Path(files_dir)

    async def deliver(self, message: Outbound) -> str | None:
        try:
            return await self._deliver(message)
        except TelegramRetryAfter as error:
            raise RetryAfter(error.retry_after) from None
        except TelegramMigrateToChat as error:
            raise ChatMoved(str(error.migrate_to_chat_id)) from None
        except TelegramForbiddenError as error:
            raise Unreachable(error.message) from None
        except TelegramServerError as error:
            raise Transient(error.message) from None
        except TelegramUnauthorizedError:  # the bot's token, not the message: kept until it is fixed
            raise Transient("unauthorized") from None
        except ClientDecodeError:  # not JSON, e.g. a proxy's HTML error page (its text may echo the URL)
            raise Transient("unreadable answer") from None
        except TelegramNetworkError as error:
            # A timeout may come after Telegram took the message; a refused connection cannot.
            if isinstance(error.__cause__, asyncio.TimeoutError):
                raise Uncertain(error.message) from None
            raise Transient(error.message) from None
        except TelegramBadRequest as error:
            raise Rejected(error.message) from None
        except TelegramAPIError as error:
            if "too many requests" in error.message.lower():
                raise RetryAfter(None) from None
            raise Rejected(error.message) from None

    async def _deliver(self, message: Outbound) -> str | None:
        bot, chat = self.bot, message.chat_id
        if message.toast and message.callback_id:
            await bot.answer_callback_query(message.callback_id, text=message.text[:CALLBACK_TEXT_LIMIT])
            return None
        text = html.escape(message.text, quote=False)
        parts = split_text(text, TEXT_LIMIT)
        markup = keyboard(message)
        sent_id: str | None = None
        if message.replace_message_id and len(parts) == 1 and not message.files:
            try:
                await bot.edit_message_text(text=text, chat_id=chat, message_id=int(message.replace_message_id),
                                            reply_markup=markup)
                sent_id = message.replace_message_id
            except TelegramBadRequest as error:
                if "not modified" in error.message:
                    sent_id = message.replace_message_id
        if sent_id is None and len(message.files) == 1 and len(text) <= CAPTION_LIMIT:
            sent_id = await self._send_file(chat, message.files[0], caption=text, markup=markup)
        elif sent_id is None:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                sent = await bot.send_message(chat, part, reply_markup=markup if last else None)
                sent_id = str(sent.message_id)
            for ref in message.files:
                sent_id = await self._send_file(chat, ref)
        if message.callback_id:
            with contextlib.suppress(TelegramBadRequest):  # too late to stop the spinner; the message is out
                await bot.answer_callback_query(message.callback_id)
        return sent_id

    async def _send_file(self, chat: str, ref: str, caption: str | None = None, markup=None) -> str:
        path = Path(ref) if Path(ref).is_absolute() else file_path(self.files_dir, ref)
        upload = FSInputFile(path, filename=path.name)
        if path.suffix.lower() in _PHOTO_SUFFIXES:
            sent = await self.bot.send_photo(chat, upload, caption=caption, reply_markup=markup)
        else:
            sent = await self.bot.send_document(chat, upload, caption=caption, reply_markup=markup)
        return str(sent.message_id)
