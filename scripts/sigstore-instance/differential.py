#!/usr/bin/env python3
"""Runs sigstore-python's CLI on every case of tests/sigstore/cases and
compares its verdict with the case's expected.json.

Called by scripts/sigstore-differential.sh with the interpreter of the
target/sigstore-python virtual environment. Prints one line per case
(`ok`, `MISMATCH` or `n/a (reason)`) and closes with `N passed, M failed,
K skipped`; exits 1 on any mismatch.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography import x509

sys.path.insert(0, str(Path(__file__).resolve().parent))
import instance as si  # noqa: E402

# Cases that sigstore-python 4.5.1 cannot judge, why, and a probe that still
# checks the rest of the case with sigstore-python (a failing probe counts as
# a mismatch). Keep this short: every other case must get sigstore-python's
# verdict.
NOT_APPLICABLE = {
    "managed_key": (
        "sigstore-python's CLI has no verification with a managed public key",
        "managed-key",
    ),
    "managed_key_ed25519_message": (
        "sigstore-python's CLI has no verification with a managed public key",
        "managed-key",
    ),
    "managed_key_rsa8192_message": (
        "sigstore-python's CLI has no verification with a managed public key",
        "managed-key",
    ),
    "tsa_only_no_tlog": (
        "sigstore-python requires exactly one tlog entry in a bundle and refuses a trusted root without tlogs",
        "library",
    ),
    "msg_v01_promise_only": (
        "sigstore-python requires an inclusion proof with checkpoint in every bundle, v0.1 included",
        "library",
    ),
    "ca_validfor_expired_fail": (
        "sigstore-python ignores the end of a certificate authority's validFor window",
        "accepts",
    ),
    "tsa_only_expired_ca_fail": (
        "sigstore-python requires exactly one tlog entry in a bundle and refuses a trusted root without tlogs,"
        " and ignores the end of a certificate authority's validFor window",
        "library",
    ),
    "othername_san": (
        "sigstore-python compares the DER-encoded OtherName value (tag and length included) with the identity",
        "othername-der",
    ),
}

GH_KEYS = {"owner", "repo", "signer_workflow", "san_regex"}


def cert_of(bundle: dict) -> x509.Certificate:
    vm = bundle["verificationMaterial"]
    if "certificate" in vm:
        raw = vm["certificate"]["rawBytes"]
    else:
        raw = vm["x509CertificateChain"]["certificates"][0]["rawBytes"]
    return x509.load_der_x509_certificate(base64.b64decode(raw))


def cert_san(cert: x509.Certificate) -> str:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.DuplicateExtension:
        # A case whose leaf repeats an extension (the verifier must refuse
        # it); asn1crypto still reads the SAN, so that sigstore-python judges it.
        from asn1crypto import x509 as a_x509

        names = a_x509.Certificate.load(si.cert_der(cert)).subject_alt_name_value
        for kind in ("uniform_resource_identifier", "rfc822_name"):
            for n in names:
                if n.name == kind:
                    return n.native
        raise ValueError("no URI or email SAN") from None
    for v in san.get_values_for_type(x509.UniformResourceIdentifier):
        return v
    for v in san.get_values_for_type(x509.RFC822Name):
        return v
    raise ValueError("no URI or email SAN")


def command(case: Path, expected: dict, cfg: Path) -> tuple[list[str] | None, str]:
    """sigstore-python's command line for a case, or None and why not."""
    policy = expected["policy"]
    inputs = expected["inputs"]
    bundle_path = case / inputs["bundle"]
    artifact = case / inputs["artifact"]
    base = [
        sys.executable,
        "-m",
        "sigstore",
        "--trust-config",
        str(cfg),
        "verify",
    ]
    common = ["--offline", "--bundle", str(bundle_path)]
    if "key" in policy:
        return None, "sigstore-python's CLI has no verification with a managed public key"
    if GH_KEYS & set(policy):
        # GitHub-style policy: give sigstore-python the certificate's own SAN so
        # that it checks the cryptography, the GitHub Actions issuer and, where
        # the policy names one, the repository (legacy 1.3.6.1.4.1.57264.1.5).
        bundle = json.loads(bundle_path.read_text())
        args = base + ["github"] + common + ["--cert-identity", cert_san(cert_of(bundle))]
        if "repo" in policy:
            args += ["--repository", policy["repo"]]
        return args + [str(artifact)], ""
    args = base + ["identity"] + common + [
        "--cert-identity",
        policy["identity"],
        "--cert-oidc-issuer",
        policy["issuer"],
        str(artifact),
    ]
    return args, ""


def reason_of(out: str) -> str:
    """The line of sigstore-python's log that says why it failed."""
    lines = []
    for raw in out.splitlines():
        line = re.sub(r"^\[[0-9:]+\]\s*", "", raw.strip())
        line = re.sub(r"^(ERROR|WARNING)\s+", "", line)
        line = re.sub(r"\s+[a-z_]+\.py:[0-9]+$", "", line).strip()
        if line:
            lines.append(line)
    for i, line in enumerate(lines):
        if line.startswith("Additional context") and i + 1 < len(lines):
            return lines[i + 1]
    for line in lines:
        if not line.startswith(("FAIL:", "For detailed", "A certificate chain was not valid")):
            return line
    return lines[-1] if lines else ""


def sigstore_cli(args: list[str]) -> tuple[str, str, str]:
    """Runs sigstore-python; returns (PASS | FAIL | ERROR ..., its reason, its output)."""
    env = dict(os.environ, COLUMNS="1000")  # rich wraps its log lines otherwise
    p = subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)
    out = (p.stdout + p.stderr).strip()
    if p.returncode == 0 and "OK:" in p.stderr:
        got = "PASS"
    elif p.returncode == 1 and "Traceback" not in out:
        got = "FAIL"
    else:
        got = f"ERROR (exit {p.returncode})"
    said = reason_of(out) if p.returncode != 0 else "OK"
    if len(said) > 240:
        said = said[:240] + "..."
    return got, said, out


def probe_managed_key(case: Path, expected: dict) -> tuple[bool, str]:
    """What sigstore-python's library can check of a managed-key bundle: the
    log entry (inclusion proof, checkpoint, SET against the trusted root's
    log key), the signature with key.pub, and that the entry records them."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from sigstore._internal.trust import KeyringPurpose
    from sigstore.models import TransparencyLogEntry, TrustedRoot
    from sigstore_models.bundle.v1 import Bundle as _Bundle

    inputs = expected["inputs"]
    try:
        inner = _Bundle.from_json((case / inputs["bundle"]).read_bytes())
        entry = TransparencyLogEntry(inner.verification_material.tlog_entries[0])
        root = TrustedRoot.from_file(str(case / inputs["trusted_root"]))
        entry._verify(root.rekor_keyring(KeyringPurpose.VERIFY))
        pem = (case / expected["policy"]["key"]).read_bytes()
        key = serialization.load_pem_public_key(pem)
        artifact = (case / inputs["artifact"]).read_bytes()
        digest = si.sha256(artifact)
        sig = inner.message_signature.signature
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig, artifact)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(sig, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        else:
            key.verify(sig, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        body = json.loads(entry._inner.canonicalized_body)["spec"]
        if (
            body["data"]["hash"]["value"] != digest.hex()
            or base64.b64decode(body["signature"]["content"]) != sig
            or base64.b64decode(body["signature"]["publicKey"]["content"]) != pem
        ):
            return False, "log entry does not record this signature and key"
    except Exception as e:  # noqa: BLE001 - any failure is the probe's answer
        return False, f"{type(e).__name__}: {e}"
    return True, "sigstore-python's library verifies its log entry, and key.pub its signature"


def probe_library(case: Path, expected: dict) -> tuple[bool, str]:
    """The steps of sigstore-python's Verifier, called one by one so that a
    bundle without tlog entry or without inclusion proof gets through: signed
    times (TSA tokens, SET), the chain at each time, the SCT, the key usages,
    the identity policy, the signature and the log entry's consistency."""

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from rfc3161_client import decode_timestamp_response
    from sigstore import dsse
    from sigstore._internal.rekor import _hashedrekord_from_parts
    from sigstore._internal.sct import verify_sct
    from sigstore._internal.timestamp import TimestampSource, TimestampVerificationResult
    from sigstore._internal.trust import KeyringPurpose
    from sigstore.hashes import Hashed
    from sigstore.models import TransparencyLogEntry, TrustedRoot
    from sigstore.verify.policy import Identity
    from sigstore.verify.verifier import Verifier
    from sigstore_models.bundle.v1 import Bundle as _Bundle
    from sigstore_models.common.v1 import HashAlgorithm
    from sigstore_models.rekor.v1 import TransparencyLogEntry as _Entry
    from sigstore_models.trustroot.v1 import TrustedRoot as _TrustedRoot

    inputs, policy = expected["inputs"], expected["policy"]
    try:
        tr = json.loads((case / inputs["trusted_root"]).read_text())
        if not tr["tlogs"]:
            # Verifier() insists on a tlog; it is never consulted below.
            tr["tlogs"] = [dict(tr["ctlogs"][0], baseUrl="https://unused.invalid")]
        root = TrustedRoot(_TrustedRoot.from_json(json.dumps(tr)))
        verifier = Verifier(trusted_root=root)
        bundle = json.loads((case / inputs["bundle"]).read_text())
        raw_entries = bundle["verificationMaterial"]["tlogEntries"]
        bundle["verificationMaterial"]["tlogEntries"] = []
        inner = _Bundle.from_json(json.dumps(bundle))
        vm = inner.verification_material
        leaf = vm.certificate or vm.x509_certificate_chain.certificates[0]
        cert = x509.load_der_x509_certificate(leaf.raw_bytes)
        env = dsse.Envelope(inner.dsse_envelope) if inner.dsse_envelope else None
        sig = env.signature if env else inner.message_signature.signature
        artifact = (case / inputs["artifact"]).read_bytes()
        digest = si.sha256(artifact)

        times = []
        for ts in (vm.timestamp_verification_data.rfc3161_timestamps if vm.timestamp_verification_data else []):
            result = verifier._verify_signed_timestamp(decode_timestamp_response(ts.signed_timestamp), sig)
            if result is None:
                return False, "a timestamp does not verify"
            times.append(result)
        entries = []
        for raw in raw_entries:
            proofless = "inclusionProof" not in raw
            if proofless:
                raw = dict(raw, inclusionProof={"logIndex": "0", "rootHash": "", "treeSize": "1", "hashes": []})
            model = _Entry.from_json(json.dumps(raw))
            entry = TransparencyLogEntry.__new__(TransparencyLogEntry)
            entry._inner = model
            keyring = root.rekor_keyring(KeyringPurpose.VERIFY)
            if proofless:
                model.inclusion_proof = None
                entry._verify_set(keyring)
            else:
                entry._verify(keyring)
            if model.inclusion_promise and model.integrated_time:
                times.append(
                    TimestampVerificationResult(
                        source=TimestampSource.TRANSPARENCY_SERVICE,
                        time=dt.datetime.fromtimestamp(model.integrated_time, tz=dt.timezone.utc),
                    )
                )
            entries.append(model)
        if not times:
            return False, "no verified time"
        chain = []
        for t in times:
            chain = verifier._verify_chain_at_time(cert, t)
            if not (cert.not_valid_before_utc <= t.time <= cert.not_valid_after_utc):
                return False, "a verified time is outside the certificate validity"
        verify_sct(cert, chain, root.ct_keyring(KeyringPurpose.VERIFY))
        if ExtendedKeyUsageOID.CODE_SIGNING not in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value:
            return False, "no codeSigning"
        Identity(identity=policy["identity"], issuer=policy["issuer"]).verify(cert)
        if env:
            dsse._verify(cert.public_key(), env)
            if env._inner.payload_type != dsse.Envelope._TYPE:
                return False, "payload type"
            if not dsse.Statement(env._inner.payload)._matches_digest(Hashed(algorithm=HashAlgorithm.SHA2_256, digest=digest)):
                return False, "no subject with the artifact's digest"
            for e in entries:
                body = json.loads(e.canonicalized_body)["spec"]
                if body["payloadHash"]["value"] != si.sha256(env._inner.payload).hex() or [
                    base64.b64decode(x["signature"]) for x in body["signatures"]
                ] != [x.sig for x in env._inner.signatures]:
                    return False, "log entry does not record this envelope"
        else:
            md = inner.message_signature.message_digest
            if md is not None and md.digest != digest:
                return False, "messageDigest is not the artifact's digest"
            cert.public_key().verify(sig, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
            hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=digest)
            for e in entries:
                from rekor_types import Hashedrekord

                if _hashedrekord_from_parts(cert, sig, hashed) != Hashedrekord.model_validate_json(e.canonicalized_body):
                    return False, "log entry does not record this signature"
    except Exception as e:  # noqa: BLE001 - any failure is the probe's answer
        return False, f"{type(e).__name__}: {e}"
    return True, "sigstore-python's Verifier steps, run one by one, accept the rest of it"


def run_case(case: Path, tmp: Path) -> tuple[str, str, str]:
    """Returns (status, line, detail) with status ok / mismatch / na."""
    name = case.name
    expected = json.loads((case / "expected.json").read_text())
    want = expected["verdict"]
    cfg = tmp / f"{name}.trust-config.json"
    root = json.loads((case / expected["inputs"]["trusted_root"]).read_text())
    cfg.write_text(json.dumps(si.trust_config(root)))
    args, why = command(case, expected, cfg)

    if name in NOT_APPLICABLE or args is None:
        reason, probe = NOT_APPLICABLE.get(name, (why, None))
        ok, note, out = True, "", ""
        if probe == "managed-key":
            ok, note = probe_managed_key(case, expected)
        elif probe == "library":
            ok, note = probe_library(case, expected)
        elif probe == "accepts":
            got, said, out = sigstore_cli(args)
            ok, note = got == "PASS", f"sigstore-python accepts it: {said}"
        elif probe == "othername-der":
            ident = args.index("--cert-identity") + 1
            args[ident] = si.der_utf8(args[ident]).decode()
            got, said, out = sigstore_cli(args)
            ok, note = got == "PASS", f"with the identity spelled that way: {said}"
        if not ok:
            return "mismatch", f"{name}: MISMATCH (probe: {note})", out
        return "na", f"{name}: n/a ({reason}" + (f"; {note})" if note else ")"), ""

    got, said, out = sigstore_cli(args)
    if got == want:
        return "ok", f"{name}: ok ({want}; sigstore-python: {said})", ""
    return "mismatch", f"{name}: MISMATCH (expected {want}, sigstore-python {got}: {said})", out


def main() -> int:
    cases_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/sigstore/cases")
    cases = sorted(p for p in cases_dir.iterdir() if (p / "expected.json").is_file())
    if not cases:
        print(f"no cases under {cases_dir}")
        return 1
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda c: run_case(c, tmp), cases))
    passed = failed = skipped = 0
    for status, line, detail in results:
        print(line)
        if status == "ok":
            passed += 1
        elif status == "na":
            skipped += 1
        else:
            failed += 1
            for l in detail.splitlines()[-15:]:
                print(f"    | {l}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
