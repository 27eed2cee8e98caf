"""The server's state in SQLite: accounts and what belongs to them.

* :mod:`.database`: one SQLite file in WAL mode, numbered migrations (``migrations/``), online
  backups;
* :mod:`.accounts`: trainers and beheerders, argon2 password hashes, sessions and personal API
  tokens stored as hashes, a limit on failed logins.
"""
