"""The server's state in SQLite: accounts and what belongs to them.

* :mod:`.database`: one SQLite file in WAL mode, numbered migrations (``migrations/``), online
  backups;
* :mod:`.accounts`: trainers and beheerders, argon2 password hashes, sessions and personal API
  tokens stored as hashes, a limit on failed logins;
* :mod:`.day_lists`: each trainer's training-day list, erased after the retention period.

The web app's jobs and drafts are kept here too (``web/jobs.py``, ``web/drafts.py``), so
every worker process of ``werkboek serve --processen N`` sees the same.
"""
