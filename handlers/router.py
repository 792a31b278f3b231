"""Platform-free registration of what the bot does: commands, option presses,
free text, and the forms (multi-step conversations) they may start."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from dialogs.forms import Form, Reply

Handler = Callable[..., Awaitable[list[Reply]]]


# How a command is answered in a group chat: within the group's scope; in
# private only (personal views: the group is told to message the bot); or even
# in a group not linked yet (/ketnoi, which links it).
SCOPED, PRIVATE, LINKS = "scoped", "private", "links"


@dataclass
class Command:
    name: str
    handler: Handler
    roles: tuple[str, ...]  # who may use it; "guest" means anyone, registered or not
    in_help: bool
    in_group: str = SCOPED


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)
    options: list[tuple[str, Handler]] = field(default_factory=list)
    texts: list[Handler] = field(default_factory=list)
    files: list[Handler] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)

    def command(self, *names: str, roles=("officer", "leader", "admin"), in_help: bool = True, in_group: str = SCOPED):
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = Command(name, handler, tuple(roles), in_help and name == names[0], in_group)
            return handler

        return register

    def option(self, prefix: str):
        """Handle a pressed option whose data starts with `prefix` outside any
        form; such options are personal (open a report, snooze): answered in private only."""

        def register(handler: Handler) -> Handler:
            self.options.append((prefix, handler))
            return handler

        return register

    def text(self, handler: Handler) -> Handler:
        """Free text, tried in order of registration; a handler returns None to pass."""
        self.texts.append(handler)
        return handler

    def file(self, handler: Handler) -> Handler:
        """A file sent outside any conversation; a handler returns None to pass."""
        self.files.append(handler)
        return handler

    def form(self, form: Form) -> Form:
        self.forms[form.name] = form
        return form

    def include(self, other: Router) -> None:
        self.commands.update(other.commands)
        self.options.extend(other.options)
        self.texts.extend(other.texts)
        self.files.extend(other.files)
        self.forms.update(other.forms)
