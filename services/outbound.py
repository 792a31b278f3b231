"""Shaping an outgoing message for its platform: options as a numbered list
where there are no buttons, and text cut under the platform's length limit."""

from __future__ import annotations

from dataclasses import replace

from domain.messages import PLATFORMS, Outbound
from services.texts import t


def finish(message: Outbound) -> list[Outbound]:
    """Shape a reply for its platform: options as a numbered list where there
    are no buttons, and text cut at line boundaries under the platform's limit
    (the options go with the last part, the press is answered by the first)."""
    caps = PLATFORMS.get(message.platform)
    if caps is None:
        return [message]
    if not caps.buttons and message.options:
        lines = [f"{i}. {o.label}" for i, o in enumerate(message.options, start=1)]
        message.text = f"{message.text}\n\n" + "\n".join(lines) + "\n" + t("type_option_number")
    parts = split_text(message.text, caps.text_limit)
    if len(parts) == 1:
        return [message]
    messages = [replace(message, text=part, options=[], files=[]) for part in parts]
    for later in messages[1:]:
        later.replace_message_id = later.callback_id = None
        later.toast = False
    messages[-1].options, messages[-1].files = message.options, message.files
    return messages


def split_text(text: str, limit: int) -> list[str]:
    """Cut at line boundaries into parts of at most `limit` characters (a
    longer line is cut where it must)."""
    if len(text) <= limit:
        return [text]
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]
