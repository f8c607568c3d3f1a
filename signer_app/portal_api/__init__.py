"""The integrator portal's HTTP client and the contract file (Qt-free).

Filled by the portal issue; it must not import ``token`` or ``envelope``.
"""
