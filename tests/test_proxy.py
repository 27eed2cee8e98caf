"""werkboek behind an organisation's reverse proxy: a real nginx (Debian's) on loopback with
TLS (a test CA from trustme), the app below /werkboek, single sign-on by the proxy.

nginx authenticates (HTTP basic here, as ``auth_request`` or oauth2-proxy would) and passes
the user in ``Remote-User``; it connects to werkboek from 127.0.0.2, the only address werkboek
trusts, so the same header sent straight to werkboek (from 127.0.0.1) counts for nothing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pypdf
import pytest
import trustme
from playwright.sync_api import expect, sync_playwright

from webserver import CHROMIUM, CHROMIUM_ARGS, running
from werkboek import Project, load_recipe
from werkboek.build import build_workbook
from werkboek.web.config import ServerConfig

from conftest import CONTENT, REPO, free_port

pytestmark = pytest.mark.slow
PASSWORD = "geheim-genoeg-123"


NGINX_CONF = """
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 12m;
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {folder}/server.pem;
        ssl_certificate_key {folder}/server.key;
        location /werkboek/ {{
            auth_basic "werkboek";
            auth_basic_user_file {folder}/gebruikers;
            proxy_pass http://127.0.0.1:{app}/;
            proxy_bind 127.0.0.2;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Remote-User $remote_user;
            proxy_read_timeout 300s;
        }}
    }}
}}
"""


def spki_hash(certificate: Path) -> str:
    """The base64 SHA-256 of a certificate's public key, as Chromium's SPKI list takes it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    key = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(key).digest()).decode()


def trusting(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


@pytest.fixture
def proxied(tmp_path) -> Iterator[tuple[str, int, Path]]:
    """werkboek behind nginx: (the public URL, the app's own port, the CA's PEM file)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).is_file(), "nginx is installed by scripts/setup.sh test"
    folder = tmp_path / "nginx"
    folder.mkdir()
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(folder / "server.pem"))
    for extra in cert.cert_chain_pems[1:]:
        with (folder / "server.pem").open("ab") as chain:
            chain.write(extra.bytes())
    cert.private_key_pem.write_to_path(str(folder / "server.key"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    (folder / "gebruikers").write_text(f"anna:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    config = ServerConfig(login="sso", trusted_proxies=("127.0.0.2/32",), root_path="/werkboek")
    with running(tmp_path / "app", config, root_path="/werkboek") as app:
        port = free_port()
        app_port = app.port
        (folder / "nginx.conf").write_text(
            NGINX_CONF.format(
                # (as root, nginx's workers would be www-data, who cannot read the test's folder)
                user="user root;" if os.geteuid() == 0 else "",
                folder=folder,
                port=port,
                app=app_port,
            ),
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            public = f"https://localhost:{port}/werkboek/"
            for _ in range(100):
                try:
                    httpx.get(public, verify=trusting(folder / "ca.pem"), timeout=2)
                    break
                except httpx.TransportError:
                    if process.poll() is not None:
                        pytest.fail(process.stdout.read().decode() if process.stdout else "nginx")
                    time.sleep(0.1)
            yield public, app.port, folder / "ca.pem"
        finally:
            process.terminate()
            process.wait(10)
            if process.stdout is not None:
                process.stdout.close()


def test_a_trainer_logs_in_composes_and_downloads_through_the_proxy(proxied, tmp_path):
    public, direct, ca = proxied
    # the header straight to werkboek, past the proxy, counts for nothing
    forged = httpx.get(
        f"http://127.0.0.1:{direct}/werkboek",
        headers={"Remote-User": "anna"},
        follow_redirects=False,
    )
    assert forged.status_code == 303
    # through the proxy without logging in there: the proxy says no
    assert httpx.get(public, verify=trusting(ca)).status_code == 401
    with httpx.Client(verify=trusting(ca), auth=("anna", PASSWORD)) as client:
        page = client.get(f"{public}werkboek")
        assert page.status_code == 200 and ">anna<" in page.text
        # every link, form and file of the page lies below the proxy's path
        assert 'href="/werkboek/static/' in page.text
        assert 'action="/' not in page.text.replace('action="/werkboek/', "")
        cookie = page.headers.get("set-cookie", "")
        assert "secure" in cookie.lower() and "path=/werkboek" in cookie.lower()
    with sync_playwright() as playwright:
        # Chromium trusts the proxy's certificate by its key (a download over a connection
        # with certificate errors would be cancelled as insecure)
        trusted = f"--ignore-certificate-errors-spki-list={spki_hash(ca.with_name('server.pem'))}"
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trusted]
        )
        try:
            context = browser.new_context(
                base_url=public,
                http_credentials={"username": "anna", "password": PASSWORD},
                accept_downloads=True,
            )
            page = context.new_page()
            page.goto(public)
            page.get_by_label("Zoek op een woord").fill("Feiten of interpretaties?")
            page.wait_for_timeout(400)
            page.wait_for_load_state("networkidle")
            page.get_by_role(
                "button", name="Toevoegen aan je werkboek: Feiten of interpretaties?", exact=True
            ).click()
            expect(page.get_by_role("status").filter(has_text="In je werkboek")).to_be_visible()
            page.get_by_role("link", name="Werkboek samenstellen").click()
            expect(page).to_have_url(f"{public}werkboek")
            page.get_by_label("Titel", exact=True).fill("Achter de proxy")
            page.get_by_label("Titel", exact=True).press("Tab")
            page.wait_for_function(
                "() => { const v = document.querySelector('[data-voorbeeld]');"
                " const s = document.querySelector('#samensteller');"
                " return v && v.dataset.versie === s.dataset.versie; }",
                timeout=180_000,
            )
            with page.expect_download() as info:
                page.get_by_role("link", name="PDF voor deelnemers").click()
            downloaded = Path(info.value.path()).read_bytes()
            with page.expect_download() as info:
                page.get_by_role("link", name="Recept (YAML)").click()
            recipe = tmp_path / "recept.yaml"
            recipe.write_bytes(Path(info.value.path()).read_bytes())
        finally:
            browser.close()
    assert pypdf.PdfReader(io.BytesIO(downloaded)).metadata.title == "Achter de proxy"
    project = Project(CONTENT, REPO / "styles", tmp_path / "cli")
    [cli] = build_workbook(project, load_recipe(recipe, project.content), tmp_path / "cli.pdf")
    assert cli.read_bytes() == downloaded
