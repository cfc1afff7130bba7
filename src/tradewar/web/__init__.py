"""The web app behind ``tradewar serve``: a JSON API (OpenAPI at ``/openapi.json``, readable
at ``/docs``) and a page at ``/`` to run scenarios with a form. See :mod:`tradewar.web.app`."""

from tradewar.web.app import create_app

__all__ = ["create_app"]
