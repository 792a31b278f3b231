"""Secrets never leave the process: every log line, traceback (with its
chained causes), uncaught error and CLI error line is redacted, even when a
platform answers with a page that echoes the request URL and its token."""

from __future__ import annotations

import html
import logging
import sys
import threading
import traceback
from urllib.parse import quote

MASK = "***"

_secrets: list[str] = []  # the secrets of this process, set by protect()


def secret_values(settings) -> list[str]:
    """The settings' secrets, and the forms they take inside a URL or a page.
    A bot token is "<bot id>:<secret part>"; the bot id is public, the part
    after the colon is what must never show, however the colon is escaped."""
    values: list[str] = []
    for name in ("telegram_bot_token", "zalo_bot_token", "telegram_webhook_secret", "zalo_webhook_secret"):
        secret = getattr(settings, name, None)
        if secret is not None:
            values.extend(forms(secret.get_secret_value()))
    return values


def forms(secret: str) -> list[str]:
    if not secret:
        return []
    values = {secret, quote(secret, safe=""), quote(secret), html.escape(secret)}
    _, colon, tail = secret.partition(":")
    if colon and len(tail) >= 8:
        values.add(tail)
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: list[str] | None = None) -> str:
    for secret in _secrets if secrets is None else sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def describe(error: BaseException, secrets: list[str] | None = None, limit: int = 1000) -> str:
    """"Class: message" on one line, redacted: for dead letters and the CLI."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    text = redact(text, secrets)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RedactSecrets(logging.Filter):
    """Redacts a record's message, exception text (chained causes included)
    and stack; without a list, the secrets protect() registered."""

    def __init__(self, secrets: list[str] | None = None):
        super().__init__()
        self.secrets = None if secrets is None else [form for s in secrets for form in forms(s)]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if redact(text, self.secrets) != text:
                record.exc_text, record.exc_info = text, None
        if record.exc_text:  # formatters print a cached exc_text as it is
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def _excepthook(kind, error, trace) -> None:
    sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace))))


def _thread_excepthook(args) -> None:
    if args.exc_type is not SystemExit:
        _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def protect(settings) -> None:
    """Register the settings' secrets and redact every path out of the
    process: the handlers of the root logger, Python's last-resort handler,
    warnings, and uncaught errors in the main thread and in threads."""
    _secrets[:] = secret_values(settings)
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def setup_logging(settings, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Zalo's carries the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    protect(settings)
