"""Reminders, snoozes, leave and group digests in chat (issue: reminders and digests). Filled in by its issue."""

from __future__ import annotations

from handlers.router import Router

router = Router()
