"""Hizmet Aktivasyon signing client.

Counter-signs the GİB user-account documents (``ProcessUserAccount`` /
``CancelUserAccount``) that an e-invoice integrator prepares, with the
customer's mali mühür on a PKCS#11 smart card.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
