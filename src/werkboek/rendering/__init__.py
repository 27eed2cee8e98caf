"""HTML → PDF: templates, WeasyPrint, and the files and cache around them.

* :mod:`.templates`: the Jinja environment of a project (overridable, sandboxed);
* :mod:`.pdf`: WeasyPrint, through :mod:`.fetch` (what may be read) and :mod:`.fonts` (the
  packaged font); the PDF work beyond WeasyPrint's public calls is :mod:`werkboek.pdf`;
* :mod:`.renderer`: all of that for one project;
* :mod:`.qr`: QR codes;
* :mod:`.collector`: Python's cycle collector while laying out.

Atomic writes and the build cache (built PDFs by what went into them) are
:mod:`werkboek.files`; dates as printed, :mod:`werkboek.words`.

WeasyPrint itself is imported only by the modules that lay out (through
:mod:`werkboek.pdf.engine`), so a build served from the cache never imports it.
"""
