"""Pieces of the web app (app.py): pure rendering, and the page's style and script."""
