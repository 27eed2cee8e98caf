"""Sending a mailing: nothing lost, nothing twice.

:func:`plan_sending` asks the send log what is left to do: messages already sent are
skipped, and a message whose fate is unknown is held back unless the trainer asks
for it explicitly (``resend_unknown``). :func:`send_mailing` then sends what is left
over one connection:

* a temporary failure (4xx, or a connection that broke before the data was complete)
  is tried again after ``backoff``, ``2 * backoff``, ... seconds, ``retries`` times,
  over a new connection when the old one broke;
* a permanent refusal (5xx) marks that message failed and the batch goes on;
* when no connection can be made any more the batch stops: what was not tried stays
  pending for the next run;
* a connection that broke after the data was sent leaves the message ``unknown``.

Waiting goes through ``sleep`` and ``clock`` so tests need not wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .compose import Composed, Summary
from .errors import SendError
from .log import SendLog, State
from .mailing import Mailing
from .sizes import format_size
from .smtp import (
    Connection,
    PermanentFailure,
    SmtpSettings,
    TemporaryFailure,
    UnknownFate,
    Unreachable,
)

DEFAULT_RATE = 30.0  # messages per minute
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 5.0  # seconds before the first retry; doubled each time

Sleep = Callable[[float], None]
Clock = Callable[[], float]
Progress = Callable[[Summary, State], None]


@dataclass(frozen=True)
class SendPlan:
    mailing: Mailing
    todo: tuple[Summary, ...]
    skipped: tuple[Summary, ...]
    held: tuple[tuple[Summary, str], ...]


@dataclass
class SendReport:
    """What a run did; ``remaining`` are the messages not tried because it stopped."""

    mailing: str
    sent: list[Summary] = field(default_factory=list)
    failed: list[tuple[Summary, str]] = field(default_factory=list)
    unknown: list[tuple[Summary, str]] = field(default_factory=list)
    skipped: int = 0
    remaining: list[Summary] = field(default_factory=list)
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return not (self.failed or self.unknown or self.remaining or self.stopped)


def plan_sending(mailing: Mailing, log: SendLog, *, resend_unknown: bool = False) -> SendPlan:
    """Register the mailing's messages in the log and sort them: to do, done, held."""
    log.register(
        mailing.name, [(m.recipient.key, m.message_id) for m in mailing.messages], mailing.actor
    )
    log.recover(mailing.name)
    entries = log.entries(mailing.name, [m.recipient.key for m in mailing.messages])
    todo, skipped, held = [], [], []
    for message in mailing.messages:
        entry = entries[message.recipient.key]
        if entry.state is State.SENT:
            skipped.append(message)
        elif entry.state is State.UNKNOWN and not resend_unknown:
            held.append((message, entry.detail))
        else:
            todo.append(message)
    return SendPlan(mailing, tuple(todo), tuple(skipped), tuple(held))


class Pacer:
    """At most ``rate`` messages per minute (no limit when ``rate`` is 0 or None)."""

    def __init__(self, rate: float | None, sleep: Sleep, clock: Clock) -> None:
        self.interval = 60.0 / rate if rate else 0.0
        self.sleep, self.clock = sleep, clock
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None and self.interval:
            delay = self.last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.last = self.clock()


def send_mailing(
    plan: SendPlan,
    settings: SmtpSettings,
    log: SendLog,
    *,
    rate: float | None = DEFAULT_RATE,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    resend_unknown: bool = False,
    sleep: Sleep = time.sleep,
    clock: Clock = time.monotonic,
    progress: Progress | None = None,
) -> SendReport:
    """Send what ``plan`` has to do; record every step in ``log``."""
    name = plan.mailing.name
    report = SendReport(mailing=name, skipped=len(plan.skipped), unknown=list(plan.held))
    if not plan.todo:
        return report
    retrying = _Retrying(retries, backoff, sleep)
    pacer = Pacer(rate, sleep, clock)
    with Connection(settings) as connection:
        try:
            retrying.connect(connection)
        except Unreachable as exc:
            report.stopped, report.remaining = str(exc), list(plan.todo)
            return report
        _check_server_size(connection, plan.todo)
        index_of = {m.recipient.key: i for i, m in enumerate(plan.mailing.messages)}
        current: Summary | None = None
        handing = False  # True while this message is being handed to the server
        try:
            for position, message in enumerate(plan.todo):
                current, handing = None, False
                pacer.wait()
                if not log.claim(name, message.recipient.key, resend_unknown=resend_unknown):
                    report.skipped += 1  # another run sent it meanwhile
                    continue
                current = message
                composed = plan.mailing.compose(index_of[message.recipient.key])
                handing = True
                try:
                    state, detail = retrying.deliver(connection, composed)
                except (Unreachable, SendError) as exc:  # the server is gone, or shut us out
                    log.mark(name, message.recipient.key, State.PENDING, str(exc))
                    report.stopped, report.remaining = str(exc), list(plan.todo[position:])
                    break
                current = None
                log.mark(name, message.recipient.key, state, detail)
                _record(report, message, state, detail)
                if progress is not None:
                    progress(message, state)
        except KeyboardInterrupt:  # Ctrl-C: record what is known, and stop like any other stop
            if current is not None:
                if handing and connection.data_sent:  # not the previous message's data
                    detail = "onderbroken nadat het bericht verstuurd was"
                    log.mark(name, current.recipient.key, State.UNKNOWN, detail)
                    report.unknown.append((current, detail))
                else:
                    log.mark(name, current.recipient.key, State.PENDING, "onderbroken")
            report.stopped = "onderbroken (Ctrl-C)"
            done = {m.recipient.key for m in report.sent}
            done |= {m.recipient.key for m, _ in [*report.failed, *report.unknown]}
            report.remaining = [m for m in plan.todo if m.recipient.key not in done]
        except BaseException:  # a bug: record what we know, keep the traceback
            if current is not None:
                sent = handing and connection.data_sent
                interrupted = State.UNKNOWN if sent else State.PENDING
                log.mark(name, current.recipient.key, interrupted, "onderbroken")
            raise
    return report


def _record(report: SendReport, message: Summary, state: State, detail: str) -> None:
    if state is State.SENT:
        report.sent.append(message)
    elif state is State.FAILED:
        report.failed.append((message, detail))
    else:
        report.unknown.append((message, detail))


def _check_server_size(connection: Connection, messages: tuple[Summary, ...]) -> None:
    """Nothing is sent when the server says in advance that a message is too large."""
    limit = connection.max_size()
    if limit is None:
        return
    problems = [
        m.recipient.problem(
            "",
            f"het bericht aan {m.recipient.email} is {format_size(m.size)}; de server "
            f"{connection.settings.address} neemt berichten tot {format_size(limit)} aan",
        )
        for m in messages
        if m.size > limit
    ]
    if problems:
        raise SendError(*problems)


@dataclass
class _Retrying:
    retries: int
    backoff: float
    sleep: Sleep

    def delay(self, attempt: int) -> float:
        return self.backoff * 2.0**attempt

    def connect(self, connection: Connection) -> None:
        """Open the connection, trying again after a pause; raise Unreachable at last."""
        for attempt in range(self.retries + 1):
            try:
                connection.open()
                return
            except Unreachable:
                if attempt == self.retries:
                    raise
                self.sleep(self.delay(attempt))

    def deliver(self, connection: Connection, message: Composed) -> tuple[State, str]:
        """The state a message ends in, and why; raise Unreachable when the server is gone."""
        attempt = 0
        while True:
            if not connection.is_open:
                self.connect(connection)
            try:
                connection.deliver(message.sender, message.envelope, message.data)
                return State.SENT, ""
            except PermanentFailure as exc:
                return State.FAILED, str(exc)
            except UnknownFate as exc:
                return State.UNKNOWN, str(exc)
            except TemporaryFailure as exc:
                if attempt == self.retries:
                    if exc.dropped:  # is the server gone? then stop rather than fail
                        self.connect(connection)
                    return State.FAILED, f"{exc} (na {attempt + 1} pogingen)"
                self.sleep(self.delay(attempt))
                attempt += 1
