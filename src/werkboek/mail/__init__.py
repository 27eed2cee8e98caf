"""Mailing PDFs to participants: dry run first, real SMTP, nothing lost, nothing twice.

The pieces, each usable on its own (the CLI and, later, the web app call these):

* :mod:`.recipients`: the participant list (CSV), checked row by row;
* :mod:`.template`: the message file, headers and a Jinja2 body (plain or Markdown);
* :mod:`.compose` and :mod:`.mailing`: every message composed and checked before
  anything is written or sent; the dry run writes them as ``.eml``;
* :mod:`.log`: the SQLite send log;
* :mod:`.smtp` and :mod:`.sending`: one connection, retries, the send log kept up to date;
* :mod:`.report`: what the trainer reads, in Dutch;
* :mod:`.run`: one run (dry run or sending) as the command line drives it.
"""

from .compose import Attachment, Composed, compose_message
from .errors import MailError, SendError
from .log import SendLog, State, default_log_path
from .mailing import Mailing, mailing_name, prepare_mailing, write_messages
from .recipients import Recipient, read_recipients
from .run import SendOutcome, dry_run, send, smtp_settings
from .sending import SendPlan, SendReport, plan_sending, send_mailing
from .sizes import DEFAULT_MAX_SIZE, format_size, parse_size
from .smtp import Security, SmtpSettings
from .template import MessageTemplate, read_message_template

__all__ = [
    "DEFAULT_MAX_SIZE",
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
    "compose_message",
    "default_log_path",
    "dry_run",
    "format_size",
    "mailing_name",
    "parse_size",
    "plan_sending",
    "prepare_mailing",
    "read_message_template",
    "read_recipients",
    "send",
    "send_mailing",
    "smtp_settings",
    "write_messages",
]
