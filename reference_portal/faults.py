"""Test-only fault injection: make the next calls of an API operation fail on purpose.

A :class:`FaultPlan` holds a queue of :class:`Fault` per ``operationId``;
each request of that operation takes the next one. It can be changed while
the portal runs::

    plan.add("uploadSignedDocument", Fault.status(503, retry_after=1))
    plan.add("uploadSignedDocument", Fault.drop_after_processing())

Faults:

* :meth:`Fault.status` answers a problem document with that status
  (``unavailable`` for 429/502/503/504, else ``internal-error``) without
  processing the request;
* :meth:`Fault.delay` waits, then processes the request normally;
* :meth:`Fault.drop_before_processing` reads the request and closes the
  connection without processing it or answering;
* :meth:`Fault.drop_after_processing` processes the request (it takes
  effect) and closes the connection instead of answering: a lost answer.

Dropping needs uvicorn's h11 server (the connection is aborted through its
transport); elsewhere (an in-process test client) :class:`DroppedConnection`
is raised instead.
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final, Literal

from starlette.types import Message, Receive, Scope, Send

from reference_portal.api_spec import operation_for, operation_ids
from reference_portal.problems import problem_response

__all__ = ["DroppedConnection", "Fault", "FaultPlan", "apply_faults"]

FaultKind = Literal["status", "delay", "drop_before", "drop_after"]
_UNAVAILABLE: Final = frozenset({429, 502, 503, 504})


class DroppedConnection(Exception):  # noqa: N818 - it names what happened
    """A drop fault where no connection could be aborted (not under uvicorn's h11)."""


@dataclass(frozen=True)
class Fault:
    """One injected failure; build it with the class methods."""

    kind: FaultKind
    status_code: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    code: str | None = None

    @classmethod
    def status(
        cls, status_code: int, *, retry_after: float | None = None, code: str | None = None
    ) -> Fault:
        """Answer ``status_code`` with a problem document instead of processing.

        :param retry_after: seconds for a ``Retry-After`` header.
        :param code: the problem code; by default ``unavailable`` for
            429/502/503/504 and ``internal-error`` otherwise.
        """
        if not 400 <= status_code <= 599:
            raise ValueError("a fault status must be 4xx or 5xx")
        chosen = code or ("unavailable" if status_code in _UNAVAILABLE else "internal-error")
        return cls("status", status_code=status_code, retry_after=retry_after, code=chosen)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Wait ``seconds``, then process the request normally."""
        if seconds < 0:
            raise ValueError("a delay cannot be negative")
        return cls("delay", seconds=seconds)

    @classmethod
    def drop_before_processing(cls) -> Fault:
        """Close the connection without processing the request or answering."""
        return cls("drop_before")

    @classmethod
    def drop_after_processing(cls) -> Fault:
        """Process the request, then close the connection without answering."""
        return cls("drop_after")


class FaultPlan:
    """Queues of faults per API operation; thread-safe, changeable at run time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Fault]] = {}
        self._applied: list[tuple[str, Fault]] = []

    def add(self, operation_id: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests of ``operation_id``, in order.

        :raises ValueError: no such operation in the API description.
        """
        if operation_id not in operation_ids():
            raise ValueError(f"unknown operationId {operation_id!r}")
        with self._lock:
            self._queues.setdefault(operation_id, deque()).extend(faults)

    def take(self, operation_id: str) -> Fault | None:
        """Remove and return the next fault for ``operation_id``, if any."""
        with self._lock:
            queue = self._queues.get(operation_id)
            if not queue:
                return None
            fault = queue.popleft()
            self._applied.append((operation_id, fault))
            return fault

    def pending(self, operation_id: str | None = None) -> int:
        """How many faults wait (for one operation, or for all)."""
        with self._lock:
            if operation_id is not None:
                return len(self._queues.get(operation_id, ()))
            return sum(len(queue) for queue in self._queues.values())

    @property
    def applied(self) -> list[tuple[str, Fault]]:
        """The faults used so far, oldest first."""
        with self._lock:
            return list(self._applied)

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._queues.clear()


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _abort(send: Send) -> None:
    # uvicorn's h11 server hands the app its RequestResponseCycle.send, whose
    # object owns the connection's transport.
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if not isinstance(transport, asyncio.BaseTransport) or not hasattr(transport, "abort"):
        raise DroppedConnection("the connection cannot be aborted here")
    transport.abort()
    # Let connection_lost run, so that the server does not try to answer.
    for _ in range(200):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.001)


async def _send_problem(fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
    headers = {}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(fault.retry_after))
    assert fault.status_code is not None and fault.code is not None
    response = problem_response(fault.status_code, fault.code, "injected fault", headers=headers)
    await response(scope, receive, send)


async def apply_faults(
    plan: FaultPlan,
    scope: Scope,
    receive: Receive,
    send: Send,
    app: Callable[[Scope, Receive, Send], Awaitable[None]],
) -> None:
    """Run ``app`` for one request, or the fault the plan holds for its operation."""
    operation = operation_for(scope["method"], scope["path"]) if scope["type"] == "http" else None
    fault = plan.take(operation) if operation is not None else None
    if fault is None:
        await app(scope, receive, send)
        return
    if fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
        await app(scope, receive, send)
    elif fault.kind == "status":
        await _drain(receive)
        await _send_problem(fault, scope, receive, send)
    elif fault.kind == "drop_before":
        await _drain(receive)
        await _abort(send)
    else:

        async def swallow(message: Message) -> None:
            del message

        await app(scope, receive, swallow)
        await _abort(send)
