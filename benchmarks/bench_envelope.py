"""Envelope layer speed against python-xmlsec, side by side in one run.

Same ~4 KB user document (an e-Fatura opening with six aliases), same
in-memory RSA-2048 key:

- python-xmlsec: an enveloped XML-DSig signature of the unsigned document;
- ours, counter-signature creation (parse, build the XAdES counter-signature,
  sign, splice into the original bytes) of the integrator-signed document —
  the work comparable to xmlsec's signing. Target ≤ 1.5×;
- ours, guarded ``countersign()`` as the product runs it (rules, main
  signature verified before, both verified again after) — reported, no target;
- python-xmlsec verifying both signatures of the counter-signed document
  (Ids registered, each key from the embedded certificate);
- ours, verifying both signatures of the same document (parse included).
  Target ≤ 2×.

Run: ``.venv/bin/python benchmarks/bench_envelope.py [--rounds N] [--batch N]``.
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import xmlsec
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from signer_app.envelope.builder import AccountSpec, build_user_document
from signer_app.envelope.countersign import countersign
from signer_app.envelope.names import NSMAP
from signer_app.envelope.parsing import parse_xml
from signer_app.envelope.signing import add_main_signature_bytes, build_counter_signature
from signer_app.envelope.xades import verify_signatures
from signer_app.testpki import pki
from signer_app.testpki.softhsm import (
    CUSTOMER_TITLE,
    CUSTOMER_VKN,
    INTEGRATOR_TITLE,
    INTEGRATOR_VKN,
)

XPATH = (
    "//*[local-name()='ApplicationArea']/*[local-name()='Signature']/*[local-name()='Signature']"
    " | //*[local-name()='CounterSignature']/*[local-name()='Signature']"
)


def document() -> bytes:
    accounts = [
        AccountSpec(role, alias=f"urn:mail:{name}{role.lower()}@ornek-is-cozumleri.com.tr")
        for name in ("default", "ankara_sube_", "istanbul_sube_")
        for role in ("GB", "PK")
    ]
    return build_user_document(
        operation="open",
        integrator_id=INTEGRATOR_VKN,
        customer_id=CUSTOMER_VKN,
        customer_name=CUSTOMER_TITLE,
        option_code=2,
        accounts=accounts,
        created=datetime.now(UTC),
    )


def per_call(call: Callable[[], object], batch: int) -> float:
    started = time.perf_counter()
    for _ in range(batch):
        call()
    return (time.perf_counter() - started) / batch


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=40)
    options = parser.parse_args()

    now = datetime.now(UTC)
    ca = pki.make_ca(pki.DEFAULT_SEAL_CA_NAME, now=now)
    integrator = pki.make_software_identity(ca, vkn=INTEGRATOR_VKN, title=INTEGRATOR_TITLE, now=now)
    customer = pki.make_software_identity(ca, vkn=CUSTOMER_VKN, title=CUSTOMER_TITLE, now=now)
    assert isinstance(customer.key, rsa.RSAPrivateKey)
    assert isinstance(integrator.key, rsa.RSAPrivateKey)
    key = customer.key
    unsigned = document()
    signed = add_main_signature_bytes(unsigned, integrator.key, integrator.cert, signing_time=now)
    countersigned = countersign(signed, key, customer.cert, now=now).data
    xmlsec_key = xmlsec.Key.from_memory(pki.to_pem(key), xmlsec.constants.KeyDataFormatPem)

    def xmlsec_sign() -> object:
        root = etree.fromstring(unsigned)
        holder = root.find(".//oa:Signature", NSMAP)
        assert holder is not None
        template = xmlsec.template.create(
            root, xmlsec.constants.TransformInclC14N, xmlsec.constants.TransformRsaSha256
        )
        holder.append(template)
        reference = xmlsec.template.add_reference(
            template, xmlsec.constants.TransformSha256, uri=""
        )
        xmlsec.template.add_transform(reference, xmlsec.constants.TransformEnveloped)
        context = xmlsec.SignatureContext()
        context.key = xmlsec_key
        context.sign(template)
        return etree.tostring(root)

    def xmlsec_verify() -> None:
        root = etree.fromstring(countersigned)
        xmlsec.tree.add_ids(root, ["Id"])
        signatures = root.xpath(XPATH)
        assert isinstance(signatures, list) and len(signatures) == 2
        for signature in signatures:
            assert isinstance(signature, etree._Element)
            der = "".join(
                (signature.findtext(".//ds:X509Certificate", namespaces=NSMAP) or "").split()
            )
            context = xmlsec.SignatureContext()
            context.key = xmlsec.Key.from_memory(
                f"-----BEGIN CERTIFICATE-----\n{der}\n-----END CERTIFICATE-----\n".encode(),
                xmlsec.constants.KeyDataFormatCertPem,
            )
            context.verify(signature)

    def ours_create() -> object:
        return build_counter_signature(signed, key, customer.cert, signing_time=now)

    def ours_guarded() -> object:
        return countersign(signed, key, customer.cert, now=now)

    def ours_verify() -> None:
        report = verify_signatures(
            parse_xml(countersigned), integrator_id=INTEGRATOR_VKN, customer_id=CUSTOMER_VKN
        )
        assert report.valid

    paths: dict[str, Callable[[], object]] = {
        "xmlsec enveloped sign": xmlsec_sign,
        "ours counter-sign": ours_create,
        "ours countersign() guarded": ours_guarded,
        "xmlsec verify both": xmlsec_verify,
        "ours verify both": ours_verify,
    }
    for call in paths.values():  # warm-up, and each must work
        per_call(call, 3)
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(options.rounds):
        for name, call in paths.items():
            samples[name].append(per_call(call, options.batch))
    medians = {name: statistics.median(values) for name, values in samples.items()}

    print(
        f"document: {len(unsigned)} bytes unsigned, {len(signed)} integrator-signed, "
        f"{len(countersigned)} counter-signed; {options.rounds} interleaved rounds of "
        f"{options.batch}"
    )
    for name, median in medians.items():
        print(f"{name:28} {median * 1000:8.3f} ms")
    sign_ratio = medians["ours counter-sign"] / medians["xmlsec enveloped sign"]
    guarded_ratio = medians["ours countersign() guarded"] / medians["xmlsec enveloped sign"]
    verify_ratio = medians["ours verify both"] / medians["xmlsec verify both"]
    sign_ok, verify_ok = sign_ratio <= 1.5, verify_ratio <= 2.0
    print(
        f"counter-sign / xmlsec sign: {sign_ratio:.2f}x (target ≤ 1.5): "
        f"{'PASS' if sign_ok else 'FAIL'}"
    )
    print(f"guarded countersign() / xmlsec sign: {guarded_ratio:.2f}x (no target; does 3 verifies)")
    print(
        f"verify both / xmlsec verify both: {verify_ratio:.2f}x (target ≤ 2): "
        f"{'PASS' if verify_ok else 'FAIL'}"
    )
    return 0 if sign_ok and verify_ok else 1


if __name__ == "__main__":
    sys.exit(main())
