"""werkboek in the browser: the web app beside the command line, on the same library.

* :mod:`.app`: the app (made from a :class:`~werkboek.project.Project`) and its routes,
  :mod:`.serve` runs it; :mod:`.config` and :mod:`.security` say who may use it and how;
* :mod:`.site`: what every page works with (the project, drafts, jobs, the page
  renderer), :mod:`.responses` (small helpers for requests and answers),
  :mod:`.rendering` (the one way to a workbook's PDF);
* :mod:`.pages`: one module per page (catalogue, composer, recipes, personal copies,
  mail, login, jobs); :mod:`.api`: the HTTP API;
* :mod:`.drafts` (the composer's recipe), :mod:`.jobs` (long work off the request path),
  :mod:`.previews` (pages as pictures), :mod:`.catalogue` and :mod:`.products` (what the
  home page offers).
"""
