"""Property-based fuzzing of the running portal against the API description (schemathesis).

Every operation of ``openapi.yaml`` gets generated requests, valid and
invalid, sent over HTTP to a live portal with a real session; every answer
must be one the description allows (status, content type, headers, body
schema) and never a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.checks import CheckFunction, not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reference_portal import (
    DEMO_PASSWORD,
    RunningPortal,
    create_demo_data,
    start_demo_activations,
    start_portal,
)
from reference_portal.api_spec import operation_ids
from signer_app.testpki.softhsm import CUSTOMER_VKN
from tests.reference_portal.helpers import TIMEOUT, Customer, PortalPki

EXAMPLES = 30
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


class Sessions:
    """A real session token, renewed after a fuzzed logout."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token = self.renew()

    def renew(self) -> str:
        response = requests.post(
            self.url + "sessions",
            json={"user": CUSTOMER_VKN, "password": DEMO_PASSWORD},
            timeout=TIMEOUT,
        )
        assert response.status_code == 201, response.text
        self.token = str(response.json()["token"])
        return self.token


@pytest.fixture(scope="module")
def fuzzed_portal(
    test_pki: PortalPki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPortal]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    with start_portal(
        folder / "fuzz.sqlite",
        integrator_key_pem=test_pki.integrator_key_pem,
        integrator_cert_pem=test_pki.integrator_cert_pem,
        gib_step_seconds=0.05,
    ) as running:
        now = datetime.now(UTC)
        create_demo_data(running.store, now=now)
        start_demo_activations(running.store, CUSTOMER_VKN, now)
        yield running


@pytest.fixture(scope="module")
def known(fuzzed_portal: RunningPortal, test_pki: PortalPki) -> dict[str, str]:
    """An activation waiting for the signature, and one signed and accepted."""
    client = Customer(fuzzed_portal.url, test_pki.customer, lambda: datetime.now(UTC))
    client.log_in()
    pending = client.activation_for("earsiv")["id"]
    signed = client.activation_for("efatura")["id"]
    client.sign_and_upload(signed)
    return {"pending": pending, "signed": signed}


@pytest.fixture(scope="module")
def sessions(fuzzed_portal: RunningPortal) -> Sessions:
    return Sessions(fuzzed_portal.url)


@pytest.fixture(scope="module")
def api_schema(fuzzed_portal: RunningPortal) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(fuzzed_portal.url + "openapi.yaml")
    schema.config.update(base_url=fuzzed_portal.url.rstrip("/"))
    return schema


def _operation(
    schema: schemathesis.BaseSchema, operation_id: str
) -> APIOperation[Any, Any, Any, Any]:
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.definition.raw.get("operationId") == operation_id:
            return operation
    raise LookupError(operation_id)


class Plan(NamedTuple):
    """What one fuzzing test sends: an operation, a generation mode, whose activationId."""

    operation_id: str
    mode: GenerationMode
    target: str


_WITH_ACTIVATION_ID = frozenset(
    {"getActivation", "getDocument", "getStatus", "uploadSignedDocument"}
)


def _plans() -> list[Plan]:
    plans = []
    for operation_id in sorted(operation_ids()):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            plans.append(Plan(operation_id, mode, "generated"))
        if operation_id in _WITH_ACTIVATION_ID:
            plans.append(Plan(operation_id, GenerationMode.POSITIVE, "pending"))
            plans.append(Plan(operation_id, GenerationMode.POSITIVE, "signed"))
    return plans


@pytest.mark.parametrize("plan", _plans(), ids=lambda plan: "-".join(map(str, plan)))
def test_the_portal_answers_as_the_description_says(
    api_schema: schemathesis.BaseSchema, sessions: Sessions, known: dict[str, str], plan: Plan
) -> None:
    """Random requests get documented answers; ``plan.target`` picks the activationId.

    ``generated`` lets schemathesis make the id up (mostly 404); ``pending``
    and ``signed`` use an activation that waits for its signature and one
    already signed, so that real documents, statuses and refusals are checked.
    """
    operation = _operation(api_schema, plan.operation_id)
    fixed = None if plan.target == "generated" else {"activationId": known[plan.target]}

    @given(case=operation.as_strategy(generation_mode=plan.mode, path_parameters=fixed))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Any]) -> None:
        if not api_schema.is_security_param_negated(case):
            # A real session, unless the case is about broken authentication.
            headers = CaseInsensitiveDict(case.headers or {})
            headers["Authorization"] = f"Bearer {sessions.token}"
            case.headers = headers
        response = case.call_and_validate(checks=CHECKS, timeout=TIMEOUT)
        if plan.operation_id == "deleteSession" and response.status_code == 204:
            sessions.renew()

    run()
