"""The pages of the web app, one module per page (each gives its routes)."""
