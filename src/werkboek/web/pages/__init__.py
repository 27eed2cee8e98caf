"""The pages of the web app, one module per page, each with its table of named routes
(``ROUTES``); a page gets the app from the request (:func:`..site.site_of`)."""
