"""The integrator portal's HTTP client, the contract file and the remembered password (Qt-free).

Modules (import from them directly; this package module imports nothing, so
that reading a contract file does not load the HTTP stack):

``client``
    :class:`~signer_app.portal_api.client.PortalClient`: ``login``,
    ``logout``, ``activations``, ``activation``, ``document``, ``upload``,
    ``status``, ``close`` over verified HTTPS (OS trust store), with safe
    retries.
``contract``
    :func:`~signer_app.portal_api.contract.load_contract`,
    :func:`~signer_app.portal_api.contract.load_contract_file`,
    :func:`~signer_app.portal_api.contract.dump_contract` and
    :class:`~signer_app.portal_api.contract.Contract` (the ``*.aktivasyon``
    format is described there and in ``docs/contract-file.md``).
``credentials``
    ``remember_password``, ``recall_password``, ``forget_password`` in the OS
    keyring, never in a file.
``models``
    The typed API results.
``errors``
    The :class:`~signer_app.portal_api.errors.PortalError` family, one class
    per API problem code.

The API itself is ``openapi.yaml`` beside this module. This package does not
import ``signer_app.token``, ``signer_app.envelope``, ``flow``, ``ui`` or Qt.
"""
