"""A fake PKI for development, the test suite and the demo.

It issues certificates shaped like Kamu SM's mali mühür and personal
qualified (NES) profiles under a CA that says "SAHTE" (fake) in its name.
Nothing it makes is trusted by GİB; it is never used for real signing.
"""

from __future__ import annotations

__all__: list[str] = []
