"""How the web app is started: its address, who may use it, and the mail server it uses.

All of it comes from the command line and the server's environment, never from a page:
a trainer's browser never sees the access token's value or the mail password.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field

from ..errors import Problem, WerkboekError
from ..mail.smtp import SmtpSettings

TOKEN_VARIABLE = "WERKBOEK_TOKEN"
HOSTS_VARIABLE = "WERKBOEK_HOSTS"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def sub_path(value: str) -> str:
    """``/werkboek`` from ``werkboek/`` or ``/werkboek``; empty for the root."""
    path = "/" + value.strip().strip("/")
    if path == "/":
        return ""
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", path):
        raise WerkboekError(f"{value!r} is geen pad onder de server (bijvoorbeeld /werkboek)")
    return path


def proxy_network(value: str) -> str:
    """A proxy's address or network as given (``10.0.0.5``, ``10.0.0.0/24``, ``::1``)."""
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        raise WerkboekError(
            f"{value!r} is geen IP-adres of netwerk van een proxy (bijvoorbeeld 10.0.0.5)"
        ) from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


LOGINS = ("token", "accounts", "sso")
"""How trainers log in: with one shared access token (``WERKBOEK_TOKEN``, or nobody on a
laptop), with werkboek's own accounts, or through the organisation's single sign-on (a
reverse proxy names the user in a header)."""
USER_HEADER = "Remote-User"
GROUPS_HEADER = "Remote-Groups"
"""Where oauth2-proxy (``--set-xauthrequest``, as ``X-Forwarded-Groups``), Authelia and
nginx ``auth_request`` setups pass the user's groups: comma-separated names."""


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default=None, repr=False)
    """With a token every page needs a login with it and the API a Bearer header."""
    host_names: tuple[str, ...] = ()
    """The names this server may be reached by (the Host header), besides its address."""
    smtp: SmtpSettings | None = None
    """The mail server for sending; without it the app only makes dry runs."""
    sender: str | None = None
    """The default From address of a mailing."""
    login: str = "token"
    """One of :data:`LOGINS`."""
    user_header: str = USER_HEADER
    """With single sign-on: the header in which the proxy names the user."""
    admin_group: str | None = None
    """With single sign-on: the organisation's group whose members are beheerder (everyone
    else a trainer), read from :attr:`groups_header`; ``None``: roles as ``werkboek
    gebruikers`` set them."""
    groups_header: str = GROUPS_HEADER
    """With single sign-on: the header in which the proxy names the user's groups."""
    trusted_proxies: tuple[str, ...] = ()
    """The addresses (or networks) of the reverse proxies in front: their X-Forwarded-For
    and -Proto count, and with single sign-on their user header; from anywhere else these
    headers are ignored."""
    root_path: str = ""
    """The path the proxy serves werkboek below (``/werkboek``); empty: the root."""
    retention_days: int = 30
    """Participants' data older than this many days is erased, every day (see
    :mod:`werkboek.retention`)."""
    head_seconds: float = 10.0
    """A client must send a request's head (request line and headers) within this many
    seconds, or its connection is closed (see :mod:`.connections`)."""
    max_connections: int = 200
    """At most this many connections at once; one more gets a short Dutch 503."""
    body_seconds: float = 30.0
    """While a request's body comes in, at most this many seconds without a byte of it."""
    processes: int = 1
    """Worker processes serving requests (each with its share of the cores for rendering)."""

    @classmethod
    def from_environment(
        cls,
        host: str,
        port: int,
        *,
        smtp: SmtpSettings | None = None,
        sender: str | None = None,
        login: str = "token",
        user_header: str = USER_HEADER,
        trusted_proxies: tuple[str, ...] = (),
        root_path: str = "",
        retention_days: int = 30,
        admin_group: str | None = None,
        groups_header: str = GROUPS_HEADER,
        processes: int = 1,
    ) -> ServerConfig:
        """The config for ``werkboek serve``: a token and host names from the environment.

        Refuses to serve on another address than loopback without a way to log in, and
        single sign-on without the proxies it may trust.
        """
        if login not in LOGINS:
            raise WerkboekError(f"onbekende manier van inloggen {login!r}")
        proxies = tuple(proxy_network(p) for p in trusted_proxies)
        if login == "sso" and not proxies:
            raise WerkboekError(
                "met single sign-on vertrouwt werkboek de gebruikerskop alleen van de proxy "
                "van de organisatie: noem het adres van die proxy"
            )
        token = os.environ.get(TOKEN_VARIABLE) or None
        if token is not None and len(token) < 16:
            raise WerkboekError(
                Problem(
                    "", 0, 0, TOKEN_VARIABLE, "het toegangstoken is te kort (minstens 16 tekens)"
                )
            )
        if not is_loopback(host) and token is None and login == "token":
            raise WerkboekError(
                Problem(
                    "",
                    0,
                    0,
                    "--host",
                    f"werkboek luistert alleen op een ander adres dan 127.0.0.1 met een "
                    f"toegangstoken: zet {TOKEN_VARIABLE} (minstens 16 tekens) en start opnieuw",
                )
            )
        names = tuple(n.strip() for n in os.environ.get(HOSTS_VARIABLE, "").split(",") if n.strip())
        return cls(
            host,
            port,
            token,
            names,
            smtp,
            sender,
            login=login,
            user_header=user_header,
            admin_group=(admin_group or "").strip() or None,
            groups_header=groups_header,
            trusted_proxies=proxies,
            root_path=sub_path(root_path),
            retention_days=retention_days,
            processes=processes,
        )

    def role_of(self, groups: str | None) -> str | None:
        """The role the proxy's groups header gives (``None``: no group is configured, the
        account's own role counts)."""
        if self.admin_group is None:
            return None
        named = {group.strip() for group in (groups or "").split(",")}
        return "beheerder" if self.admin_group in named else "trainer"

    def trusts(self, address: str) -> bool:
        """Whether ``address`` is one of the proxies whose user header counts."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net) for net in self.trusted_proxies)

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def allowed_hosts(self) -> set[str] | None:
        """Host headers this server answers to; ``None``: any (a token guards the server,
        it listens on every address and no names were given)."""
        names = set(self.host_names)
        if is_loopback(self.host):
            names.update({*LOOPBACK_NAMES, self.host})
        elif self.host in ("0.0.0.0", "::"):
            if not names:
                return None
        else:
            names.add(self.host)
        return {name.lower().strip("[]") for name in names}
