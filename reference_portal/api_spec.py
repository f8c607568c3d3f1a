"""The API description the portal implements: ``signer_app/portal_api/openapi.yaml``.

The portal serves the file byte for byte and takes from it the operation of
a request (for fault injection), so the two cannot drift apart.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Final

import yaml

__all__ = ["API_PREFIX", "openapi_bytes", "operation_for", "operation_ids"]

#: Where the API lives on the portal; the contract's ``portal_url`` ends with it plus ``/``.
API_PREFIX: Final = "/api/v1"
_METHODS: Final = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


@functools.cache
def openapi_bytes() -> bytes:
    """The API description's exact bytes."""
    return resources.files("signer_app.portal_api").joinpath("openapi.yaml").read_bytes()


@functools.cache
def _routes() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    spec = yaml.safe_load(openapi_bytes())
    routes: list[tuple[str, re.Pattern[str], str]] = []
    for template, item in spec["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        compiled = re.compile(f"{re.escape(API_PREFIX)}{pattern}")
        for method, operation in item.items():
            if method in _METHODS:
                routes.append((method.upper(), compiled, str(operation["operationId"])))
    return tuple(routes)


def operation_ids() -> frozenset[str]:
    """Every ``operationId`` of the API."""
    return frozenset(operation for _, _, operation in _routes())


def operation_for(method: str, path: str) -> str | None:
    """The ``operationId`` a request is for, or ``None`` outside the API."""
    for route_method, pattern, operation in _routes():
        if route_method == method.upper() and pattern.fullmatch(path):
            return operation
    return None
