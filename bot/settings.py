"""Settings read from the environment or a `.env` file."""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path("data")
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str = Field(default=f"sqlite+aiosqlite:///{DATA_DIR / 'tiendo.db'}")
    tz: str = "Asia/Ho_Chi_Minh"
    files_dir: Path = DATA_DIR / "files"
    dialog_ttl_hours: int = 24
    correction_window_hours: int = 24
    file_parse_seconds: float = 60  # an uploaded spreadsheet is read for at most this long
    # Report periods: "decree09" cuts data from the 15th of the month before the
    # period to the 14th of its last month (Decree 09/2019/NĐ-CP, art. 12).
    period_mode: str = "calendar"

    # Reminders and digests (bot/scheduler.py). Times are local (TZ); only
    # working days (Monday–Friday less the holidays of HOLIDAY_COUNTRY).
    holiday_country: str = "VN"
    extra_holidays: list[date] = []  # days off the holidays package does not know
    extra_working_days: list[date] = []  # make-up working days (a Saturday worked)
    reminder_hours_start: str = "07:30"  # no reminder before this
    reminder_hours_end: str = "17:30"  # nor after this
    reminder_days_before: list[int] = [7, 1]  # before a task's due date, and on the day
    reminder_overdue_every: int = 3  # working days between reminders of an overdue task
    reminder_escalate_after: int = 2  # unanswered reminders before the unit's leader is told
    report_reminder_days_before: list[int] = [7, 1]  # before each report period's cut-off
    reminder_platforms: list[str] = ["telegram", "zalo", "console"]  # preferred order per person
    digest_weekday: int = 4  # 0 = Monday … 4 = Friday
    digest_time: str = "16:00"
    digest_due_days: int = 14  # "due in the next N days" in the digest
    scheduler_interval_seconds: int = 60

    # Delivery (bot/delivery.py): a courier's lease on the messages it claimed,
    # renewed every heartbeat; retries of failures on the way, each wait capped.
    delivery_lease_seconds: float = 60
    delivery_heartbeat_seconds: float = 20
    delivery_retry_hours: float = 24
    delivery_backoff_cap_seconds: float = 60
    delivery_overall_per_second: float | None = None  # above the platform's default only if it allows more

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_monthly_quota: int = 3000  # the free plan's messages per month
    bot_public_url: str | None = None  # where this bot's HTTP server is reachable from outside
    bot_http_host: str = "0.0.0.0"
    bot_http_port: int = 8080

    # Inbound updates whose handling fails (bot/guard.py): tried this many
    # times in all (polling: waiting UPDATE_RETRY_BACKOFF_SECONDS, doubled each
    # time; webhook: the platform resends), then kept as a dead letter, skipped,
    # and the sender told. Telegram's start steps (getMe, setMyCommands,
    # deleteWebhook) are retried from TELEGRAM_START_BACKOFF_SECONDS, doubled, up to a minute.
    update_max_attempts: int = 3
    update_retry_backoff_seconds: float = 0.5
    telegram_start_backoff_seconds: float = 1.0

    def webhook_problems(self) -> list[str]:
        """Why the webhooks cannot be served safely: a webhook without a
        secret accepts forged updates. Telegram takes 1–256 characters of
        A-Za-z0-9_-; Zalo 8–256 characters."""
        problems = []
        if self.telegram_bot_token and self.telegram_webhook_url:
            secret = self.telegram_webhook_secret.get_secret_value() if self.telegram_webhook_secret else ""
            if not TELEGRAM_SECRET.fullmatch(secret):
                problems.append("telegram_secret_invalid")
        if self.zalo_bot_token and self.zalo_webhook_url:
            secret = self.zalo_webhook_secret.get_secret_value() if self.zalo_webhook_secret else ""
            if not 8 <= len(secret) <= 256:
                problems.append("zalo_secret_invalid")
        return problems

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)
