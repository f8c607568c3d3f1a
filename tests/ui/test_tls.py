"""Giriş against a real HTTPS portal whose certificate this computer does not trust."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytestqt.qtbot import QtBot

from reference_portal.demo import DEMO_PASSWORD, create_demo_data
from reference_portal.server import RunningPortal, start_portal
from signer_app.flow.journal import Journal
from signer_app.launch import make_client_factory
from signer_app.testpki.manifest import Manifest
from signer_app.testpki.softhsm import CUSTOMER_VKN
from signer_app.token.service import TokenService
from signer_app.ui.context import WizardContext
from tests.portal_api.tlsutil import make_tls_files
from tests.ui.walk import press_next

from signer_app.ui.wizard import ActivationWizard  # isort: skip

pytestmark = pytest.mark.softhsm


@pytest.fixture
def tls_portal(softhsm: Manifest, tmp_path: Path) -> Iterator[RunningPortal]:
    """The reference portal over HTTPS with a certificate from a CA nobody trusts."""
    tls = make_tls_files(tmp_path / "tls")
    with start_portal(
        tmp_path / "portal.sqlite3",
        integrator_key_pem=softhsm.integrator_key_pem,
        integrator_cert_pem=softhsm.integrator_cert_pem,
        tls_cert=tls.server_cert,
        tls_key=tls.server_key,
    ) as running:
        create_demo_data(running.store, now=datetime.now(UTC))
        yield running


def test_untrusted_server_certificate_is_refused_in_plain_words(
    qtbot: QtBot, tls_portal: RunningPortal, tokens: TokenService, journal: Journal
) -> None:
    parts = urlsplit(tls_portal.url)
    # The production factory: the host is on the trusted list, the certificate is not.
    context = WizardContext(
        make_tokens=lambda: tokens,
        make_journal=lambda: journal,
        make_client=make_client_factory((f"{parts.hostname}:{parts.port}",)),
        portal_url=tls_portal.url,
        prefill_user=CUSTOMER_VKN,
    )
    wizard = ActivationWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    try:
        page = wizard.login_page
        page.password_edit.setText(DEMO_PASSWORD)
        press_next(wizard)
        qtbot.waitUntil(lambda: page.error_label.text() != "", timeout=15000)
        assert "sertifikası doğrulanamadı" in page.error_label.text()
        assert wizard.currentId() == ActivationWizard.LOGIN
        assert page.isComplete()  # the user may correct and try again
    finally:
        wizard.done(0)
