"""Mailing PDFs to participants: dry run first, real SMTP, nothing lost, nothing twice.

The pieces, each usable on its own (the CLI and, later, the web app call these):

* :mod:`.recipients`: the participant list (CSV), checked row by row;
* :mod:`.template`: the message file, headers and a Jinja2 body (plain or Markdown);
* :mod:`.compose` and :mod:`.mailing`: every message composed (once) and checked before
  anything is sent; the dry run writes them as ``.eml``; a mailing is who sends what;
* :mod:`.log`: the SQLite send log;
* :mod:`.smtp` and :mod:`.sending`: one connection, retries, the send log kept up to date;
* :mod:`.report`: what the trainer reads, in Dutch;
* :mod:`.run`: one run (dry run or sending) as the command line drives it.
"""

from .compose import Attachment, Composed, compose_message
from .errors import AlreadyReached, MailError, SendError
from .log import SendLog, State, default_log_path
from .mailing import (
    Mailing,
    local_actor,
    mailing_name,
    prepare_mailing,
    session_actor,
    write_messages,
)
from .recipients import Recipient, read_recipients
from .run import SendOutcome, already_reached, dry_run, send, smtp_settings
from .sending import SendPlan, SendReport, plan_sending, send_mailing
from .sizes import DEFAULT_MAX_SIZE, format_size, parse_size
from .smtp import Security, SmtpSettings
from .template import MessageTemplate, read_message_template

__all__ = [
    "DEFAULT_MAX_SIZE",
    "AlreadyReached",
    "Attachment",
    "Composed",
    "MailError",
    "Mailing",
    "MessageTemplate",
    "Recipient",
    "Security",
    "SendError",
    "SendLog",
    "SendOutcome",
    "SendPlan",
    "SendReport",
    "SmtpSettings",
    "State",
    "already_reached",
    "compose_message",
    "default_log_path",
    "dry_run",
    "format_size",
    "local_actor",
    "mailing_name",
    "parse_size",
    "plan_sending",
    "prepare_mailing",
    "read_message_template",
    "read_recipients",
    "send",
    "send_mailing",
    "session_actor",
    "smtp_settings",
    "write_messages",
]
