"""Participants: who a training is for, from the lists trainers have.

* :mod:`.lists`: the one reader of a participant list (CSV as Excel and LibreOffice write it,
  pasted names, ``--voor``), its people, their names checked, one set of limits;
* :mod:`.spreadsheets`: an ``.xlsx`` workbook's rows (openpyxl, bounded, defused XML).
"""
