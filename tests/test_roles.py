"""Roles on an organisation's server: trainers and beheerders, shared and own recipes, the
beheerder's page, and no request of one trainer that reaches another's data."""

from __future__ import annotations

import io
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pypdf
import pytest
import yaml
from click.testing import CliRunner
from starlette.routing import Mount, Route

from webserver import running
from werkboek.cli import main
from werkboek.mail.log import SendLog
from werkboek.mail.mailing import session_actor
from werkboek.store.accounts import Accounts
from werkboek.store.database import connect, migrations
from werkboek.web.app import routes
from werkboek.web.config import ServerConfig

PASSWORD = "lang-genoeg-wachtwoord"
SHARED = {"titel": "Gedeelde startdag", "onderdelen": [{"notities": 1}]}
SECRET_TITLE = "Annas geheime training"
PARTICIPANT = "Zoë Geheimnaam"
ADDRESS = "zoe.geheim@voorbeeld.nl"
BRAM_PARTICIPANT = "Wouter Verborgen"
BRAM_ADDRESS = "wouter.verborgen@voorbeeld.nl"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def log_in(client: httpx.Client, name: str) -> None:
    csrf = csrf_of(client.get("/inloggen"))
    answer = client.post(
        "/inloggen",
        data={"csrf": csrf, "naam": name, "wachtwoord": PASSWORD, "volgende": "/werkboek"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]


def post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    csrf = csrf_of(client.get("/werkboek"))
    return client.post(path, data={"csrf": csrf, **data}, follow_redirects=False)


# ------------------------------------------------------------------ the store and the CLI


def test_roles_are_set_and_each_account_has_a_space_never_reused(tmp_path):
    accounts = Accounts(tmp_path / "db.sqlite")
    anna = accounts.add("anna", PASSWORD)
    assert anna.role == "trainer" and anna.space.startswith("ruimte-")
    accounts.remove("anna")
    again = accounts.add("anna", PASSWORD)
    assert again.id == anna.id and again.space != anna.space  # (the row id came back)
    assert accounts.set_role("anna", "beheerder").is_beheerder
    assert accounts.get("anna").role == "beheerder"
    with pytest.raises(Exception, match="bestaat niet"):
        accounts.set_role("niemand", "trainer")
    with pytest.raises(Exception, match="rol 'baas' bestaat niet"):
        accounts.set_role("anna", "baas")


def test_removing_an_account_erases_its_space_and_nothing_of_another(tmp_path):
    """``werkboek gebruikers verwijderen``: the account's own recipes, draft, training day's
    list, mail folder and jobs go with it; the other trainer's stay."""
    from werkboek.store.day_lists import DayLists
    from werkboek.web.drafts import Draft, Drafts

    state = tmp_path / ".web"
    database = state / "werkboek.sqlite"
    accounts = Accounts(database)
    anna, bram = accounts.add("anna", PASSWORD), accounts.add("bram", PASSWORD)
    for who in (anna, bram):
        for folder in ("recepten", "mail", "dag"):
            (state / folder / who.space).mkdir(parents=True)
            (state / folder / who.space / "iets").write_text("Chantal Özdemir", "utf-8")
        Drafts(database).save(who.space, Draft(titel=f"Werkboek van {who.name}"))
        DayLists(database).save(who.space, "naam\nChantal Özdemir\n")
    removed = CliRunner().invoke(
        main, ["gebruikers", "verwijderen", "anna", "--database", str(database)]
    )
    assert removed.exit_code == 0 and removed.stdout == "verwijderd: anna\n"
    assert [a.name for a in accounts.all()] == ["bram"]
    for folder in ("recepten", "mail", "dag"):
        assert not (state / folder / anna.space).exists()
        assert (state / folder / bram.space / "iets").is_file()
    assert Drafts(database).get(anna.space).titel != "Werkboek van anna"
    assert Drafts(database).get(bram.space).titel == "Werkboek van bram"
    assert DayLists(database).get(anna.space) == ""
    assert "Chantal" in DayLists(database).get(bram.space)


def test_the_roles_migration_keeps_the_space_existing_accounts_had(tmp_path):
    path = tmp_path / "oud.sqlite"
    database = sqlite3.connect(path)
    for number, _name, sql in migrations():
        if number < 3:
            database.executescript(sql)
    database.execute(
        "INSERT INTO accounts (id, name, role, created) VALUES (7, 'anna', 'trainer', 0)"
    )
    database.execute("PRAGMA user_version = 2")
    database.commit()
    database.close()
    connect(path).close()
    assert [number for number, _, _ in migrations()][:3] == [1, 2, 3]
    assert Accounts(path).get("anna").space == "account-0000000007"  # drafts, mailings kept


def test_the_cli_sets_and_lists_roles(tmp_path):
    database = str(tmp_path / "db.sqlite")
    runner = CliRunner()
    added = runner.invoke(
        main,
        [
            *("gebruikers", "toevoegen", "eva", "--role", "beheerder", "--zonder-wachtwoord"),
            *("--database", database),
        ],
    )
    assert added.exit_code == 0 and added.stdout == "toegevoegd: eva (beheerder)\n"
    runner.invoke(
        main, ["gebruikers", "toevoegen", "tim", "--zonder-wachtwoord", "--database", database]
    )
    changed = runner.invoke(main, ["gebruikers", "rol", "tim", "beheerder", "--database", database])
    assert changed.exit_code == 0 and changed.stdout == "gewijzigd: tim (beheerder)\n"
    changed = runner.invoke(main, ["gebruikers", "rol", "eva", "trainer", "--database", database])
    listed = runner.invoke(main, ["gebruikers", "lijst", "--database", database])
    assert listed.stdout == "eva\ttrainer\tsingle sign-on\ntim\tbeheerder\tsingle sign-on\n"
    wrong = runner.invoke(main, ["gebruikers", "rol", "eva", "baas", "--database", database])
    assert wrong.exit_code != 0 and "baas" in wrong.stderr
    missing = runner.invoke(main, ["gebruikers", "rol", "ida", "trainer", "--database", database])
    assert missing.exit_code == 1 and missing.stderr == "fout: gebruiker 'ida' bestaat niet\n"
    helped = runner.invoke(main, ["gebruikers", "toevoegen", "--help"])
    assert "--rol" in helped.stdout and "--role" not in helped.stdout


# ------------------------------------------------------------------ single sign-on


def test_with_single_sign_on_the_organisations_group_makes_a_beheerder(tmp_path):
    config = ServerConfig(
        login="sso", trusted_proxies=("127.0.0.1/32",), admin_group="werkboek-beheer"
    )
    with running(tmp_path, config) as server:
        staff = {"Remote-User": "eva@org.nl", "Remote-Groups": "staf, werkboek-beheer"}
        with httpx.Client(base_url=server.url, headers=staff) as eva:
            page = eva.get("/beheer")
            assert page.status_code == 200 and "eva@org.nl" in page.text
            assert 'href="/beheer"' in eva.get("/werkboek").text
        trainer = {"Remote-User": "tim@org.nl", "Remote-Groups": "staf"}
        with httpx.Client(base_url=server.url, headers=trainer) as tim:
            refused = tim.get("/beheer")
            assert refused.status_code == 403 and "alleen een beheerder" in refused.text
            assert 'href="/beheer"' not in tim.get("/werkboek").text
        # out of the group, out of the role (the account follows the proxy)
        with httpx.Client(base_url=server.url, headers={"Remote-User": "eva@org.nl"}) as eva:
            assert eva.get("/beheer").status_code == 403
        accounts = Accounts(server.app.database)
        assert accounts.get("eva@org.nl").role == "trainer"


def test_the_groups_header_is_a_serve_option():
    runner = CliRunner()
    helped = runner.invoke(main, ["serve", "--help"])
    assert "--beheerdersgroep" in helped.stdout and "--groepenkop" in helped.stdout
    config = ServerConfig.from_environment(
        "127.0.0.1",
        8000,
        login="sso",
        trusted_proxies=("10.0.0.5",),
        admin_group=" it-werkboek ",
        groups_header="X-Forwarded-Groups",
    )
    assert config.admin_group == "it-werkboek"
    assert config.role_of("a,it-werkboek") == "beheerder"
    assert config.role_of("it-werkboek-oud") == "trainer" and config.role_of(None) == "trainer"
    assert ServerConfig().role_of("it-werkboek") is None


# ------------------------------------------------------------------ an organisation's server


@dataclass
class Anna:
    """What trainer anna has on the server: the ids another may try."""

    recipe: str
    token_id: str
    job_id: str
    digest: str


@pytest.fixture(scope="module")
def organisation(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("organisatie")
    os.environ.setdefault("WERKBOEK_VERZENDLOG", str(tmp_path / "staat" / "verzendlog.sqlite"))
    shared = tmp_path / "recepten"
    shared.mkdir()
    (shared / "gedeeld.yaml").write_text(yaml.safe_dump(SHARED, allow_unicode=True))
    accounts = Accounts(tmp_path / "output" / ".web" / "werkboek.sqlite")
    for name, role in (("anna", "trainer"), ("bram", "trainer"), ("beheer", "beheerder")):
        accounts.add(name, PASSWORD, role)
    with running(tmp_path, ServerConfig(login="accounts")) as server:
        yield server, accounts


def anna_works(server, accounts) -> Anna:
    """anna's day: a draft, an own recipe, a shared one copied, a list of participants, an
    API key, a preview and a job."""
    with httpx.Client(base_url=server.url, timeout=120) as anna:
        log_in(anna, "anna")
        post(anna, "/werkboek/gegevens", titel=SECRET_TITLE, editie="deelnemer")
        post(anna, "/werkboek/notities")
        saved = post(anna, "/recepten/opslaan", naam="annas-recept")
        assert saved.status_code == 303, saved.text[:500]
        copied = post(anna, "/recepten/gedeeld/kopieren")
        assert copied.headers["location"] == "/recepten?gekopieerd=gedeeld"
        listed = post(anna, "/dag/lijst", lijst=f"naam,email\n{PARTICIPANT},{ADDRESS}\n")
        assert listed.status_code == 303, listed.text[:500]
        made = post(anna, "/account/sleutels", naam="annas-sleutel")
        assert made.status_code == 200
        [token] = accounts.tokens(accounts.get("anna"))
        preview = anna.get("/werkboek/voorbeeld", headers={"HX-Request": "true"})
        digest = re.search(r"/voorbeeld/([0-9a-f]{32})/1\.png", preview.text).group(1)
        assert anna.get(f"/voorbeeld/{digest}/1.png").status_code == 200
        product = re.search(r'name="product" value="([^"]+)"', anna.get("/").text).group(1)
        started = post(anna, "/producten", product=product)
        job_id = started.headers["location"].rsplit("/", 1)[-1]
        assert anna.get(f"/taken/{job_id}").status_code == 200
    # the organisation's record of a mailing of anna's: no address in it
    with SendLog(Path(os.environ["WERKBOEK_VERZENDLOG"])) as log:
        log.record("mailing-anna", session_actor(accounts.get("anna").space), ["werkboek.pdf"])
    return Anna("annas-recept", token.id, job_id, digest)


FOREIGN = "foreign"
"""The route names another trainer's data: with anna's ids it answers 404."""
OWN = "own"
"""The route names nothing of another: it answers from the asker's own space (and shows
nothing of anna's)."""
SHARED_READ = "shared"
"""The organisation's recipes: anna's own recipe's name is not one of them (404)."""
ADMIN = "admin"
"""For beheerders only: a trainer gets 403."""

Fill = Callable[[Anna], dict[str, str]]
NAME: Fill = lambda a: {"name": a.recipe}  # noqa: E731
NOTHING: Fill = lambda a: {}  # noqa: E731
CASES: dict[tuple[str, str], tuple[str, Fill]] = {
    ("/kleuren.css", "GET"): (OWN, NOTHING),
    ("/logo", "GET"): (OWN, NOTHING),
    ("/inloggen", "GET"): (OWN, NOTHING),
    ("/inloggen", "POST"): (OWN, NOTHING),
    ("/uitloggen", "POST"): (OWN, NOTHING),
    ("/account", "GET"): (OWN, NOTHING),
    ("/account/sleutels", "POST"): (OWN, NOTHING),
    ("/account/sleutels/{id}/intrekken", "POST"): (FOREIGN, lambda a: {"id": a.token_id}),
    ("/beheer", "GET"): (ADMIN, NOTHING),
    ("/beheer/gebruikers/{name}/rol", "POST"): (ADMIN, lambda a: {"name": "anna"}),
    ("/beheer/gebruikers", "POST"): (ADMIN, NOTHING),
    ("/beheer/gebruikers/{name}/verwijderen", "POST"): (ADMIN, lambda a: {"name": "anna"}),
    ("/", "GET"): (OWN, NOTHING),
    ("/producten", "POST"): (OWN, NOTHING),
    ("/taken/{id}", "GET"): (FOREIGN, lambda a: {"id": a.job_id}),
    ("/taken/{id}/bestand", "GET"): (FOREIGN, lambda a: {"id": a.job_id}),
    ("/werkboek", "GET"): (OWN, NOTHING),
    ("/werkboek/onderdelen", "POST"): (OWN, NOTHING),
    ("/werkboek/gegevens", "POST"): (OWN, NOTHING),
    ("/werkboek/notities", "POST"): (OWN, NOTHING),
    ("/werkboek/eigen", "POST"): (OWN, NOTHING),
    ("/werkboek/leegmaken", "POST"): (OWN, NOTHING),
    ("/werkboek/terugzetten", "POST"): (OWN, NOTHING),
    # an item's number in the asker's own workbook (anna's stays as it is: checked below)
    ("/werkboek/onderdelen/{index}/bewerken", "GET"): (OWN, lambda a: {"index": "0"}),
    ("/werkboek/onderdelen/{index}/afbeelding", "POST"): (OWN, lambda a: {"index": "0"}),
    ("/werkboek/onderdelen/{index}/{action}", "POST"): (
        OWN,
        lambda a: {"index": "0", "action": "verwijderen"},
    ),
    ("/werkboek/voorbeeld", "GET"): (OWN, NOTHING),
    ("/voorbeeld/{digest}/{page}.png", "GET"): (FOREIGN, lambda a: {"digest": a.digest}),
    ("/voorbeeld/{digest}/{page}", "GET"): (FOREIGN, lambda a: {"digest": a.digest}),
    ("/werkboek/werkboek.pdf", "GET"): (OWN, NOTHING),
    ("/werkboek/recept.yaml", "GET"): (OWN, NOTHING),
    ("/recepten", "GET"): (OWN, NOTHING),
    ("/recepten/openen", "POST"): (OWN, NOTHING),
    ("/recepten/opslaan", "POST"): (OWN, NOTHING),
    ("/recepten/{name}/kopieren", "POST"): (SHARED_READ, NAME),
    ("/recepten/{name}.yaml", "GET"): (SHARED_READ, NAME),
    ("/recepten/{name}/openen", "POST"): (SHARED_READ, NAME),
    ("/recepten/{name}/dupliceren", "POST"): (SHARED_READ, NAME),
    ("/recepten/{name}/verwijderen", "GET"): (SHARED_READ, NAME),
    ("/recepten/{name}/verwijderen", "POST"): (SHARED_READ, NAME),
    ("/mijn-recepten/{name}.yaml", "GET"): (FOREIGN, NAME),
    ("/mijn-recepten/{name}/openen", "POST"): (FOREIGN, NAME),
    ("/mijn-recepten/{name}/dupliceren", "POST"): (FOREIGN, NAME),
    ("/mijn-recepten/{name}/verwijderen", "GET"): (FOREIGN, NAME),
    ("/mijn-recepten/{name}/verwijderen", "POST"): (FOREIGN, NAME),
    ("/dag", "GET"): (OWN, NOTHING),
    ("/dag/lijst", "POST"): (OWN, NOTHING),
    ("/dag/tabel", "POST"): (OWN, NOTHING),
    ("/dag/handtekening", "POST"): (OWN, NOTHING),
    ("/dag/presentielijst.pdf", "GET"): (OWN, NOTHING),
    ("/dag/bewijzen.zip", "GET"): (OWN, NOTHING),
    ("/exemplaren", "GET"): (OWN, NOTHING),
    ("/exemplaren", "POST"): (OWN, NOTHING),
    ("/mail", "GET"): (OWN, NOTHING),
    ("/mail/voorbeeld", "POST"): (OWN, NOTHING),
    ("/mail/proefrun", "POST"): (OWN, NOTHING),
    ("/mail/verzenden", "POST"): (OWN, NOTHING),
    ("/mail/wissen", "POST"): (OWN, NOTHING),
    ("/drukken", "GET"): (OWN, NOTHING),
    ("/drukken/werkboek-{kind}.pdf", "GET"): (OWN, lambda a: {"kind": "boekje"}),
    ("/drukken/drukwerk.pdf", "GET"): (OWN, NOTHING),
    ("/drukken/kaarten-{size}.zip", "GET"): (OWN, lambda a: {"size": "a6"}),
    ("/hulp", "GET"): (OWN, NOTHING),
    ("/hulp/voorbeeld", "POST"): (OWN, NOTHING),
    ("/api/werkboek", "POST"): (OWN, NOTHING),
    ("/api/catalogus", "GET"): (OWN, NOTHING),
}
PAGE_PARAMS = {"page": "1"}


def every_route() -> list[tuple[str, str]]:
    """Each route and method of the app as its path is written (``{name}``, no converter);
    the files (static mounts) need no login and hold nothing of anyone's."""
    found = []
    for route in routes():
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route), route
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        found += [(path, method) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_every_route_of_the_app_is_in_the_isolation_table():
    assert sorted(every_route()) == sorted(CASES), (
        "a route is missing from CASES (or CASES names one that is gone): say how another "
        "trainer's ids are tried on it"
    )


def markers_of_anna() -> list[str]:
    return [SECRET_TITLE, PARTICIPANT, ADDRESS, "annas-recept", "annas-sleutel"]


def ask(client: httpx.Client, method: str, path: str, csrf: str, htmx: bool) -> httpx.Response:
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        return client.get(path, headers=headers, follow_redirects=False)
    if path.startswith("/api/"):
        return client.post(path, json={"titel": "x", "onderdelen": []}, headers=headers)
    return client.post(path, data={"csrf": csrf}, headers=headers, follow_redirects=False)


def try_everything(client: httpx.Client, who: str, anna: Anna) -> list[str]:
    """Every route with anna's ids, as ``who``; what went wrong."""
    wrong = []
    csrf = csrf_of(client.get("/werkboek"))
    for (template, method), (kind, fill) in CASES.items():
        if template in ("/uitloggen", "/inloggen") and method == "POST":
            continue  # (would end or change this session; they name nobody's data)
        path = template
        for key, value in {**PAGE_PARAMS, **fill(anna)}.items():
            path = path.replace("{" + key + "}", value)
        for htmx in (False, True):
            answer = ask(client, method, path, csrf, htmx)
            expected = {
                FOREIGN: {404},
                SHARED_READ: {404},
                ADMIN: {403} if who != "beheer" else {200, 303, 422},
            }.get(kind)
            if expected is not None and answer.status_code not in expected:
                wrong.append(f"{who} {method} {path} (htmx {htmx}): {answer.status_code}")
            if answer.status_code >= 500:
                wrong.append(f"{who} {method} {path}: {answer.status_code}")
            for marker in markers_of_anna():
                if marker.encode() in answer.content:
                    wrong.append(f"{who} {method} {path}: shows {marker!r}")
    return wrong


def test_no_request_of_another_trainer_or_a_beheerder_reaches_a_trainers_data(organisation):
    server, accounts = organisation
    anna = anna_works(server, accounts)
    for who in ("bram", "beheer"):
        with httpx.Client(base_url=server.url, timeout=120) as client:
            log_in(client, who)
            if who == "bram":  # bram's participants too, to see they stay his
                post(client, "/dag/lijst", lijst=f"naam,email\n{BRAM_PARTICIPANT},{BRAM_ADDRESS}\n")
            assert try_everything(client, who, anna) == []
    # anna's data is all there, as it was
    with httpx.Client(base_url=server.url, timeout=120) as client:
        log_in(client, "anna")
        assert SECRET_TITLE in client.get("/werkboek").text
        assert len(server.app.drafts.get(accounts.get("anna").space).onderdelen) == 1
        assert client.get("/mijn-recepten/annas-recept.yaml").status_code == 200
        assert client.get(f"/taken/{anna.job_id}").status_code == 200
        assert PARTICIPANT in client.get("/dag").text
        assert "annas-sleutel" in client.get("/account").text


def test_the_beheerder_sees_accounts_and_mailings_but_no_participant(organisation):
    server, accounts = organisation
    space = accounts.get("anna").space
    with SendLog(Path(os.environ["WERKBOEK_VERZENDLOG"])) as log:
        log.record("mailing-overzicht", session_actor(space), ["werkboek.pdf", "bewijs"])
    with httpx.Client(base_url=server.url, timeout=120) as trainer:
        log_in(trainer, "anna")
        post(trainer, "/dag/lijst", lijst=f"naam,email\n{PARTICIPANT},{ADDRESS}\n")
    with httpx.Client(base_url=server.url, timeout=120) as beheer:
        log_in(beheer, "beheer")
        page = beheer.get("/beheer")
        assert page.status_code == 200
        rows = re.findall(r"<tr>.*?</tr>", page.text, re.S)
        assert any("anna" in row and "werkboek.pdf" in row and "bewijs" in row for row in rows)
        for name in ("anna", "bram", "beheer"):
            assert f'<th scope="row">{name}' in page.text
        # every page the beheerder can open: no participant of anyone's
        pages = [path for path, method in CASES if method == "GET" and "{" not in path]
        for path in pages:
            answer = beheer.get(path)
            for secret in (PARTICIPANT, ADDRESS, BRAM_PARTICIPANT, BRAM_ADDRESS):
                assert secret.encode() not in answer.content, (path, secret)
        # the beheerder changes a role on the page (not their own)
        csrf = csrf_of(page)
        changed = beheer.post(
            "/beheer/gebruikers/bram/rol",
            data={"csrf": csrf, "rol": "beheerder"},
            follow_redirects=True,
        )
        assert changed.status_code == 200 and "De rol van bram is gewijzigd" in changed.text
        assert accounts.get("bram").is_beheerder
        accounts.set_role("bram", "trainer")
        own = beheer.post("/beheer/gebruikers/beheer/rol", data={"csrf": csrf, "rol": "trainer"})
        assert own.status_code == 422 and "je eigen rol" in own.text
        missing = beheer.post(
            "/beheer/gebruikers/niemand/rol", data={"csrf": csrf, "rol": "trainer"}
        )
        assert missing.status_code == 404


# ------------------------------------------------------------------ shared and own recipes


def test_shared_recipes_are_read_only_for_a_trainer_and_own_recipes_are_private(organisation):
    server, accounts = organisation
    shared = server.project.recipes_dir
    with httpx.Client(base_url=server.url, timeout=120) as bram:
        log_in(bram, "bram")
        listing = bram.get("/recepten").text
        assert "Recepten van de organisatie" in listing and "Mijn recepten" in listing
        assert "Gedeelde startdag" in listing
        assert 'action="/recepten/gedeeld/kopieren"' in listing
        assert "/recepten/gedeeld/verwijderen" not in listing  # not his to delete
        assert bram.get("/recepten/gedeeld.yaml").status_code == 200
        assert post(bram, "/recepten/gedeeld/verwijderen").status_code == 403
        assert post(bram, "/recepten/gedeeld/dupliceren").status_code == 403
        assert (shared / "gedeeld.yaml").is_file() and not (shared / "gedeeld-2.yaml").exists()
        # opened and saved: his own recipe, the shared one unchanged
        opened = post(bram, "/recepten/gedeeld/openen", bevestigd="ja")
        assert opened.status_code in (200, 303)
        post(bram, "/werkboek/gegevens", titel="Brams versie", editie="deelnemer")
        forged = post(bram, "/recepten/opslaan", naam="gedeeld", waar="organisatie")
        assert forged.status_code == 403 and "alleen een beheerder" in forged.text
        saved = post(bram, "/recepten/opslaan", naam="gedeeld")
        assert saved.status_code == 303, saved.text[:300]
        assert yaml.safe_load((shared / "gedeeld.yaml").read_text())["titel"] == SHARED["titel"]
        own = server.app.state / "recepten" / accounts.get("bram").space / "gedeeld.yaml"
        assert yaml.safe_load(own.read_text())["titel"] == "Brams versie"
        mine = bram.get("/mijn-recepten/gedeeld.yaml")
        assert mine.status_code == 200 and b"Brams versie" in mine.content
        # opened from his own recipes, it builds through the same paths as any workbook
        reopened = post(bram, "/mijn-recepten/gedeeld/openen", bevestigd="ja")
        assert reopened.status_code in (200, 303)
        built = bram.get("/werkboek/werkboek.pdf")
        assert built.status_code == 200 and built.content.startswith(b"%PDF-")
        text = pypdf.PdfReader(io.BytesIO(built.content)).pages[0].extract_text()
        assert "Brams versie" in text
        assert yaml.safe_load(bram.get("/werkboek/recept.yaml").text)["titel"] == "Brams versie"
        # his own recipe he duplicates and deletes
        assert post(bram, "/mijn-recepten/gedeeld/dupliceren").status_code == 303
        assert own.with_name("gedeeld-2.yaml").is_file()
        assert post(bram, "/mijn-recepten/gedeeld-2/verwijderen").status_code == 303
        assert not own.with_name("gedeeld-2.yaml").exists()
    with httpx.Client(base_url=server.url, timeout=120) as beheer:
        log_in(beheer, "beheer")
        assert "Brams versie" not in beheer.get("/recepten").text
        assert beheer.get("/mijn-recepten/gedeeld.yaml").status_code == 404
        composer = beheer.get("/werkboek").text
        assert 'name="waar" value="organisatie"' in composer
        post(beheer, "/werkboek/gegevens", titel="Voor iedereen", editie="deelnemer")
        post(beheer, "/werkboek/notities")
        saved = post(beheer, "/recepten/opslaan", naam="voor-iedereen", waar="organisatie")
        assert saved.status_code == 303, re.findall("<li>.*?</li>", saved.text)
        assert (shared / "voor-iedereen.yaml").is_file()
        assert post(beheer, "/recepten/voor-iedereen/dupliceren").status_code == 303
        assert post(beheer, "/recepten/voor-iedereen-2/verwijderen").status_code == 303
        assert not (shared / "voor-iedereen-2.yaml").exists()
    with httpx.Client(base_url=server.url, timeout=120) as bram:
        log_in(bram, "bram")
        assert "Voor iedereen" in bram.get("/recepten").text
        assert 'name="waar"' not in bram.get("/werkboek").text  # a trainer saves his own


# ------------------------------------------------------------------ in a real browser


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 768])
def test_the_recipes_and_beheer_pages_pass_axe_in_chromium(organisation, width):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    from test_web_browser import WORDS_NOT_SHOWN, shown_text
    from webserver import CHROMIUM, CHROMIUM_ARGS

    server, accounts = organisation
    with SendLog(Path(os.environ["WERKBOEK_VERZENDLOG"])) as log:
        actor = session_actor(accounts.get("anna").space)
        log.record("mailing-browser", actor, ["werkboek-startdag.pdf"])
    shots = os.environ.get("WERKBOEK_SCREENSHOTS")
    found: dict[str, object] = {}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for who in ("anna", "beheer"):
            context = chromium.new_context(
                base_url=server.url, viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            page.goto("/inloggen")
            page.get_by_label("Gebruikersnaam").fill(who)
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_role("button", name="Inloggen").click()
            expect(page.get_by_role("link", name=who, exact=True)).to_be_visible()

            def look(name: str, page=page, who=who) -> None:
                page.wait_for_load_state("networkidle")
                violations = Axe().run(page).response["violations"]
                if violations:
                    found[f"{who}-{name}"] = [(v["id"], len(v["nodes"])) for v in violations]
                said = WORDS_NOT_SHOWN.findall(shown_text(page))
                if said:
                    found[f"{who}-{name}-woorden"] = said
                if shots:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    path = Path(shots) / f"{width}-rollen-{who}-{name}.png"
                    page.screenshot(path=str(path), full_page=True)

            page.goto("/recepten")
            shared = page.get_by_role("button", name=re.compile("^Kopiëren naar mijn recepten"))
            if who == "anna":
                shared.first.click()
                expect(page.get_by_role("status")).to_contain_text("Gekopieerd naar je eigen")
            look("recepten")
            page.goto("/werkboek")
            look("werkboek")
            if who == "beheer":
                page.goto("/beheer")
                expect(page.get_by_role("heading", name="Mailings")).to_be_visible()
                look("beheer")
            else:
                page.goto("/beheer")
                look("beheer-geweigerd")
            context.close()
        chromium.close()
    assert found == {}


def test_one_person_with_the_token_is_beheerder_of_the_recipes_folder(tmp_path):
    with running(tmp_path) as server, httpx.Client(base_url=server.url) as person:
        (server.project.recipes_dir / "gedeeld.yaml").write_text(yaml.safe_dump(SHARED))
        listing = person.get("/recepten").text
        assert "Mijn recepten" not in listing and "Kopiëren naar mijn recepten" not in listing
        assert "/recepten/gedeeld/verwijderen" in listing
        assert post(person, "/recepten/gedeeld/dupliceren").status_code == 303
        assert (server.project.recipes_dir / "gedeeld-2.yaml").is_file()
        assert person.get("/mijn-recepten/gedeeld.yaml").status_code == 404
        page = person.get("/beheer")
        assert page.status_code == 200 and "Mailings" in page.text and "Accounts" not in page.text
        assert post(person, "/beheer/gebruikers/anna/rol", rol="trainer").status_code == 404


def test_a_beheerder_adds_and_removes_accounts_on_the_beheer_page(tmp_path):
    """On /beheer: a new account with a first password (each problem beside its field), and
    an account removed after a question, with everything its space held; never one's own."""
    os.environ.setdefault("WERKBOEK_VERZENDLOG", str(tmp_path / "staat" / "verzendlog.sqlite"))
    accounts = Accounts(tmp_path / "output" / ".web" / "werkboek.sqlite")
    accounts.add("beheer", PASSWORD, "beheerder")
    with (
        running(tmp_path, ServerConfig(login="accounts")) as server,
        httpx.Client(base_url=server.url, timeout=120) as beheer,
    ):
        log_in(beheer, "beheer")
        csrf = csrf_of(beheer.get("/beheer"))

        def new(name: str, password: str, again: str, **extra: bool) -> httpx.Response:
            fields = {"naam": name, "rol": "trainer", "wachtwoord": password, "nog-eens": again}
            return beheer.post("/beheer/gebruikers", data={"csrf": csrf, **fields}, **extra)

        short = new("Kim", "kort", "kort")
        assert short.status_code == 422, (short.status_code, short.text[:3000])
        assert re.search(r'id="fout-wachtwoord">[^<]*minstens 12 tekens', short.text)
        assert 'value="Kim"' in short.text  # (what was typed stays)
        other = new("Kim", PASSWORD, "x" * 12)
        assert other.status_code == 422 and "niet gelijk" in other.text
        added = new("Kim", PASSWORD, PASSWORD, follow_redirects=True)
        assert "kim is toegevoegd" in added.text
        again = new("kim", PASSWORD, PASSWORD)
        assert again.status_code == 422 and "bestaat al" in again.text
        with httpx.Client(base_url=server.url, timeout=120) as kim:
            log_in(kim, "kim")
            post(kim, "/werkboek/notities")
            assert post(kim, "/recepten/opslaan", naam="kims-recept").status_code == 303
            assert post(kim, "/beheer/gebruikers", naam="x").status_code == 403
        space = accounts.get("kim").space
        own = server.app.state / "recepten" / space / "kims-recept.yaml"
        assert own.is_file()
        asked = beheer.post("/beheer/gebruikers/kim/verwijderen", data={"csrf": csrf})
        assert asked.status_code == 200 and "kim verwijderen?" in asked.text
        assert accounts.get("kim") is not None  # (only asked)
        gone = beheer.post(
            "/beheer/gebruikers/kim/verwijderen",
            data={"csrf": csrf, "bevestigd": "ja"},
            follow_redirects=True,
        )
        assert "kim is verwijderd" in gone.text
        assert accounts.get("kim") is None and not own.exists()
        mine = beheer.post(
            "/beheer/gebruikers/beheer/verwijderen", data={"csrf": csrf, "bevestigd": "ja"}
        )
        assert mine.status_code == 422 and accounts.get("beheer") is not None
        assert (
            beheer.post("/beheer/gebruikers/niemand/verwijderen", data={"csrf": csrf}).status_code
            == 404
        )
