"""The plan model. Status history is append-only: nothing here is overwritten."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import true as sql_true
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite forgets the zone, so add it back."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON, list: JSON}


STATUSES = ("not_started", "in_progress", "done", "stuck")
# What a status update is: a report of the task's status, by someone who may
# set it (the lead unit, its leaders, admins), or a coordinating unit's
# contribution (a note or evidence), which never becomes the task's status.
UPDATE_KINDS = ("status", "contribution")
ROLES = ("officer", "leader", "admin")


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("year", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    number: Mapped[str | None] = mapped_column(String(100))
    year: Mapped[int]
    issuing_unit: Mapped[str | None] = mapped_column(String(300))
    source_file: Mapped[str | None] = mapped_column(String(500))
    imported_at: Mapped[datetime]

    areas: Mapped[list[Area]] = relationship(back_populates="plan", order_by="Area.position")


class Area(Base):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int]

    plan: Mapped[Plan] = relationship(back_populates="areas")


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", order_by="UnitAlias.id", cascade="all, delete-orphan"
    )


class UnitAlias(Base):
    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")


class UnitGroup(Base):
    """A collective phrase: every unit ("Các phòng, ban, trung tâm") or named members."""

    __tablename__ = "unit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    all_units: Mapped[bool] = mapped_column(Boolean, default=False)


class UnitGroupMember(Base):
    __tablename__ = "unit_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("unit_groups.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("plan_id", "code"), Index("ix_tasks_due_date", "due_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    timeline: Mapped[str | None] = mapped_column(String(500))
    due_date: Mapped[date | None] = mapped_column(Date)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    conditional: Mapped[bool] = mapped_column(Boolean, default=False)
    milestones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    budget_vnd: Mapped[int | None] = mapped_column(BigInteger)
    budget_text: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # A task dropped from a revised plan keeps its history but leaves the plan.
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    area: Mapped[Area] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="task", order_by="Assignment.id", cascade="all, delete-orphan"
    )


class Assignment(Base):
    """A unit or a unit group on a task, as lead ("lead") or coordinating ("coordinating")."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_unit", "unit_id", "role"), Index("ix_assignments_task", "task_id", "role"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("unit_groups.id"))

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit | None] = relationship()
    group: Mapped[UnitGroup | None] = relationship()


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(20))

    unit: Mapped[Unit | None] = relationship()
    identities: Mapped[list[ChatIdentity]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class ChatIdentity(Base):
    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    # Set when the platform says the person blocked the bot (Telegram 403).
    unreachable_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="identities")


class StatusUpdate(Base):
    __tablename__ = "status_updates"
    __table_args__ = (Index("ix_status_updates_task_time", "task_id", "reported_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"))
    status: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    file_ref: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    reported_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("status_updates.id"))
    # "status" or "contribution" (UPDATE_KINDS). A contribution keeps the
    # status the task had when it was written, and is skipped wherever the
    # newest update is read as the status.
    kind: Mapped[str] = mapped_column(String(20), default="status", server_default="status")

    reporter: Mapped[Person | None] = relationship()

    @property
    def is_contribution(self) -> bool:
        return self.kind == "contribution"


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    unit_of_measure: Mapped[str | None] = mapped_column(String(50))
    target: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    direction: Mapped[str] = mapped_column(String(2))  # ">=" or "<="


class IndicatorValue(Base):
    __tablename__ = "indicator_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    reported_at: Mapped[datetime]
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class DialogState(Base):
    """Where a person is in a conversation; read and written on every event."""

    __tablename__ = "dialog_states"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(100))
    dialog: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    filled: Mapped[list[Any]] = mapped_column(JSON, default=list)  # slot names in the order answered
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[label, data], ...] last offered
    updated_at: Mapped[datetime]


class ProcessedEvent(Base):
    """Inbound events already handled, so that a redelivery is a no-op."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_key"), Index("ix_processed_events_at", "processed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_key: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime]


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    role: Mapped[str] = mapped_column(String(20))
    uses_left: Mapped[int]
    expires_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime]

    unit: Mapped[Unit | None] = relationship()


class InviteAttempt(Base):
    """A wrong invite code typed in a chat: counted to slow down guessing."""

    __tablename__ = "invite_attempts"
    __table_args__ = (Index("ix_invite_attempts_chat", "platform", "chat_id", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    attempted_at: Mapped[datetime]


class GroupLink(Base):
    """A group chat that follows the plan, or one unit of it (scope_unit_id)."""

    __tablename__ = "group_links"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    linked_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The weekly digest: weekday (0 = Monday) and "HH:MM"; None = the settings' default.
    digest_weekday: Mapped[int | None]
    digest_time: Mapped[str | None] = mapped_column(String(5))
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sql_true())

    scope_unit: Mapped[Unit | None] = relationship()


class OutboxMessage(Base):
    """A message to deliver, written in the transaction that decided to send
    it, so that a crash between deciding and sending loses nothing."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "platform", "status", "id"),
        Index("ix_outbox_chat", "platform", "chat_id", "status", "id"),  # what holds a chat's later messages
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[label, data], ...]
    files: Mapped[list[Any]] = mapped_column(JSON, default=list)
    replace_message_id: Mapped[str | None] = mapped_column(String(100))  # edit this message if the platform can
    callback_id: Mapped[str | None] = mapped_column(String(200))  # a button press to answer
    # a short notice, shown on the pressed button if possible
    toast: Mapped[bool] = mapped_column(Boolean, default=False)
    # pending -> sending -> sent | failed | expired (a button's answer too late to show)
    #   | unknown (handed over several times, never an answer); sending -> pending to retry later.
    # See bot/delivery.py for the policy.
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # requests made (hand-overs)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    platform_message_id: Mapped[str | None] = mapped_column(String(100))
    # The delivery lease (wall-clock times): the courier holding a `sending` row
    # and until when; another courier takes the row over once that time passed.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    handed_at: Mapped[datetime | None]  # written before the request leaves; cleared when its answer is known
    unanswered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # hand-overs with no answer
    not_before: Mapped[datetime | None]  # a retry waits until then
    retrying_since: Mapped[datetime | None]  # first transient failure: retries stop a window after it


class ScheduleClaim(Base):
    """A scheduled message (a digest, a reminder, an escalation) claimed before
    it is sent: the unique key (kind, target, period) makes it go out once,
    whatever the number of schedulers, crashes or restarts. Its outbox rows are
    written in the same transaction."""

    __tablename__ = "schedule_claims"
    __table_args__ = (UniqueConstraint("key"), Index("ix_schedule_claims_created", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # digest | reminder | report | snooze | escalation
    target: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]


class ReminderLog(Base):
    """One task reminded to one unit's people (a row per task in a claimed
    reminder); unanswered rows are what an escalation counts."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        Index("ix_reminder_log_open", "answered_at", "sent_at"),
        Index("ix_reminder_log_task", "task_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("schedule_claims.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    people: Mapped[list[Any]] = mapped_column(JSON, default=list)  # person ids reminded
    sent_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]  # a snooze acknowledges; a status update answers by itself


class ReminderMessage(Base):
    """The tasks one person was reminded of at one tick ("Nhắc lại sau" on that message snoozes them)."""

    __tablename__ = "reminder_messages"
    __table_args__ = (Index("ix_reminder_messages_person", "person_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    task_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime]


class ReminderSnooze(Base):
    """"Nhắc lại sau": no reminder of this task to this person before `until`, then one."""

    __tablename__ = "reminder_snoozes"
    __table_args__ = (UniqueConstraint("person_id", "task_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class PersonLeave(Base):
    """A person away from `starts` to `until` (both included): their reminders go to a colleague or the leader."""

    __tablename__ = "person_leaves"
    __table_args__ = (UniqueConstraint("person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    starts: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class SchedulerState(Base):
    """One row: the schedulers queue on it (a row lock) and it remembers the last tick."""

    __tablename__ = "scheduler_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    locked_at: Mapped[datetime | None]
    last_tick_at: Mapped[datetime | None]  # the last tick within working hours


class DeadLetter(Base):
    """An inbound update whose handling failed: counted here on every failure
    (several processes may serve one webhook), and once it failed the allowed
    number of times, dead (dead_at set): skipped, its sender told, kept for
    the admins (`python -m bot dead-letters`)."""

    __tablename__ = "dead_letters"
    __table_args__ = (UniqueConstraint("platform", "update_key"), Index("ix_dead_letters_last_seen", "last_seen_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    update_key: Mapped[str] = mapped_column(String(200))  # Telegram update_id, Zalo message_id
    chat_id: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # the raw update as JSON, truncated
    error: Mapped[str] = mapped_column(Text)  # "Class: message", secrets redacted, of the last failure
    attempts: Mapped[int] = mapped_column(Integer)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    dead_at: Mapped[datetime | None]
