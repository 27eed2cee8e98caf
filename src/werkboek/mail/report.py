"""What the mail command tells the trainer, in Dutch: the table of a dry run and the
summary of a run that sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..words import capital, plural
from .compose import Summary
from .log import Entry, Reached, State
from .mailing import Mailing
from .sending import SendPlan, SendReport
from .sizes import format_size

HEADINGS = ("Ontvanger", "Onderwerp", "Bijlagen", "Grootte")


@dataclass(frozen=True)
class Earlier:
    """A participant of this mailing who already had another mailing of the same sender."""

    message: Summary
    reached: Reached


def table_rows(messages: Sequence[Summary]) -> list[tuple[str, str, str, str]]:
    """One row per message, under :data:`HEADINGS`: recipient, subject, attachments, size."""
    return [
        (
            str(m.recipient),
            m.subject,
            ", ".join(m.attachments) or "-",
            format_size(m.size),
        )
        for m in messages
    ]


def format_table(messages: Sequence[Summary]) -> list[str]:
    """The rows of :func:`table_rows` in columns of text."""
    rows = table_rows(messages)
    widths = [max(len(row[i]) for row in [HEADINGS, *rows]) for i in range(len(HEADINGS))]

    def line(row: Sequence[str]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        return "  ".join([*cells, row[-1].rjust(widths[-1])])

    return [line(HEADINGS), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def format_dry_run(
    mailing: Mailing,
    entries: Mapping[str, Entry],
    earlier: Sequence[Earlier] = (),
    *,
    show_folder: bool = True,
    show_name: bool = True,
    table: bool = True,
) -> list[str]:
    """The dry run's table (``table``), where the messages are (``show_folder``), what the
    send log already knows, and who already had another mailing of the same sender; the
    mailing by its name (``show_name``), where the trainer can name it."""
    count = plural(len(mailing.messages), "bericht", "berichten")
    named = f" van mailing {mailing.name}" if show_name else ""
    lines = [f"Proefrun{named}: {count} opgesteld, niets verzonden.", ""]
    if table:
        lines += format_table(mailing.messages)
    if show_folder:
        lines += [
            "",
            f"De berichten staan in {mailing.folder}/ (open een .eml met je mailprogramma).",
        ]
    else:
        lines.append("")
    found = [entries[m.recipient.key].state for m in mailing.messages if m.recipient.key in entries]
    if sent := found.count(State.SENT):
        lines.append(f"Al verzonden in deze mailing: {sent}; die worden overgeslagen.")
    if unknown := found.count(State.UNKNOWN):
        lines.append(
            f"Niet zeker of ze aankwamen: {unknown}; die worden niet vanzelf opnieuw verzonden."
        )
    if earlier:
        lines.append(earlier_line(earlier) + ".")
    return lines


def earlier_line(earlier: Sequence[Earlier]) -> str:
    """Who already had another mailing of this sender, by name: they get this one only
    when that is chosen explicitly."""
    people = ", ".join(f"{e.message.recipient} (op {e.reached.updated[:10]})" for e in earlier)
    count = plural(len(earlier), "deelnemer kreeg", "deelnemers kregen")
    return (
        f"{count} al een ander bericht van deze afzender: {people}; zij krijgen dit bericht "
        "alleen als je daar uitdrukkelijk voor kiest"
    )


def format_plan(plan: SendPlan, *, show_name: bool = True) -> list[str]:
    count = plural(len(plan.todo), "bericht", "berichten")
    todo = f"{count} te verzenden"
    line = f"Mailing {plan.mailing.name}: {todo}" if show_name else capital(todo)
    if plan.skipped:
        line += f", {len(plan.skipped)} al eerder verzonden"
    if plan.held:
        line += f", {len(plan.held)} onzeker"
    return [line + "."]


def format_report(report: SendReport) -> list[str]:
    """The summary: counts, then who failed, whose fate is unknown, and what to do."""
    lines = []
    if report.stopped:
        lines.append(f"Verzenden gestopt: {report.stopped}.")
    summary = (
        f"{len(report.sent)} verzonden, {len(report.failed)} mislukt, "
        f"{len(report.remaining)} nog te verzenden"
    )
    if report.skipped:
        summary += f"; {report.skipped} overgeslagen (al eerder verzonden)"
    lines.append(summary + ".")
    if report.failed:
        lines.append("Mislukt (een volgende run probeert het opnieuw):")
        lines += [f"  {m.recipient} ({m.recipient.where}): {detail}" for m, detail in report.failed]
    if report.unknown:
        lines.append("Niet zeker of het aankwam (wordt niet vanzelf opnieuw verzonden):")
        lines += [
            f"  {m.recipient} ({m.recipient.where}), {m.message_id}: {detail}"
            for m, detail in report.unknown
        ]
        lines.append(
            "  Vraag na of het bericht aankwam; zo niet, kies ervoor de onzekere berichten "
            "opnieuw te verzenden."
        )
    if report.stopped or report.remaining:
        lines.append(
            "Voer dezelfde opdracht later opnieuw uit om verder te gaan; "
            "wat al verzonden is, wordt overgeslagen."
        )
    return lines


def report_problem(report: SendReport) -> str | None:
    """One line for the error exit when not everything arrived, else None."""
    if report.stopped or report.remaining:
        return (
            f"verzenden gestopt: {len(report.sent)} verzonden, {len(report.failed)} mislukt, "
            f"{len(report.remaining)} nog te verzenden"
        )
    if report.failed or report.unknown:
        parts = []
        if report.failed:
            parts.append(f"{len(report.failed)} mislukt")
        if report.unknown:
            parts.append(f"{len(report.unknown)} onzeker")
        return "niet alle berichten zijn aangekomen: " + ", ".join(parts)
    return None
