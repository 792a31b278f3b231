"""Platform-free registration of what the bot does: commands, option presses,
free text, and the forms (multi-step conversations) they may start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from dialogs.forms import DialogContext, Form, Reply
from services.texts import t

# A handler is given the event's handlers.context.Context and the command's
# arguments, the option's data or the text; a text or file handler returns None to pass.
Handler = Callable[..., Awaitable[list[Reply]]]
Passing = Callable[..., Awaitable[list[Reply] | None]]


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


def parse_command(text: str) -> tuple[str, str] | None:
    """'/baocao@tiendo_bot III.2' -> ('baocao@tiendo_bot', 'III.2'); None when not a command."""
    if not text.startswith("/"):
        return None
    name, _, args = text[1:].partition(" ")
    return name, args.strip()


@dataclass
class Router:
    commands: dict[str, Command] = field(default_factory=dict)
    options: list[tuple[str, Handler]] = field(default_factory=list)
    texts: list[Passing] = field(default_factory=list)
    files: list[Passing] = field(default_factory=list)
    forms: dict[str, Form] = field(default_factory=dict)

    def command(self, *names: str, roles: tuple[str, ...] = ("officer", "leader", "admin"), in_help: bool = True,
                in_group: str = SCOPED) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            for name in names:
                self.commands[name] = Command(name, handler, tuple(roles), in_help and name == names[0], in_group)
            return handler

        return register

    def option(self, prefix: str) -> Callable[[Handler], Handler]:
        """Handle a pressed option whose data starts with `prefix` outside any
        form; such options are personal (open a report, snooze): answered in private only."""

        def register(handler: Handler) -> Handler:
            self.options.append((prefix, handler))
            return handler

        return register

    def text(self, handler: Passing) -> Passing:
        """Free text, tried in order of registration; a handler returns None to pass."""
        self.texts.append(handler)
        return handler

    def file(self, handler: Passing) -> Passing:
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

    def command_named(self, name: str) -> Command | None:
        """The command '/name' or '/name@bot' calls."""
        return self.commands.get(name.split("@")[0].lower())

    async def answer_option(self, ctx: DialogContext, data: str) -> list[Reply] | None:
        """The handler of a pressed option's prefix; None when no prefix fits (it has expired)."""
        for prefix, handler in self.options:
            if data.startswith(prefix):
                return await handler(ctx, data[len(prefix):])
        return None

    async def answer_file(self, ctx: DialogContext, text: str) -> list[Reply] | None:
        """The first file handler that takes the file; None when none does."""
        for handler in self.files:
            replies = await handler(ctx, text)
            if replies is not None:
                return replies
        return None

    async def answer_text(self, ctx: DialogContext, text: str) -> list[Reply]:
        """The first text handler that answers, else "not understood"."""
        for handler in self.texts:
            replies = await handler(ctx, text)
            if replies is not None:
                return replies
        return [Reply(t("text_not_understood"))]


