"""Every form field, upload and API body of the app, fed hostile values: a Dutch problem or
success, never a 500, a traceback or an English error (issue 19's "Done when")."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import httpx
import pytest

from webserver import Running, running

pytestmark = pytest.mark.slow

HOSTILE = {
    "leeg": "",
    "regeleinden": "a\u2028b\rc\u0085d\ne\x0bf\x0cg",
    "stuurtekens": "naam\x00\x07\x1b[31m",
    "richting": "Anna\u202eav\u200b",
    "emoji": "Welkom 🎉 👩🏽‍💻",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>\"'&",
    "jinja": "{{ 1 + 'a' }}{% for a in range(99999999) %}x{% endfor %}",
    "yaml": "datum: 0000-01-01\n&a [*a, *a]\n: : :",
    "getal": "9" * 5000,
    "lang": "x" * 300_000,
    "pad": "../../etc/passwd",
    "cijfers": "-1",
}
"""Values every field gets, one at a time (all fields of a form at once)."""
PAGES = ["/", "/werkboek", "/recepten", "/dag", "/exemplaren", "/mail", "/drukken", "/hulp"]
ENGLISH = re.compile(
    r"Internal Server Error|Traceback|Content Too Large|Bad Request|Method Not Allowed|"
    r"Not Found|field larger than|Error fetching|Exception|\bNone\b"
)


class Forms(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], bool]] = []
        self._current: tuple[str, dict[str, str], bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            multipart = values.get("enctype", "") == "multipart/form-data"
            self._current = (values.get("action", ""), {}, multipart)
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "textarea", "select"):
            name = values.get("name")
            if name:
                self._current[1][name] = values.get("type", tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Running]:
    with running(tmp_path_factory.mktemp("vijandig")) as app:
        yield app


def forms_of(client: httpx.Client) -> list[tuple[str, dict[str, str], bool]]:
    found: dict[str, tuple[str, dict[str, str], bool]] = {}
    for page in PAGES:
        parser = Forms()
        parser.feed(client.get(page).text)
        for action, fields, multipart in parser.forms:
            found.setdefault(html.unescape(action), (html.unescape(action), fields, multipart))
    return list(found.values())


def csrf_of(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/werkboek").text)
    assert found is not None
    return found.group(1)


def test_every_form_field_takes_hostile_values_without_a_500(server):
    with httpx.Client(base_url=server.url, timeout=300) as client:
        # a workbook with something in it, so that the pages show all their forms
        client.post(
            "/werkboek/notities",
            data={"csrf": csrf_of(client)},
            headers={"HX-Request": "true"},
        )
        forms = forms_of(client)
        assert len(forms) >= 10, [f[0] for f in forms]
        failures = []
        for action, fields, _multipart in forms:
            if "uitloggen" in action or "leegmaken" in action:
                continue
            for label, value in HOSTILE.items():
                data = {
                    name: value
                    for name, kind in fields.items()
                    if name != "csrf" and kind not in ("file", "hidden")
                }
                data["csrf"] = csrf_of(client)
                files = {
                    name: (f"{label}.csv", value.encode("utf-8", "surrogatepass"), "text/csv")
                    for name, kind in fields.items()
                    if kind == "file"
                }
                answer = client.post(action, data=data, files=files or None)
                if answer.status_code >= 500 or ENGLISH.search(answer.text):
                    failures.append((action, label, answer.status_code, answer.text[:300]))
        assert failures == []


@pytest.mark.parametrize("label", list(HOSTILE))
def test_the_api_takes_hostile_bodies_without_a_500(server, label):
    value = HOSTILE[label]
    bodies = [
        ("application/yaml", value.encode()),
        ("application/yaml", f"titel: {value!r}\nonderdelen: [{{eigen: {value!r}}}]\n".encode()),
        ("application/json", value.encode()),
        ("application/json", json.dumps({"titel": value, "onderdelen": 5}).encode()),
    ]
    for kind, body in bodies:
        answer = httpx.post(
            f"{server.url}/api/werkboek",
            content=body,
            headers={"Content-Type": kind},
            timeout=300,
        )
        assert answer.status_code < 500, (kind, answer.text[:300])
        if answer.status_code != 200:
            assert not ENGLISH.search(answer.text), answer.text[:300]


def test_a_body_over_the_limit_is_refused_in_dutch(server):
    answer = httpx.post(
        f"{server.url}/recepten/openen",
        content=b"x" * 13_000_000,
        headers={"Content-Type": "application/octet-stream"},
        timeout=120,
    )
    assert answer.status_code in (403, 404, 413), answer.status_code
    assert not ENGLISH.search(answer.text), answer.text[:300]
