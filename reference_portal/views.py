"""The API's JSON shapes (``components/schemas`` of openapi.yaml), written from store rows."""

from __future__ import annotations

from typing import Any

from reference_portal.clock import to_api
from reference_portal.documents import service_by_id
from reference_portal.model import Opening, status_label
from reference_portal.store import ActivationRow, CompanyRow

__all__ = ["activation_json", "company_json", "opening_json", "status_json", "upload_result_json"]

Json = dict[str, Any]


def company_json(company: CompanyRow) -> Json:
    """``Company``."""
    return {"id": company.id, "title": company.title}


def opening_json(opening: Opening) -> Json:
    """``Opening``."""
    return {"mode": opening.mode, "at": None if opening.at is None else to_api(opening.at)}


def status_json(row: ActivationRow) -> Json:
    """``Status``: the portal status, its label and GİB's latest answer."""
    gib = None if row.gib_code is None else {"code": row.gib_code, "text": row.gib_text or ""}
    return {
        "status": row.status.value,
        "label": status_label(row.status, row.operation),
        "final": row.status.final,
        "gib": gib,
        "updated_at": to_api(row.updated_at),
    }


def activation_json(row: ActivationRow) -> Json:
    """``Activation``."""
    return {
        "id": row.id,
        "service": {"id": row.service_id, "name": service_by_id(row.service_id).name_tr},
        "operation": row.operation,
        "opening": opening_json(row.opening),
        "status": status_json(row),
        "document_sha256": row.document_sha256,
    }


def upload_result_json(row: ActivationRow) -> Json:
    """``UploadResult`` of an accepted upload."""
    assert row.upload_reference is not None and row.received_at is not None
    return {
        "reference": row.upload_reference,
        "received_at": to_api(row.received_at),
        "activation": activation_json(row),
    }
