"""The XML envelope layer (Qt-free): GİB documents, verification, counter-signing.

Filled by the envelope issue; it must not import ``token`` or ``portal_api``.
"""
