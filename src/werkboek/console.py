"""The command line's conventions, in one place: Dutch help, one error form, exit statuses.

* Every error is printed on stderr as lines that start with ``fout:`` — one line per
  problem, ``fout: FILE:LINE:COL: pad: bericht`` when it has a place — and warnings as
  ``waarschuwing: …``.
* Exit status 0: done. 1: werkboek could not do it (a problem in an input file, a
  missing input file, a failed build, mail that did not all go out). 2: the command was
  used wrongly (an unknown option, a missing argument, a value an option does not take);
  then the line says how to get help.
* Help, usage lines and click's own messages are Dutch too.
* Options have Dutch names (``--uitvoer``). An option renamed keeps its old English name as
  a hidden alias (``option("--uitvoer", "-o", aliases=["--output"])``): it still works, but
  help, error messages and suggestions only ever name the Dutch one.
"""

from __future__ import annotations

import difflib
import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

from .errors import OutputError, WerkboekError, did_you_mean, disk_error, is_disk_error

HEADINGS = {
    "Options": "Opties",
    "Commands": "Opdrachten",
    "Arguments": "Argumenten",
    "Positionals": "Argumenten",
}


def error(line: str) -> None:
    click.echo(f"fout: {line}", err=True)


def warning(line: str) -> None:
    click.echo(f"waarschuwing: {line}")


class DutchHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Gebruik: " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HEADINGS.get(heading, heading))


class DutchContext(click.Context):
    formatter_class = DutchHelpFormatter


def _help_option(command: click.Command, ctx: click.Context) -> click.Option | None:
    names = command.get_help_option_names(ctx)
    if not names or not command.add_help_option:
        return None

    def show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit()

    return click.Option(
        names,
        is_flag=True,
        is_eager=True,
        expose_value=False,
        callback=show_help,
        help="Toon deze hulp en stop.",
    )


class DutchCommand(click.Command):
    context_class = DutchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(self, ctx)


class DutchGroup(click.Group):
    """The ``werkboek`` group: Dutch help, and click's usage errors in werkboek's form."""

    context_class = DutchContext
    command_class = DutchCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIES]")
        kwargs.setdefault("subcommand_metavar", "OPDRACHT [ARGUMENTEN]...")
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_option(self, ctx)

    def main(self, args: Sequence[str] | None = None, **extra: Any) -> Any:  # type: ignore[override]
        extra["standalone_mode"] = False
        try:
            result = super().main(args, **extra)
        except click.UsageError as exc:
            error(usage_message(exc))
            path = exc.ctx.command_path.split()[1:] if exc.ctx is not None else []
            command = " ".join(["werkboek", *path])
            click.echo(f"Meer weten: {command} --help", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("Afgebroken.", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            error(exc.format_message())
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else 0)


def usage_message(exc: click.UsageError) -> str:
    """Click's usage errors in Dutch (the common ones; others keep click's text)."""
    if isinstance(exc, click.NoSuchOption):
        # a near miss of a hidden alias is suggested as the option's Dutch name
        dutch = _dutch_names(exc.ctx.command) if exc.ctx is not None else {}
        close = difflib.get_close_matches(exc.option_name, exc.possibilities or [], cutoff=0.7)
        close = list(dict.fromkeys(dutch.get(name, name) for name in close))
        hint = "; bedoel je " + " of ".join(map(repr, close)) + "?" if close else ""
        return f"onbekende optie {exc.option_name}{hint}"
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        if isinstance(exc.param, click.Option):
            return f"de optie {max(exc.param.opts, key=len)} ontbreekt"
        return f"het argument {exc.param.human_readable_name} ontbreekt"
    if isinstance(exc, click.BadParameter):
        name = exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else "een waarde"
        return f"ongeldige waarde voor {name}: {exc.message}"
    message = exc.message
    if message.startswith("Got unexpected extra argument"):
        extra = message.split("(", 1)[-1].rstrip(")")
        return f"onverwacht extra argument: {extra}"
    if message.startswith("No such command"):
        name = message.split("'")[1] if "'" in message else message
        commands = exc.ctx.command.list_commands(exc.ctx) if exc.ctx else []  # type: ignore[attr-defined]
        return f"onbekende opdracht {name!r}{did_you_mean(name, commands)}"
    if message.startswith("Option") and "requires an argument" in message:
        return f"de optie {message.split()[1].strip(chr(39))} heeft een waarde nodig"
    return message


def _dutch_names(command: click.Command) -> dict[str, str]:
    """Each hidden alias of the command's options, and the name it stands for."""
    names = {}
    for param in command.params:
        if isinstance(param, DutchOption) and param.aliases:
            shown = max(param.opts, key=len)
            names.update(dict.fromkeys(param.aliases, shown))
    return names


class DutchOption(click.Option):
    """An option whose help says ``standaard:`` and ``omgevingsvariabele:``.

    ``aliases`` are old names that the parser still takes; they are not in ``opts``, so
    help, error hints and completion show only the Dutch names. Click has no aliases of its
    own: :meth:`add_to_parser` (public) registers the option a second time under them. The
    parser it gets is typed ``Any`` because its class is private to click.
    """

    def __init__(self, *args: Any, aliases: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = list(aliases)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        """The option's names for an error message, and its environment variable in Dutch
        (click says ``env var``)."""
        hint = " / ".join(f"'{name}'" for name in self.opts)
        if self.show_envvar and self.envvar:
            names = [self.envvar] if isinstance(self.envvar, str) else self.envvar
            hint += f" (omgevingsvariabele {', '.join(map(repr, names))})"
        return hint

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        if self.aliases:  # the same parameter once more, under its old names
            shown, secondary = self.opts, self.secondary_opts
            self.opts, self.secondary_opts = self.aliases, []
            try:
                super().add_to_parser(parser, ctx)
            finally:
                self.opts, self.secondary_opts = shown, secondary

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        extra = self.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append("omgevingsvariabele: " + ", ".join(extra["envvars"]))
        if "default" in extra:
            items.append(f"standaard: {extra['default']}")
        if "required" in extra:
            items.append("verplicht")
        help = self.help or ""
        if items:
            help = f"{help}  [{'; '.join(items)}]" if help else f"[{'; '.join(items)}]"
        return self.get_help_spec(ctx), help


def option(*names: str, **attributes: Any) -> Callable[..., Any]:
    """``click.option`` with werkboek's Dutch help (and ``aliases=``, see :class:`DutchOption`)."""
    return click.option(*names, cls=DutchOption, **attributes)


class Number(click.ParamType):  # type: ignore[type-arg]
    """A whole or decimal number with a lower bound, complained about in Dutch."""

    def __init__(self, kind: type[int] | type[float], minimum: float, maximum: float | None = None):
        self.kind, self.minimum, self.maximum = kind, minimum, maximum
        self.name = "getal"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = self.kind(str(value).replace(",", "."))
            except ValueError:
                whole = "geheel getal" if self.kind is int else "getal"
                self.fail(f"{value!r} is geen {whole}", param, ctx)
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            bound = (
                f"tussen {self.minimum:g} en {self.maximum:g}"
                if self.maximum
                else (f"minstens {self.minimum:g}")
            )
            self.fail(f"{value} kan niet; het moet {bound} zijn", param, ctx)
        return number


class DutchChoice(click.Choice[str]):
    """A choice whose complaint is Dutch."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        choices = " of ".join(repr(str(c)) for c in self.choices)
        self.fail(f"{value!r} kan niet; kies {choices}", param, ctx)


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print an expected failure as one ``fout:`` line per problem and exit with its status."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WerkboekError as exc:
            for line in exc.lines():
                error(line)
            if isinstance(exc, OutputError) and exc.replaceable:
                click.echo("Vervangen mag: dezelfde opdracht met --overschrijven.", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # a full disk, a read-only folder: where, and why, in Dutch
            if not is_disk_error(exc):
                raise
            for line in disk_error(exc).lines():
                error(line)
            sys.exit(1)

    return wrapper
