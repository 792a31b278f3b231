"""Builds the platform-free core from the settings."""

from __future__ import annotations

from handlers.commands import router as commands
from handlers.core import Core
from handlers.router import Router


def build_router() -> Router:
    router = Router()
    router.include(commands)
    return router


def build_core(app) -> Core:
    return Core(app.sessions, build_router(), app.clock, app.settings)
