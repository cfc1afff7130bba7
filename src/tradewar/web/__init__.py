"""The web app behind ``tradewar serve``: a JSON API (OpenAPI at ``/openapi.json``, readable
at ``/docs``) and a page at ``/`` to run scenarios with a form. See :mod:`tradewar.web.app`."""

from tradewar.extras import require_extra

require_extra("web")  # before fastapi is imported: say which extra to install

from tradewar.web.app import create_app  # noqa: E402

__all__ = ["create_app"]
