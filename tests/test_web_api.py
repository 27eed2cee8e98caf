"""The web app over plain HTTP: the API, and what keeps the server safe.

Against the real server on a free loopback port (uvicorn in a thread), with httpx.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import httpx
import pypdf
import pytest
import yaml
from PIL import Image

from webserver import running
from werkboek import Project, load_recipe
from werkboek.build import build_workbook
from werkboek.web.config import ServerConfig

from conftest import CONTENT, REPO

TRAINING_DAY = REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"
TOKEN = "een-lang-geheim-token-voor-de-test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("web")) as app:
        yield app


def titles(data: bytes) -> list[str]:
    return [
        item.title for item in pypdf.PdfReader(BytesIO(data)).outline if not isinstance(item, list)
    ]


def cli_pdf(folder: Path, recipe: Path, edition: str | None = None) -> bytes:
    project = Project(CONTENT, REPO / "styles", folder / "cli-output")
    [path] = build_workbook(project, recipe, folder / f"cli-{edition}.pdf", edition=edition)
    return path.read_bytes()


# ---------------------------------------------------------------- the API


@pytest.mark.slow
def test_the_api_gives_the_same_pdf_as_the_command_line(server, tmp_path):
    text = TRAINING_DAY.read_text(encoding="utf-8")
    as_json = json.dumps(yaml.safe_load(text), ensure_ascii=False)
    expected = cli_pdf(tmp_path, TRAINING_DAY)
    for body, media in [(text, "application/yaml"), (as_json, "application/json")]:
        response = httpx.post(
            f"{server.url}/api/werkboek",
            content=body.encode(),
            headers={"Content-Type": media},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert "training-van-mens-tot-mens-werken.pdf" in response.headers["content-disposition"]
        assert response.content == expected
    trainer = httpx.post(
        f"{server.url}/api/werkboek?editie=trainer",
        content=text.encode(),
        headers={"Content-Type": "application/yaml"},
        timeout=120,
    )
    assert trainer.status_code == 200
    assert trainer.content == cli_pdf(tmp_path, TRAINING_DAY, "trainer")
    assert "Sessieplan" in titles(trainer.content)


def test_a_bad_recipe_is_422_with_every_problem_located(server):
    body = "titel: Proefdag\nonderdelen:\n  - oefening: feiten-of-interpretatie\n  - notities: 0\n"
    response = httpx.post(
        f"{server.url}/api/werkboek", content=body, headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "problemen": [
            {
                "regel": 3,
                "kolom": 15,
                "pad": "onderdelen[0].oefening",
                "bericht": "onbekende oefening 'feiten-of-interpretatie'; bedoel je "
                "'feiten-of-interpretaties'?",
            },
            {
                "regel": 4,
                "kolom": 15,
                "pad": "onderdelen[1].notities",
                "bericht": "moet minstens 1 zijn",
            },
        ]
    }


def test_the_api_takes_only_json_or_yaml(server):
    for media in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]:
        response = httpx.post(
            f"{server.url}/api/werkboek", content=b"titel: x", headers={"Content-Type": media}
        )
        assert response.status_code == 415, media
    wrong = httpx.post(
        f"{server.url}/api/werkboek?editie=docent",
        content=b"{}",
        headers={"Content-Type": "application/json"},
    )
    assert wrong.status_code == 400
    big = httpx.post(
        f"{server.url}/api/werkboek",
        content=b"#" * 300_000,
        headers={"Content-Type": "application/yaml"},
    )
    assert big.status_code == 413


@pytest.mark.slow
def test_four_requests_at_once_each_get_their_own_workbook(server, tmp_path):
    recipes = {
        "Lerend": {"titel": "Een", "onderdelen": [{"principe": "lerend", "delen": ["uitleg"]}]},
        "Eenvoudig": {
            "titel": "Twee",
            "onderdelen": [{"principe": "eenvoudig", "delen": ["oefenen"]}],
        },
        "B1 niveau": {"titel": "Drie", "onderdelen": [{"oefening": "b1-niveau"}]},
        "Samen beslissen over passende hulp": {
            "titel": "Vier",
            "onderdelen": [{"artikel": "samen-beslissen-over-passende-hulp"}],
        },
    }

    def ask(recipe: dict) -> bytes:
        response = httpx.post(f"{server.url}/api/werkboek", json=recipe, timeout=300)
        assert response.status_code == 200, response.text
        return response.content

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = dict(zip(recipes, pool.map(ask, recipes.values()), strict=True))
    for expected, data in results.items():
        assert expected in titles(data), (expected, titles(data))
        others = set(recipes) - {expected}
        assert not others & set(titles(data))
    # the same bytes as one at a time, through the command line's library
    for expected, recipe in recipes.items():
        path = tmp_path / f"{recipe['titel']}.yaml"
        path.write_text(yaml.safe_dump(recipe, allow_unicode=True), encoding="utf-8")
        project = Project(CONTENT, REPO / "styles", tmp_path / "out")
        loaded = load_recipe(path, project.content)
        [pdf] = build_workbook(project, loaded, tmp_path / f"{recipe['titel']}.pdf")
        assert pdf.read_bytes() == results[expected]


def test_the_catalogue_has_a_json_twin(server):
    data = httpx.get(f"{server.url}/api/catalogus").json()
    assert len(data["oefeningen"]) == 12 and len(data["principes"]) == 6


# ---------------------------------------------------------------- safety


def test_other_host_names_are_refused(server):
    for host in ["evil.example", "evil.example:80", f"127.0.0.2:{server.port}", "localhost.evil"]:
        response = httpx.get(f"{server.url}/", headers={"Host": host})
        assert response.status_code == 400, host
    for host in [f"127.0.0.1:{server.port}", f"localhost:{server.port}"]:
        assert httpx.get(f"{server.url}/", headers={"Host": host}).status_code == 200


def test_a_mailing_without_a_sender_is_refused_beside_the_sender_field(server):
    # (this server has no sender of its own; the dry run must not start and then fail on it)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        page = client.get("/mail")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        form = {
            "csrf": token,
            "deelnemers": "naam,email\nAnna de Vries,anna@voorbeeld.example\n",
            "onderwerp": "Je werkboek",
            "tekst": "Beste {{ naam }},",
        }
        response = client.post("/mail/proefrun", data=form, follow_redirects=False)
    assert response.status_code == 422
    problems = re.search(r'<ul class="fout" id="fout-afzender">(.*?)</ul>', response.text, re.S)
    assert problems is not None
    assert "vul een afzender in" in problems.group(1)
    assert "--from" not in response.text and "bericht.md" not in response.text


def test_forms_need_the_sessions_csrf_token(server):
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/werkboek")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        refused = client.post("/werkboek/notities", data={})
        assert refused.status_code == 403
        forged = client.post("/werkboek/notities", data={"csrf": "x" * len(token)})
        assert forged.status_code == 403
        ok = client.post("/werkboek/notities", data={"csrf": token}, follow_redirects=False)
        assert ok.status_code == 303
        # another session's token is no good either
        with httpx.Client(base_url=server.url) as other:
            other.get("/")
            assert other.post("/werkboek/notities", data={"csrf": token}).status_code == 403


def test_every_page_says_how_it_may_be_used(server):
    response = httpx.get(f"{server.url}/werkboek")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in response.text and " onclick=" not in response.text
    static = httpx.get(f"{server.url}/static/htmx.min.js")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


@pytest.mark.parametrize(
    "path",
    [
        "/recepten/..%2F..%2Fetc%2Fpasswd.yaml",
        "/recepten/%2Fetc%2Fpasswd.yaml",
        "/recepten/..%2Fcontent%2Fdocument/openen",
        "/static/..%2F..%2Fcli.py",
        "/static/../app.py",
        "/lettertype/..%2F..%2F..%2Fetc%2Fpasswd",
        "/voorbeeld/..%2F..%2Fetc/1.png",
        "/voorbeeld/00000000000000000000000000000000/1.png",
        "/taken/0123456789abcdef01234567",
        "/taken/0123456789abcdef01234567/bestand",
    ],
)
def test_paths_from_requests_never_reach_outside(server, path):
    response = httpx.get(f"{server.url}{path}")
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "root:" not in response.text and "import" not in response.text


def test_a_job_belongs_to_its_session(server):
    with httpx.Client(base_url=server.url) as mine, httpx.Client(base_url=server.url) as theirs:
        page = mine.get("/")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        started = mine.post(
            "/producten", data={"csrf": token, "product": "handouts/lerend"}, follow_redirects=False
        )
        assert started.status_code == 303
        job = started.headers["location"]
        theirs.get("/")
        assert theirs.get(job).status_code == 404
        assert mine.get(job).status_code == 200


@pytest.mark.slow
def test_with_a_token_every_page_needs_a_login_and_the_api_a_bearer(tmp_path):
    config = ServerConfig(token=TOKEN)
    with running(tmp_path, config) as server, httpx.Client(base_url=server.url) as client:
        first = client.get("/werkboek", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/inloggen?volgende=/werkboek"
        login = client.get("/inloggen")
        token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        wrong = client.post("/inloggen", data={"csrf": token, "token": "fout", "volgende": "/"})
        assert wrong.status_code == 401 and "Dit token klopt niet." in wrong.text
        right = client.post(
            "/inloggen",
            data={"csrf": token, "token": TOKEN, "volgende": "//evil.example/"},
            follow_redirects=False,
        )
        assert right.status_code == 303 and right.headers["location"] == "/"
        assert client.get("/werkboek").status_code == 200
        recipe = {"titel": "x", "onderdelen": [{"notities": 1}]}
        assert httpx.post(f"{server.url}/api/werkboek", json=recipe).status_code == 401
        bearer = httpx.post(
            f"{server.url}/api/werkboek",
            json=recipe,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
        assert bearer.status_code == 200 and bearer.content.startswith(b"%PDF-")


def start_serving(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``werkboek serve`` with ``options`` in a process of its own, without WERKBOEK_TOKEN."""
    command = [sys.executable, "-m", "werkboek", "serve", *options]
    command += ["--inhoud", str(CONTENT), "--stijlen", str(REPO / "styles"), "-o", str(tmp_path)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


@pytest.mark.slow
def test_serving_on_another_address_needs_a_token(tmp_path):
    result = start_serving(tmp_path, "--host", "0.0.0.0", "--poort", "8999")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "fout: --host: werkboek luistert alleen op een ander adres dan 127.0.0.1 met een "
        "toegangstoken"
    )


def test_a_port_in_use_is_said_in_dutch_and_the_start_fails(server, tmp_path):
    result = start_serving(tmp_path, "--poort", str(server.port))
    assert result.returncode == 1
    assert result.stderr == (
        f"fout: --poort: poort {server.port} is al in gebruik (draait werkboek al?); "
        "kies een andere met --poort\n"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_saved_recipe_with_own_pages_opens_in_the_composer(server):
    """Own pages named by file are found beside the saved recipes (the shipped example)."""
    folder = server.project.recipes_dir
    for name in ("trainingsdag-met-eigen-paginas.yaml", "welkom-trainingsdag.md"):
        shutil.copyfile(REPO / "recepten" / name, folder / name)
    shutil.copyfile(
        REPO / "recepten" / "evaluatie-trainingsdag.md", folder / "evaluatie-trainingsdag.md"
    )
    with httpx.Client(base_url=server.url, timeout=120) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/recepten").text).group(1)
        opened = client.post("/recepten/trainingsdag-met-eigen-paginas/openen", data={"csrf": csrf})
        assert opened.status_code in (200, 303)
        page = client.get("/werkboek").text
        assert "Nog niet klaar" not in page
        pdf = client.get("/werkboek/werkboek.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(BytesIO(pdf.content)).pages)
        assert "Wat ga je morgen anders doen in je werk?" in text  # the evaluation page
    # the API has no folder: the same recipe there says where its page should have been
    body = (folder / "trainingsdag-met-eigen-paginas.yaml").read_bytes()
    refused = httpx.post(
        f"{server.url}/api/werkboek", content=body, headers={"Content-Type": "application/yaml"}
    )
    assert refused.status_code == 422
    assert "kan alleen bij een receptbestand" in refused.json()["problemen"][0]["bericht"]


# ---------------------------------------------------------------- the app's shape

WEB = REPO / "src" / "werkboek" / "web"
INTERNAL_URL = re.compile(r'\b(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete))="/')


def test_no_template_spells_out_an_internal_url():
    """Pages make their URLs from route names (url_for), so they work below a root path."""
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted((WEB / "templates").glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if INTERNAL_URL.search(line)
    ]
    assert found == []
    script = (WEB / "static" / "werkboek.js").read_text(encoding="utf-8")
    assert re.search(r"""["']/[a-z]""", script) is None


def web_imports() -> dict[str, set[str]]:
    """Each module of werkboek.web, and the modules of werkboek.web it imports (an import
    under ``if TYPE_CHECKING:`` counts too)."""
    import ast

    modules = {
        ".".join(path.relative_to(REPO / "src").with_suffix("").parts).removesuffix(
            ".__init__"
        ): path
        for path in WEB.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*(base if node.level else []), *filter(None, [node.module])])
                candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            found |= {c for c in candidates if c in modules and c != name}
        graph[name] = found
    return graph


def test_the_pages_take_the_app_from_the_request_not_from_an_import():
    """No import circle: what app.py imports (the pages, the API, their helpers) never
    imports app.py again, directly or through another module."""
    graph = web_imports()
    assert "werkboek.web.pages.composer" in graph["werkboek.web.app"]
    assert "werkboek.web.site" in graph["werkboek.web.pages.composer"]
    seen: set[str] = set()
    todo = list(graph["werkboek.web.app"])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    assert "werkboek.web.app" not in seen
    assert [m for m, imported in graph.items() if "werkboek.web.app" in imported] == [
        "werkboek.web.serve"
    ]


def test_every_form_route_needs_the_csrf_token(server):
    """One middleware checks every POST but the API's: no route is left out."""
    from starlette.routing import Route

    from werkboek.web.app import routes

    samples = {"index": "0", "action": "omhoog", "name": "een-recept", "id": "x" * 24}
    posts = [
        re.sub(r"{(\w+)(?::\w+)?}", lambda m: samples[m.group(1)], route.path)
        for route in routes()
        if isinstance(route, Route) and "POST" in (route.methods or ())
    ]
    assert len(posts) >= 15 and "/api/werkboek" in posts
    with httpx.Client(base_url=server.url) as client:
        client.get("/")  # a session with a token
        for path in posts:
            response = client.post(path, data={"naam": "x"}, follow_redirects=False)
            if path.startswith("/api/"):
                assert response.status_code == 415, path  # a form never reaches the API
            else:
                assert response.status_code == 403, path
                assert "Dit formulier is verlopen" in response.text
        # what no route takes changes nothing: its page says so, token or not
        assert client.post("/bestaat-niet").status_code == 404
        assert client.post("/recepten").status_code == 405
        assert client.post("/static/werkboek.css").status_code == 405


def test_a_form_without_scripts_sends_its_token_with_an_upload(server):
    """The middleware reads the token from a multipart form; the page then gets the file."""
    with httpx.Client(base_url=server.url) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/werkboek").text).group(1)
        markdown = b"# Eigen welkomstpagina\n\nTot straks.\n"
        response = client.post(
            "/werkboek/eigen",
            data={"csrf": token, "markdown": ""},
            files={"bestand": ("welkom.md", markdown, "text/markdown")},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/werkboek"
        assert "Eigen welkomstpagina" in client.get("/werkboek").text


def test_below_a_root_path_every_url_keeps_it(tmp_path):
    """Behind a proxy that serves werkboek at /training/ (and strips it): links, forms,
    redirects and the login all carry the prefix."""
    config = ServerConfig(token=TOKEN)
    with (
        running(tmp_path, config, root_path="/training") as server,
        httpx.Client(base_url=server.url) as client,
    ):
        first = client.get("/werkboek", follow_redirects=False)
        assert first.status_code == 303
        assert first.headers["location"] == "/training/inloggen?volgende=/training/werkboek"
        login = client.get("/inloggen")
        assert 'action="/training/inloggen"' in login.text
        assert 'href="/training/static/werkboek.css"' in login.text
        token = re.search(r'name="csrf" value="([^"]+)"', login.text).group(1)
        right = client.post(
            "/inloggen",
            data={"csrf": token, "token": TOKEN, "volgende": "/training/werkboek"},
            follow_redirects=False,
        )
        assert right.headers["location"] == "/training/werkboek"
        page = client.get("/werkboek")
        assert page.status_code == 200
        assert 'hx-post="/training/werkboek/notities"' in page.text
        assert 'href="/training/recepten"' in page.text and 'href="/training/"' in page.text
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        added = client.post("/werkboek/notities", data={"csrf": token}, follow_redirects=False)
        assert added.status_code == 303 and added.headers["location"] == "/training/werkboek"
        assert 'data-verplaatsen="/training/werkboek/onderdelen/0/verplaatsen"' in (
            client.get("/werkboek").text
        )
        static = client.get("/static/htmx.min.js")
        assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"


def _log_in(client: httpx.Client, token: str) -> httpx.Response:
    page = client.get("/inloggen")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/inloggen", data={"csrf": csrf, "token": token, "volgende": "/"}, follow_redirects=False
    )


def test_a_login_ends_with_logout_for_a_copied_cookie_too_and_with_a_new_token(tmp_path):
    with running(tmp_path, ServerConfig(token=TOKEN)) as server:
        with httpx.Client(base_url=server.url) as client:
            assert _log_in(client, TOKEN).status_code == 303
            assert client.get("/werkboek").status_code == 200
            copied = dict(client.cookies)
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/werkboek").text).group(1)
            client.post("/uitloggen", data={"csrf": csrf})
        with httpx.Client(base_url=server.url, cookies=copied) as thief:
            # the copy of the cookie still carries its session, which ended on the server
            assert thief.get("/werkboek", follow_redirects=False).status_code == 303
        with httpx.Client(base_url=server.url) as client:
            assert _log_in(client, TOKEN).status_code == 303
            kept = dict(client.cookies)
    # the same folder, the same signing key, another access token: everyone logs in again
    other = TOKEN[::-1]
    with (
        running(tmp_path, ServerConfig(token=other)) as server,
        httpx.Client(base_url=server.url, cookies=kept) as client,
    ):
        assert client.get("/werkboek", follow_redirects=False).status_code == 303
        assert _log_in(client, other).status_code == 303
        assert client.get("/werkboek").status_code == 200


def test_token_guesses_are_throttled_for_pages_and_the_api(tmp_path):
    with (
        running(tmp_path, ServerConfig(token=TOKEN)) as server,
        httpx.Client(base_url=server.url) as client,
    ):
        for _ in range(20):
            assert _log_in(client, "geraden-token-123").status_code == 401
        locked = _log_in(client, TOKEN)  # even the right token waits now
        assert locked.status_code == 429 and "Te veel verkeerde pogingen" in locked.text
        api = client.post(
            "/api/werkboek",
            json={"titel": "x", "onderdelen": [{"notities": 1}]},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert api.status_code == 429 and api.headers["retry-after"] == "900"


def test_a_huge_number_in_a_url_is_a_page_that_does_not_exist(server):
    digits = "9" * 5000
    for path in (f"/voorbeeld/abc/{digits}.png", f"/voorbeeld/abc/{digits}"):
        answer = httpx.get(f"{server.url}{path}")
        assert answer.status_code == 404 and "Deze pagina bestaat niet." in answer.text
    posted = httpx.post(f"{server.url}/werkboek/onderdelen/{digits}/omhoog")
    assert posted.status_code in (403, 404)  # (no CSRF token: refused before anything is read)


def test_a_server_on_another_loopback_address_answers_to_that_address():
    config = ServerConfig(host="127.0.0.2")
    assert "127.0.0.2" in (config.allowed_hosts() or set())
    assert "localhost" in (config.allowed_hosts() or set())


# ---------------------------------------------------------------- any character a trainer types

OWN_RECIPE = "titel: Proefdag\nonderdelen:\n  - eigen: |\n      {page}\n"


def test_an_own_page_with_an_emoji_prints_through_the_api(server):
    body = OWN_RECIPE.format(page="# Welkom 🎉\n\n      Fijn dat je er bent.")
    response = httpx.post(
        f"{server.url}/api/werkboek",
        content=body.encode(),
        headers={"Content-Type": "application/yaml"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    assert "Welkom 🎉" in titles(response.content)


def test_an_own_page_with_a_character_no_font_has_is_422_at_its_line(server):
    body = OWN_RECIPE.format(page="# Welkom\n\n      Azul ⴰⵣⵓⵍ.")
    response = httpx.post(
        f"{server.url}/api/werkboek",
        content=body.encode(),
        headers={"Content-Type": "application/yaml"},
        timeout=120,
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["problemen"]
    assert problem["pad"] == "onderdelen[0].eigen"
    unprintable = "'ⴰ' (U+2D30), 'ⵣ' (U+2D63), 'ⵓ' (U+2D53), 'ⵍ' (U+2D4D)"
    assert f"{unprintable} kan werkboek niet drukken" in problem["bericht"]
    assert "tekst:3:" in problem["bericht"]  # the Markdown's line


def test_an_own_page_in_the_composer_prints_or_is_refused_beside_it(server):
    with httpx.Client(base_url=server.url, timeout=120) as client:
        page = client.get("/werkboek")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        client.post("/werkboek/leegmaken", data={"csrf": token})
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": "# Welkom 🎉\n\nHoi."})
        pdf = client.get("/werkboek/werkboek.pdf")
        assert pdf.status_code == 200
        assert "Welkom 🎉" in titles(pdf.content)
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": "# Groet\n\nⴰⵣⵓⵍ"})
        shown = client.get("/werkboek")
        assert shown.status_code == 200
        problem = re.search(r'<p class="fout" id="fout-onderdeel-1">(.*?)</p>', shown.text, re.S)
        assert problem is not None, shown.text
        assert "kan werkboek niet drukken" in problem.group(1) and ":3:" in problem.group(1)
        refused = client.get("/werkboek/werkboek.pdf", follow_redirects=False)
        assert refused.status_code in (303, 302), refused.status_code
        preview = client.get("/werkboek/voorbeeld")
        assert preview.status_code == 200
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_a_thumbnail_the_browser_has_is_not_asked_for_again(server):
    """A thumbnail's address names a picture that never changes: the browser may keep it
    (privately) and, after a new subtitle, asks only for the cover's; the page shown large
    is never kept, as no other page of the app is."""
    recipe = REPO / "recepten" / "trainingsdag-van-mens-tot-mens-werken.yaml"
    images = re.compile(r'<img src="(/voorbeeld/[0-9a-f]+/\d+\.png)"')
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/recepten").text).group(1)
        opened = client.post(
            "/recepten/openen",
            data={"csrf": token},
            files={"bestand": (recipe.name, recipe.read_bytes(), "application/yaml")},
        )
        assert opened.status_code in (200, 303)

        def shown(subtitle: str) -> list[str]:
            client.post(
                "/werkboek/gegevens",
                data={"csrf": token, "titel": "Training", "ondertitel": subtitle},
            )
            return images.findall(client.get("/werkboek/voorbeeld").text)

        before, after = shown("Zaandam, maandag"), shown("Zaandam, dinsdag")
        assert len(before) == len(after) > 20
        assert [n for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [0]
        thumbnail = client.get(after[1])
        assert thumbnail.headers["content-type"] == "image/png"
        assert thumbnail.headers["cache-control"] == "private, max-age=86400, immutable"
        large = client.get(after[1] + "?groot=1")
        assert large.status_code == 200 and large.headers["cache-control"] == "no-store"
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_the_training_day_without_scripts_and_what_it_refuses(server):
    """The day's forms work as plain forms; what cannot be made says so, never a 500."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/dag").text).group(1)
        # nothing to make yet: back to the page that says what is missing
        missing = client.get("/dag/presentielijst.pdf", follow_redirects=False)
        assert missing.status_code == 303 and missing.headers["location"] == "/dag"
        assert client.get("/drukken/kaarten-a7.zip").status_code == 404
        # names one a line ("Naamsen" is a name, not a header)
        listed = client.post(
            "/dag/lijst",
            data={"csrf": token, "lijst": "Anna Naamsen\r\nBram Bakker\r\n"},
            follow_redirects=False,
        )
        assert listed.status_code == 303
        page = client.get("/dag").text
        assert 'value="Anna Naamsen"' in page and "2 deelnemers" in page
        # the table, corrected: a row emptied is taken away
        corrected = client.post(
            "/dag/tabel",
            data={"csrf": token, "kolom": ["naam"], "waarde-0": ["Anna Naamsen", "", "Chantal"]},
            follow_redirects=False,
        )
        assert corrected.status_code == 303
        assert "2 deelnemers" in client.get("/dag").text
        # a signature too large is said beside its field
        large = b"\x89PNG\r\n\x1a\n" + b"\0" * 1_100_000
        refused = client.post(
            "/dag/handtekening",
            data={"csrf": token},
            files={"handtekening": ("handtekening.png", large, "image/png")},
        )
        assert refused.status_code == 422
        said = re.search(r'<span class="fout" id="fout-handtekening">(.*?)</span>', refused.text)
        assert said is not None and "groter dan 1 MB" in said.group(1)
        assert "/tmp/" not in refused.text and "handtekening.png" not in said.group(1)


def test_without_scripts_starting_over_asks_on_a_page_and_can_be_undone(server):
    with httpx.Client(base_url=server.url) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/werkboek").text).group(1)
        client.post("/werkboek/notities", data={"csrf": token})
        asked = client.post("/werkboek/leegmaken", data={"csrf": token})
        assert asked.status_code == 200 and "Ja, opnieuw beginnen" in asked.text
        assert 'data-aantal="1"' in client.get("/werkboek").text  # nothing lost
        done = client.post(
            "/werkboek/leegmaken", data={"csrf": token, "bevestigd": "ja"}, follow_redirects=False
        )
        assert done.headers["location"] == "/werkboek?vervangen=ja"
        page = client.get(done.headers["location"]).text
        assert "Je werkboek is leeggemaakt." in page and 'data-aantal="0"' in page
        client.post("/werkboek/terugzetten", data={"csrf": token})
        assert 'data-aantal="1"' in client.get("/werkboek").text

        # an image that prints blurred: made, with a warning beside it
        small = BytesIO()
        Image.new("RGB", (120, 80), "green").save(small, "PNG")
        uri = "data:image/png;base64," + base64.b64encode(small.getvalue()).decode()
        markdown = f"# Kaart\n\n![De route]({uri})\n"
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": markdown})
        shown = client.get("/werkboek")
        warned = re.search(
            r'<p class="waarschuwing" id="waarschuwing-onderdeel-\d+">(.*?)</p>', shown.text, re.S
        )
        assert warned is not None, shown.text
        assert "96 ppi, minder dan 150" in warned.group(1) and "tekst:3:" in warned.group(1)
        assert client.get("/werkboek/werkboek.pdf").status_code == 200
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_a_fault_of_werkboek_is_a_dutch_page_and_a_traceback_in_the_log(
    server, monkeypatch, caplog
):
    """A bug (here: the help page's context raising) answers 500 with a Dutch page, or JSON
    for the API, never Starlette's English "Internal Server Error"; the log keeps the cause."""

    def broken(request: object) -> dict[str, object]:
        raise RuntimeError("een fout in werkboek zelf")

    monkeypatch.setattr("werkboek.web.pages.guide.context", broken)
    answer = httpx.get(f"{server.url}/hulp")
    assert answer.status_code == 500
    assert "Er ging iets mis op de server" in answer.text and "<html" in answer.text
    assert "Internal Server Error" not in answer.text and "RuntimeError" not in answer.text
    assert "fout in werkboek bij GET /hulp" in caplog.text
    assert "een fout in werkboek zelf" in caplog.text  # (the traceback)
