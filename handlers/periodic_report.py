"""/baocaoky: the periodic report in chat (issue: periodic report). Filled in by its issue."""

from __future__ import annotations

from handlers.router import Router

router = Router()
