"""The command line's names: Dutch options, the old English ones as hidden aliases; light help.

The naming rule (README, "For developers"): what a user sees is Dutch. An option renamed keeps
its old name as an alias that still works but is never shown: not in help, not in an error
message, not in a "bedoel je …?".
"""

from __future__ import annotations

import re
import subprocess
import sys

import click
import pytest
from click.core import ParameterSource
from click.testing import CliRunner

import werkboek
from werkboek.cli import main
from werkboek.console import DutchChoice, DutchOption, Number

COMMANDS: dict[str, click.Command] = main.commands

ALIASES = [
    (name, param, alias)
    for name, command in sorted(COMMANDS.items())
    for param in command.params
    if isinstance(param, DutchOption)
    for alias in param.aliases
]

# the old names the naming rule replaced, every one of them still taken
EXPECTED = {
    "--content": "--inhoud",
    "--styles": "--stijlen",
    "--output": "--uitvoer",
    "--force": "--overschrijven",
    "--card-size": "--kaartformaat",
    "--jobs": "--taken",
    "--quiet": "--stil",
    "--booklet": "--boekje",
    "--signature": "--handtekening",
    "--attach": "--bijlage",
    "--workbook": "--werkboek",
    "--certificate": "--bewijs",
    "--send": "--verzenden",
    "--from": "--afzender",
    "--max-size": "--max-grootte",
    "--rate": "--tempo",
    "--retries": "--pogingen",
    "--resend-unknown": "--onzeker-opnieuw",
    "--port": "--poort",
    "--security": "--beveiliging",
    "--smtp-user": "--smtp-gebruiker",
    "--smtp-cafile": "--smtp-ca",
    "--workers": "--processen",
    "--host": "--adres",
    "--smtp-host": "--smtp-server",
    "--smtp-port": "--smtp-poort",
}

HEAVY = ("weasyprint", "pydantic", "starlette", "pikepdf", "pypdf", "pypdfium2", "uvicorn")


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="werkboek")


def long_name(param: click.Option) -> str:
    return max(param.opts, key=len)


def a_value(param: click.Parameter) -> list[str]:
    """A value the parameter takes, as it would be typed."""
    if isinstance(param, click.Option) and param.is_flag:
        return []
    if isinstance(param.type, DutchChoice):
        return [str(param.type.choices[-1])]
    if isinstance(param.type, Number):
        return ["7"]
    if param.name == "max_size":
        return ["5MB"]
    return ["iets"]


def required(command: click.Command, but: click.Parameter) -> list[str]:
    """What the command needs besides ``but``: its arguments and required options."""
    args: list[str] = []
    for param in command.params:
        if param is but:
            continue
        if isinstance(param, click.Argument) and param.required:
            args += ["iets"] * param.nargs
        elif isinstance(param, click.Option) and param.required:
            args += [long_name(param), *a_value(param)]
    return args


def test_every_old_name_is_an_alias_and_every_alias_is_listed():
    found = {alias: long_name(param) for _, param, alias in ALIASES}
    assert found == EXPECTED


@pytest.mark.parametrize(
    ("name", "param", "alias"), ALIASES, ids=[f"{n}-{a}" for n, _, a in ALIASES]
)
def test_an_alias_sets_the_same_parameter_as_the_dutch_name(name, param, alias):
    command = COMMANDS[name]
    values = {}
    for spelling in (long_name(param), alias):
        args = [*required(command, param), spelling, *a_value(param)]
        with command.make_context(name, args) as ctx:
            assert ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
            values[spelling] = ctx.params
    dutch, old = values.values()
    assert dutch == old
    assert dutch[param.name] != param.get_default(click.Context(command))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_only_the_dutch_names(name):
    help_text = run(name, "--help").stdout
    command = COMMANDS[name]
    for param in command.params:
        if isinstance(param, click.Option):
            for spelling in param.opts:
                assert re.search(rf"{spelling}(?![\w-])", help_text), spelling
    for alias in EXPECTED:
        assert not re.search(rf"{alias}(?![\w-])", help_text), alias


def test_an_old_name_works_end_to_end_like_the_dutch_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dutch = run("check", "--inhoud", "nergens", "--stil")
    old = run("check", "--content", "nergens", "--quiet")
    assert dutch.exit_code == old.exit_code == 1
    assert dutch.stderr == old.stderr
    assert dutch.stderr.startswith("fout: nergens")


def test_messages_name_the_dutch_option_whatever_was_typed():
    for spelling in ("--rate", "--tempo"):
        result = run("mail", "a.csv", "b.txt", spelling, "veel")
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0] == (
            "fout: ongeldige waarde voor '--tempo': 'veel' is geen getal"
        )
    near = run("build", "--outpt", "map")
    assert near.stderr.splitlines()[0] == "fout: onbekende optie --outpt; bedoel je '--uitvoer'?"
    missing = run("attendance", "recept.yaml")
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[0] == "fout: de optie --deelnemers ontbreekt"


def test_a_bad_value_from_the_environment_is_named_in_dutch(monkeypatch):
    monkeypatch.setenv("WERKBOEK_BEWAARTERMIJN", "abc")
    result = run("opschonen")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "fout: ongeldige waarde voor '--bewaartermijn' (omgevingsvariabele "
        "'WERKBOEK_BEWAARTERMIJN'): 'abc' is geen geheel getal"
    )


def test_help_loads_no_heavy_library():
    """``werkboek --help`` (and every command's) stays fast: nothing heavy is imported."""
    code = (
        "import sys\n"
        "from werkboek.cli import main\n"
        f"for args in [['--help'], *([name, '--help'] for name in {sorted(COMMANDS)!r})]:\n"
        "    try:\n"
        "        main(args, prog_name='werkboek')\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, (args, exc.code)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *HEAVY], capture_output=True, text=True, check=True
    )
    assert "Opdrachten:" in result.stdout
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_package_gives_its_names_on_first_use():
    for name in werkboek.__all__:
        value = getattr(werkboek, name)  # AttributeError if the package lost track of it
        assert vars(werkboek)[name] is value  # looked up once
    assert werkboek.Project.__module__ == "werkboek.project"
    with pytest.raises(AttributeError):
        werkboek.nothing_of_that_name  # noqa: B018
