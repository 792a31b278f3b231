"""Builds the platform-free core from the settings."""

from __future__ import annotations

from handlers import commands, fallback, periodic_report, questions, reminders
from handlers.core import Core
from handlers.router import Router


def build_router() -> Router:
    router = Router()
    # Free-text handlers run in this order: quick reports, questions, then the help.
    for module in (commands, reminders, questions, periodic_report, fallback):
        router.include(module.router)
    return router


def build_core(app) -> Core:
    return Core(app.sessions, build_router(), app.clock, app.settings)
