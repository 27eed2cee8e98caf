"""An organisation's server: own accounts and single sign-on, each trainer in a space of theirs."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from webserver import running
from werkboek.errors import WerkboekError
from werkboek.store.accounts import Accounts
from werkboek.web.config import ServerConfig

PASSWORD = "lang-genoeg-wachtwoord"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def log_in(client: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    csrf = csrf_of(client.get("/inloggen"))
    return client.post(
        "/inloggen",
        data={"csrf": csrf, "naam": name, "wachtwoord": password, "volgende": "/werkboek"},
        follow_redirects=False,
    )


def set_title(client: httpx.Client, title: str) -> None:
    csrf = csrf_of(client.get("/werkboek"))
    answer = client.post(
        "/werkboek/gegevens",
        data={"csrf": csrf, "titel": title, "editie": "deelnemer"},
        follow_redirects=False,
    )
    assert answer.status_code in (200, 303), answer.text[:300]


@pytest.fixture
def accounts_server(tmp_path):
    accounts = Accounts(tmp_path / "output" / ".web" / "werkboek.sqlite")
    accounts.add("anna", PASSWORD)
    accounts.add("bram", PASSWORD)
    accounts.add("beheer", PASSWORD, "beheerder")
    with running(tmp_path, ServerConfig(login="accounts")) as server:
        yield server, accounts


def test_each_trainer_logs_in_and_works_in_a_space_of_their_own(accounts_server):
    server, _ = accounts_server
    with httpx.Client(base_url=server.url) as anna, httpx.Client(base_url=server.url) as bram:
        assert (
            anna.get("/werkboek", follow_redirects=False)
            .headers["location"]
            .startswith("/inloggen")
        )
        wrong = log_in(anna, "anna", "verkeerd-wachtwoord")
        assert wrong.status_code == 401 and "klopt niet" in wrong.text
        assert log_in(anna, "anna").status_code == 303
        assert log_in(bram, "bram").status_code == 303
        set_title(anna, "Annas eigen training")
        assert "Annas eigen training" in anna.get("/werkboek").text
        assert "Annas eigen training" not in bram.get("/werkboek").text
        # the same account in a second browser finds its own draft
        with httpx.Client(base_url=server.url) as again:
            assert log_in(again, "anna").status_code == 303
            assert "Annas eigen training" in again.get("/werkboek").text
        # logged out, the copied cookie opens nothing
        copied = dict(anna.cookies)
        anna.post("/uitloggen", data={"csrf": csrf_of(anna.get("/werkboek"))})
        with httpx.Client(base_url=server.url, cookies=copied) as thief:
            assert thief.get("/werkboek", follow_redirects=False).status_code == 303


def test_personal_api_tokens_are_made_shown_once_used_and_revoked(accounts_server):
    server, accounts = accounts_server
    recipe = {"titel": "Via de API", "onderdelen": [{"notities": 1}]}
    assert httpx.post(f"{server.url}/api/werkboek", json=recipe).status_code == 401
    with httpx.Client(base_url=server.url) as anna:
        log_in(anna, "anna")
        page = anna.post(
            "/account/sleutels", data={"csrf": csrf_of(anna.get("/account")), "naam": "lms"}
        )
        token = re.search(r'<code class="sleutel">(wbk_[^<]+)</code>', page.text).group(1)
        assert token not in anna.get("/account").text  # shown once
        made = httpx.post(
            f"{server.url}/api/werkboek",
            json=recipe,
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert made.status_code == 200 and made.content.startswith(b"%PDF-")
        [record] = accounts.tokens(accounts.get("anna"))
        with httpx.Client(base_url=server.url) as bram:
            log_in(bram, "bram")
            stolen = bram.post(
                f"/account/sleutels/{record.id}/intrekken",
                data={"csrf": csrf_of(bram.get("/account"))},
            )
            assert stolen.status_code == 404  # not bram's: as if it did not exist
        anna.post(
            f"/account/sleutels/{record.id}/intrekken", data={"csrf": csrf_of(anna.get("/account"))}
        )
    revoked = httpx.post(
        f"{server.url}/api/werkboek", json=recipe, headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 401


def test_single_sign_on_needs_the_proxies_it_may_trust():
    with pytest.raises(WerkboekError, match="noem het adres van die proxy"):
        ServerConfig.from_environment("0.0.0.0", 8000, login="sso")
    with pytest.raises(WerkboekError, match="geen IP-adres"):
        ServerConfig.from_environment("0.0.0.0", 8000, login="sso", trusted_proxies=("proxy",))
    config = ServerConfig.from_environment(
        "0.0.0.0", 8000, login="sso", trusted_proxies=("10.1.2.0/24",)
    )
    assert config.trusts("10.1.2.7") and not config.trusts("10.1.3.7")


def test_the_user_header_counts_only_from_a_trusted_proxy(tmp_path, caplog):
    trusting = ServerConfig(login="sso", trusted_proxies=("127.0.0.1/32",))
    with running(tmp_path / "vertrouwd", trusting) as server:
        with httpx.Client(base_url=server.url, headers={"Remote-User": "anna@org.nl"}) as anna:
            page = anna.get("/werkboek")
            assert page.status_code == 200 and "anna@org.nl" in page.text
            set_title(anna, "Via de proxy")
        with httpx.Client(base_url=server.url, headers={"Remote-User": "bram@org.nl"}) as bram:
            assert "Via de proxy" not in bram.get("/werkboek").text
        without = httpx.get(f"{server.url}/werkboek", follow_redirects=False)
        assert without.status_code == 303  # no header: not logged in
    elsewhere = ServerConfig(login="sso", trusted_proxies=("10.9.9.9",))
    caplog.set_level(logging.WARNING, logger="werkboek.web")
    with running(tmp_path / "elders", elsewhere) as server:
        forged = httpx.get(
            f"{server.url}/werkboek", headers={"Remote-User": "anna@org.nl"}, follow_redirects=False
        )
        assert forged.status_code == 303  # the header was ignored
        login = httpx.get(f"{server.url}/inloggen")
        assert "inlog van je organisatie" in login.text
    assert any("genegeerd: geen vertrouwde proxy" in r.getMessage() for r in caplog.records)
