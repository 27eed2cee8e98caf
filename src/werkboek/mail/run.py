"""One run of a mailing, as the command line (and the web app) drive it.

Compose and check everything first (:func:`~.mailing.prepare_mailing`); then either the
dry run (:func:`dry_run`: the messages as ``.eml``, nothing sent) or sending
(:func:`send`): plan against the send log, ask for the password only when something
is to be sent, send, and say what happened and whether that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Problem
from .errors import SendError
from .log import SendLog, State, default_log_path, known_entries
from .mailing import Mailing, legacy_log_path, write_messages
from .report import format_dry_run, format_plan, format_report, report_problem
from .sending import Progress, SendReport, plan_sending, send_mailing
from .smtp import Security, SmtpSettings

PASSWORD_VARIABLE = "WERKBOEK_SMTP_PASSWORD"


def smtp_settings(
    host: str | None,
    port: int | None = None,
    security: str = "starttls",
    user: str | None = None,
    cafile: Path | None = None,
) -> SmtpSettings:
    """Settings for sending, checked: a server is needed, a password never goes in the clear."""
    if not host:
        raise SendError(Problem("", 0, 0, "--smtp-host", "--send heeft een server nodig"))
    settings = SmtpSettings(
        host=host, port=port, security=Security(security), user=user, cafile=cafile
    )
    settings.check()
    return settings


def open_log(output_dir: Path | None = None) -> SendLog:
    """The user's send log (see :mod:`.log`), with the log an older werkboek kept in
    ``OUTPUT/mail/`` merged in."""
    log = SendLog(default_log_path())
    if output_dir is not None:
        try:
            log.merge(legacy_log_path(output_dir))
        except BaseException:
            log.close()
            raise
    return log


def dry_run(mailing: Mailing, output_dir: Path | None = None) -> list[str]:
    """Write every message as ``.eml``; the lines that tell the trainer what was made.

    The send log is read first: a damaged log stops the run before anything is written.
    """
    paths = [default_log_path()]
    if output_dir is not None:
        paths.append(legacy_log_path(output_dir))
    entries = known_entries(mailing.name, paths)
    write_messages(mailing)
    return format_dry_run(mailing, entries)


@dataclass(frozen=True)
class SendOutcome:
    report: SendReport
    lines: list[str]
    """The summary for the trainer."""
    problem: str | None
    """Why the run counts as failed (something not sent, failed or unsure), or None."""


def send(
    mailing: Mailing,
    settings: SmtpSettings,
    *,
    output_dir: Path | None = None,
    rate: float,
    retries: int,
    resend_unknown: bool,
    ask_password: Callable[[str], str],
    announce: Callable[[list[str]], None],
    progress: Callable[[int], Progress] | None = None,
) -> SendOutcome:
    """Send what the send log says is left; ``ask_password(prompt)`` only when needed.

    One run per mailing at a time (the log's lock); ``announce`` gets the plan before
    anything is sent; ``progress(count)`` gives the callback that hears of every message.
    """
    with open_log(output_dir) as log, log.lock(mailing.name):
        plan = plan_sending(mailing, log, resend_unknown=resend_unknown)
        announce(format_plan(plan))
        if plan.todo and settings.user and settings.password is None:
            password = os.environ.get(PASSWORD_VARIABLE) or ask_password(
                f"Wachtwoord voor {settings.user} op {settings.address}"
            )
            settings = replace(settings, password=password)
        report = send_mailing(
            plan,
            settings,
            log,
            rate=rate,
            retries=retries,
            resend_unknown=resend_unknown,
            progress=progress(len(plan.todo)) if progress and plan.todo else None,
        )
    return SendOutcome(report, format_report(report), report_problem(report))


@dataclass(frozen=True)
class MailingState:
    """Where a mailing stands, by the send log: how many of its messages are where."""

    sent: int
    failed: int
    unknown: int
    left: int

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.unknown + self.left


def mailing_state(
    recipients_path: Path, message_path: Path, output_dir: Path | None = None
) -> MailingState:
    """Where the mailing of this list and this message stands in the send log, read
    without composing a message or writing to the log."""
    from .mailing import mailing_name
    from .recipients import read_recipients

    name = mailing_name(recipients_path, message_path)
    paths = [default_log_path()]
    if output_dir is not None:
        paths.append(legacy_log_path(output_dir))
    entries = known_entries(name, paths)
    counts = dict.fromkeys(State, 0)
    for recipient in read_recipients(recipients_path):
        entry = entries.get(recipient.key)
        counts[entry.state if entry is not None else State.PENDING] += 1
    return MailingState(
        sent=counts[State.SENT],
        failed=counts[State.FAILED],
        unknown=counts[State.UNKNOWN],
        left=counts[State.PENDING] + counts[State.SENDING],
    )
