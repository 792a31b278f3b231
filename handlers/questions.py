"""Leaders' questions in plain Vietnamese (issue: questions). Filled in by its issue."""

from __future__ import annotations

from handlers.router import Router

router = Router()
