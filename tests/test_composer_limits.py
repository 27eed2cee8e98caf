"""The composer under large input: an own page too long is refused beside its field, and a
large draft is checked off the event loop (another user's request is answered meanwhile).

Against the real server on a free loopback port (uvicorn in a thread), with httpx.
"""

from __future__ import annotations

import html
import re
import threading

import httpx
import pytest

from webserver import running
from werkboek.web.drafts import MAX_OWN
from werkboek.web.pages import composer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("composer")) as app:
        yield app


def csrf(client: httpx.Client) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/werkboek").text)
    assert found is not None
    return found.group(1)


def own_problem(text: str) -> str:
    found = re.search(r'<span class="fout" id="fout-eigen"[^>]*>(.*?)</span>', text, re.S)
    assert found is not None, text[:2000]
    return html.unescape(found.group(1))


LONG = "# Te lang\n\n" + "é" * (MAX_OWN + 10)  # (a cut at a byte limit would split an é)


@pytest.mark.parametrize("htmx", [False, True])
def test_an_own_page_file_over_the_limit_is_refused_beside_its_field(server, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token})
        refused = client.post(
            "/werkboek/eigen",
            data={"csrf": token, "markdown": ""},
            files={"bestand": ("lang.md", LONG.encode(), "text/markdown")},
            headers=headers,
            follow_redirects=False,
        )
        assert refused.status_code == 422
        problem = own_problem(refused.text)
        assert "‘lang.md’" in problem and "100.000" in problem, problem
        assert "UTF-8" not in problem
        # nothing half-kept
        assert "Te lang" not in client.get("/werkboek").text
        # one that fits, in the same bytes, is taken whole
        fits = "# Past\n\n" + "é" * (MAX_OWN - 20)
        taken = client.post(
            "/werkboek/eigen",
            data={"csrf": token, "markdown": ""},
            files={"bestand": ("past.md", fits.encode(), "text/markdown")},
            headers=headers,
            follow_redirects=False,
        )
        assert taken.status_code in (200, 303)
        shown = client.get("/werkboek").text
        assert "Past" in shown
        assert own_problem(shown) == ""
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_typed_text_over_the_limit_and_a_file_that_is_no_text_are_refused(server):
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token})
        typed = client.post("/werkboek/eigen", data={"csrf": token, "markdown": LONG})
        assert typed.status_code == 422
        assert "de tekst heeft 100.0" in own_problem(typed.text)
        binary = client.post(
            "/werkboek/eigen",
            data={"csrf": token, "markdown": ""},
            files={"bestand": ("foto.md", b"\x89PNG\r\n\x1a\n\xff\xfe", "text/markdown")},
        )
        assert binary.status_code == 422
        assert "‘foto.md’ is geen UTF-8-tekst" in own_problem(binary.text)
        huge = client.post(
            "/werkboek/eigen",
            data={"csrf": token, "markdown": ""},
            files={"bestand": ("groot.md", b"a" * (5 * MAX_OWN), "text/markdown")},
        )
        assert huge.status_code == 422
        said = own_problem(huge.text)
        assert "‘groot.md’" in said and "hoogstens 100.000" in said, said
        assert "/bewerken" not in client.get("/werkboek").text  # no own page was added
        # an edit that makes a page too long keeps the old text, and says so beside it
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": "# Kort\n\nHoi."})
        edit = client.post("/werkboek/onderdelen/0/tekst", data={"csrf": token, "markdown": LONG})
        assert edit.status_code == 422
        assert "100.000" in own_problem(edit.text)
        assert "Te lang" in edit.text  # (the text typed is there to shorten)
        assert "Kort" in client.get("/werkboek").text
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_a_large_draft_is_checked_off_the_event_loop(server, monkeypatch):
    """While one user's draft is being checked, another's static request is answered: the
    check waits until that answer came (or 60 s, and the order then shows it blocked)."""
    entered, answered = threading.Event(), threading.Event()
    order: list[str] = []
    original = composer.check

    def slow_check(site, draft):
        if draft.onderdelen:  # only the large draft
            entered.set()
            answered.wait(60)
            order.append("check ended")
        return original(site, draft)

    monkeypatch.setattr(composer, "check", slow_check)
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token})
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": "# Groot\n\nTekst."})
        entered.clear()
        order.clear()
        looking = threading.Thread(target=client.get, args=("/werkboek",))
        looking.start()
        assert entered.wait(60)
        static = httpx.get(f"{server.url}/static/werkboek.css", timeout=120)
        order.append("static answered")
        answered.set()
        looking.join(120)
        assert static.status_code == 200
        assert order[:2] == ["static answered", "check ended"], order
        client.post("/werkboek/leegmaken", data={"csrf": token})


def test_an_own_pages_images_are_short_names_in_its_edit_form_and_kept_on_saving(server):
    """The edit form shows an image as ``afbeelding-1``, not thousands of base64 characters;
    saving the changed text keeps the image where its name still stands."""
    import base64
    import io

    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (600, 400), "#2a6f97").save(picture, format="PNG")
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token, "bevestigd": "ja"})
        client.post("/werkboek/eigen", data={"csrf": token, "markdown": "# Welkom\n\nFijn."})
        added = client.post(
            "/werkboek/onderdelen/0/afbeelding",
            data={"csrf": token, "beschrijving": "Het gebouw van de training"},
            files={"afbeelding": ("gebouw.png", picture.getvalue(), "image/png")},
        )
        assert added.status_code in (200, 303), added.text[:500]
        form = client.get("/werkboek/onderdelen/0/bewerken").text
        shown = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", form, re.S).group(1))
        assert "![Het gebouw van de training](afbeelding-1)" in shown
        assert "base64" not in form and "afbeelding-1" in form
        changed = shown.replace("# Welkom", "# Welkom op de trainingsdag")
        saved = client.post(
            "/werkboek/onderdelen/0/tekst", data={"csrf": token, "markdown": changed}
        )
        assert saved.status_code in (200, 303)
        recipe = client.get("/werkboek/recept.yaml").text
        assert "# Welkom op de trainingsdag" in recipe
        encoded = base64.b64encode(picture.getvalue()).decode()[:60]
        assert "data:image/png;base64," in recipe and encoded in recipe.replace("\n", "")


def test_an_empty_workbook_says_what_is_missing_and_hours_take_a_comma(server):
    """Said so a trainer knows what to do: "mag niet leeg zijn" named nothing, and 6,5
    hours was "verwacht een getal"."""
    with httpx.Client(base_url=server.url, timeout=120) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token, "bevestigd": "ja"})
        page = html.unescape(client.get("/werkboek").text)
        assert composer.EMPTY in page and "mag niet leeg zijn" not in page
        client.post(
            "/werkboek/onderdelen", data={"csrf": token, "soort": "principe", "slug": "lerend"}
        )
        fields = {"titel": "Dag", "editie": "deelnemer", "uren": "6,5", "dagdelen": "2"}
        answer = client.post("/werkboek/gegevens", data={"csrf": token, **fields})
        page = client.get("/werkboek").text if answer.status_code == 303 else answer.text
        assert "verwacht een getal" not in html.unescape(page)
        assert 'value="6,5"' in page  # as typed


def test_a_change_with_a_problem_keeps_the_last_good_preview_marked_as_earlier(server):
    """A typo in the hours took the whole preview away ("Nog geen voorbeeld")."""
    htmx = {"HX-Request": "true"}
    with httpx.Client(base_url=server.url, timeout=300) as client:
        token = csrf(client)
        client.post("/werkboek/leegmaken", data={"csrf": token, "bevestigd": "ja"})
        client.post(
            "/werkboek/onderdelen", data={"csrf": token, "soort": "principe", "slug": "lerend"}
        )
        fields = {"csrf": token, "titel": "Dag", "editie": "trainer", "uren": "6"}
        client.post("/werkboek/gegevens", data=fields)
        good = client.get("/werkboek/voorbeeld", headers=htmx).text
        pictures = re.findall(r'<img src="([^"]+)"', good)
        assert pictures and "vóór je laatste wijziging" not in good
        client.post("/werkboek/gegevens", data={**fields, "uren": "zes"})
        earlier = html.unescape(client.get("/werkboek/voorbeeld", headers=htmx).text)
        assert "Dit is het voorbeeld van vóór je laatste wijziging" in earlier
        assert re.findall(r'<img src="([^"]+)"', earlier) == pictures
        assert "editie voor de trainer" in earlier
        # the banner says where the problem is (it said "1 punt om op te lossen." alone)
        composer_page = html.unescape(client.get("/werkboek").text)
        assert "1 punt om op te lossen, in rood bij het veld of het onderdeel" in composer_page
        # solved: a preview of now, no note
        client.post("/werkboek/gegevens", data={**fields, "uren": "6,5"})
        now = html.unescape(client.get("/werkboek/voorbeeld", headers=htmx).text)
        assert "vóór je laatste wijziging" not in now and "<img" in now
        # emptied to start over: no earlier workbook's pages
        client.post("/werkboek/leegmaken", data={"csrf": token, "bevestigd": "ja"})
        empty = html.unescape(client.get("/werkboek/voorbeeld", headers=htmx).text)
        assert "<img" not in empty and "Nog geen voorbeeld" in empty
