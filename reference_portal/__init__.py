"""The integrator's side, for development, tests and the demo: a small reference portal.

It serves the API of ``signer_app/portal_api/openapi.yaml`` from SQLite,
signs GİB user-account documents with an integrator test seal, runs the
activation lifecycle of the integrator's help document and hands the
counter-signed documents to a simulated GİB. See docs/reference-portal.md.

Public API::

    start_portal, RunningPortal            (reference_portal.server)
    create_app                             (reference_portal.app)
    FaultPlan, Fault                       (reference_portal.faults)
    create_demo_data, start_demo_activations, DEMO_PASSWORD  (reference_portal.demo)
    Store                                  (reference_portal.store)
    Lifecycle, ActivationRequest, Opening  (reference_portal.lifecycle, .model)
    FakeClock                              (reference_portal.clock)

It may import ``signer_app``'s envelope, certificates, errors and testpki
layers, never the client (``portal_api``, ``flow``, ``ui``).
"""

from __future__ import annotations

from reference_portal.accounts import create_company
from reference_portal.app import create_app
from reference_portal.clock import FakeClock
from reference_portal.demo import DEMO_PASSWORD, create_demo_data, start_demo_activations
from reference_portal.faults import Fault, FaultPlan
from reference_portal.lifecycle import ActivationError, ActivationRequest, Lifecycle
from reference_portal.model import Opening, PortalStatus
from reference_portal.server import RunningPortal, start_portal
from reference_portal.store import Store

__all__ = [
    "DEMO_PASSWORD",
    "ActivationError",
    "ActivationRequest",
    "FakeClock",
    "Fault",
    "FaultPlan",
    "Lifecycle",
    "Opening",
    "PortalStatus",
    "RunningPortal",
    "Store",
    "create_app",
    "create_company",
    "create_demo_data",
    "start_demo_activations",
    "start_portal",
]
