"""One run of a mailing, as the command line (and the web app) drive it.

Compose and check everything first (:func:`~.mailing.prepare_mailing`); then either the
dry run (:func:`dry_run`: the messages as ``.eml``, nothing sent) or sending
(:func:`send`): plan against the send log, ask for the password only when something
is to be sent, send, and say what happened and whether that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Problem
from .errors import AlreadyReached, SendError
from .log import (
    Entry,
    Reached,
    SendLog,
    State,
    being_sent,
    default_log_path,
    known_entries,
    reached,
)
from .mailing import Mailing, legacy_log_path, write_messages
from .report import (
    Earlier,
    earlier_line,
    format_dry_run,
    format_plan,
    format_report,
    report_problem,
)
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
        raise SendError(Problem(message="om te verzenden is een mailserver nodig"))
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


def log_paths(output_dir: Path | None) -> list[Path]:
    """The user's send log, and the one an older werkboek kept in ``OUTPUT/mail/``."""
    paths = [default_log_path()]
    if output_dir is not None:
        paths.append(legacy_log_path(output_dir))
    return paths


def earlier_recipients(
    mailing: Mailing,
    entries: Mapping[str, Entry],
    reached: Mapping[str, Reached],
) -> list[Earlier]:
    """The participants still to get this mailing who may have had another mailing of the
    same sender (``reached``); those already sent this one are not asked about again."""
    return [
        Earlier(message, reached[message.recipient.key])
        for message in mailing.messages
        if message.recipient.key in reached
        and (
            message.recipient.key not in entries
            or entries[message.recipient.key].state not in (State.SENT, State.UNKNOWN)
        )
    ]


def already_reached(mailing: Mailing, output_dir: Path | None = None) -> list[Earlier]:
    """Who on this mailing's list already had another mailing of the same sender: the
    people to name (and ask about) before anything goes out. Read without writing."""
    paths = log_paths(output_dir)
    keys = [message.recipient.key for message in mailing.messages]
    return earlier_recipients(
        mailing,
        known_entries(mailing.name, paths, keys),
        reached(mailing.actor, mailing.name, paths, keys),
    )


def dry_run(
    mailing: Mailing,
    output_dir: Path | None = None,
    *,
    show_folder: bool = True,
    show_name: bool = True,
    table: bool = True,
) -> list[str]:
    """Write every message as ``.eml``; the lines that tell the trainer what was made
    (see :func:`~.report.format_dry_run` for what they show).

    The send log is read first: a damaged log stops the run before anything is written.
    """
    try:
        paths = log_paths(output_dir)
        keys = [message.recipient.key for message in mailing.messages]
        entries = known_entries(mailing.name, paths, keys)
        earlier = earlier_recipients(
            mailing, entries, reached(mailing.actor, mailing.name, paths, keys)
        )
        write_messages(mailing)
    finally:
        mailing.discard()
    return format_dry_run(
        mailing, entries, earlier, show_folder=show_folder, show_name=show_name, table=table
    )


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
    resend_to_earlier: bool = False,
    ask_password: Callable[[str], str],
    announce: Callable[[list[str]], None],
    progress: Callable[[int], Progress] | None = None,
    show_name: bool = True,
) -> SendOutcome:
    """Send what the send log says is left; ``ask_password(prompt)`` only when needed.

    One run per mailing at a time (the log's lock); ``announce`` gets the plan before
    anything is sent (the mailing by its name: ``show_name``); ``progress(count)`` gives
    the callback that hears of every message.
    Whoever already had another mailing of the same sender is named and nothing is sent
    (:class:`AlreadyReached`), unless ``resend_to_earlier`` says to send them this too.
    """
    try:
        with open_log(output_dir) as log, log.lock(mailing.name):
            owners = log.actors(mailing.name) - {"", mailing.actor}
            if owners:
                raise SendError(
                    Problem(
                        message=f"mailing {mailing.name} is van een andere afzender; "
                        "kies een andere naam voor deze mailing"
                    )
                )
            keys = [message.recipient.key for message in mailing.messages]
            earlier = earlier_recipients(
                mailing,
                log.entries(mailing.name, keys),
                log.reached(mailing.actor, mailing.name, keys),
            )
            if earlier and not resend_to_earlier:
                raise AlreadyReached(earlier_line(earlier) + "; er is niets verzonden")
            plan = plan_sending(mailing, log, resend_unknown=resend_unknown)
            announce(format_plan(plan, show_name=show_name))
            if plan.todo and settings.user and settings.password is None:
                password = os.environ.get(PASSWORD_VARIABLE) or ask_password(
                    f"Wachtwoord voor {settings.user} op {settings.address}"
                )
                settings = replace(settings, password=password)
            try:
                report = send_mailing(
                    plan,
                    settings,
                    log,
                    rate=rate,
                    retries=retries,
                    resend_unknown=resend_unknown,
                    progress=progress(len(plan.todo)) if progress and plan.todo else None,
                )
            finally:  # the organisation's record of the mailing, also of a broken run
                log.record(mailing.name, mailing.actor, mailing.file_names())
    finally:
        mailing.discard()
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


def mailing_state(name: str, recipients_path: Path, output_dir: Path | None = None) -> MailingState:
    """Where the mailing called ``name`` stands for this list in the send log, read
    without composing a message or writing to the log."""
    from .recipients import read_recipients

    recipients = read_recipients(recipients_path)
    paths = log_paths(output_dir)
    entries = known_entries(name, paths, [r.key for r in recipients])
    counts = dict.fromkeys(State, 0)
    for recipient in recipients:
        entry = entries.get(recipient.key)
        counts[entry.state if entry is not None else State.PENDING] += 1
    # a message left "sending" by a run that was killed was handed over, or not: unsure
    running = being_sent(paths[0], name)
    handing = counts[State.SENDING]
    return MailingState(
        sent=counts[State.SENT],
        failed=counts[State.FAILED],
        unknown=counts[State.UNKNOWN] + (0 if running else handing),
        left=counts[State.PENDING] + (handing if running else 0),
    )
