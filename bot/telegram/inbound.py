"""Telegram updates as the core's events: translation only.

A message, a button press or a file becomes an Inbound event; everything the
bot says comes from the core."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram.types import CallbackQuery, Document, Message, PhotoSize, User

from domain.messages import Inbound

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile serves files up to 20 MB
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MAX_NAME = 200


def file_name(attachment: Document | PhotoSize) -> str:
    """The sender's file name as a name only: no folders, no control
    characters, never "." or ".."; a made-up one when nothing is left."""
    given = (getattr(attachment, "file_name", None) or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in given if ch.isprintable()).strip()[-MAX_NAME:]
    if name.strip("."):
        return name
    if hasattr(attachment, "file_name"):
        return f"tep-{attachment.file_unique_id}"
    return f"anh-{attachment.file_unique_id}.jpg"


def safe_suffix(name: str) -> str:
    suffix = Path(name).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""


def chat_type(message: Message) -> str:
    return "private" if message.chat.type == "private" else "group"


def attachment_of(message: Message) -> Document | PhotoSize | None:
    """The document, or the largest size of the photo, the message carries."""
    return message.document or (message.photo[-1] if message.photo else None)


def message_fields(message: Message, sender: User, update_id: int, me: User, at: datetime) -> dict[str, Any]:
    """The event's fields for a message from a person (its file, if any, is fetched by the channel)."""
    text = message.text or message.caption or ""
    mention = f"@{me.username}".lower() if me.username else None
    reply = message.reply_to_message
    replying_to_bot = reply is not None and reply.from_user is not None and reply.from_user.id == me.id
    return dict(
        platform="telegram", chat_id=str(message.chat.id), user_id=str(sender.id),
        at=at, text=text, chat_type=chat_type(message),
        display_name=sender.full_name, message_id=f"u{update_id}",
        addressed=bool(mention and mention in text.lower()) or replying_to_bot,
    )


def press_event(query: CallbackQuery, update_id: int, at: datetime) -> Inbound | None:
    """A pressed button; None when the button's message or data is gone."""
    message = query.message
    if message is None or query.data is None:
        return None
    return Inbound(
        platform="telegram", chat_id=str(message.chat.id), user_id=str(query.from_user.id), at=at,
        option=query.data, chat_type="private" if message.chat.type == "private" else "group",
        display_name=query.from_user.full_name, message_id=f"u{update_id}", addressed=True,
        option_message_id=str(message.message_id), callback_id=query.id,
    )
