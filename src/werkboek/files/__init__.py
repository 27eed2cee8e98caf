"""Files werkboek writes: where it may write, how, and what it keeps to write again faster.

* :mod:`.outputs`: the write policy (never over a file werkboek did not make, never over an
  input) and file names made from titles and names;
* :mod:`.atomic`: every file through a temporary file and a rename;
* :mod:`.cache`: built PDFs by everything that went into them.
"""
