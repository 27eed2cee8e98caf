"""All of werkboek's work on PDFs beyond WeasyPrint's public calls (after WeasyPrint's own
``pdf/`` package); the products call these modules, never the libraries' insides.

* :mod:`.internals`: every private WeasyPrint and pydyf name, checked at first use;
* :mod:`.tags`: WeasyPrint's tag tree told what the HTML says beyond element names;
* :mod:`.finish`: the written PDF finished for PDF/UA-1, with :mod:`.structure` (the tag
  tree and marked content), :mod:`.faces` (card faces paired), :mod:`.links` (links named)
  and :mod:`.pdfa` (the print shop's PDF/A file);
* :mod:`.chapters`: a long document laid out chapter by chapter; :mod:`.boxes`: walks over
  laid-out boxes; :mod:`.logs`: what WeasyPrint logs fails the build;
* :mod:`.covers`: personal copies, a cover grafted on one shared workbook;
  :mod:`.names`: certificates, a name grafted into one whole certificate;
* :mod:`.booklet`: A5 pages imposed as a saddle-stitched booklet; :mod:`.slots`: a sheet of
  cards filled with the faces the single cards laid out.

Surgery on written PDFs is done with pikepdf alone (public API).
"""

BLEED_MM = 3
"""The bleed of the print shop's files, in mm (what print shops ask for; see :mod:`.press`)."""
MARKER = "<!--werkboek:chapter-->"
"""Where a chapter begins (see :mod:`.chapters`); templates write it, content cannot (its text
is escaped and its Markdown takes no raw HTML). Here, not in :mod:`.chapters`, so that the
templates need not import WeasyPrint."""
