#!/usr/bin/env python3
"""Regenerates tests/sigstore/cases from scratch with a private Sigstore instance.

Run with the interpreter of target/sigstore-python (see
scripts/setup-sigstore-python.sh), from anywhere:

    target/sigstore-python/bin/python scripts/sigstore-instance/make.py

Each case folder gets bundle.sigstore.json, trusted_root.json, artifact,
expected.json and, for the managed-key cases, key.pub. The output is
deterministic (seeded keys, RFC 6979 signatures, fixed times): a second run
writes the same bytes, and adding a case changes the keys of the cases made
after it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cryptography.x509.oid import ExtendedKeyUsageOID  # noqa: E402

import instance as si  # noqa: E402
from instance import (  # noqa: E402
    GITHUB_ISSUER,
    MEDIA_BUNDLE_V01,
    MEDIA_BUNDLE_V02,
    MEDIA_BUNDLE_V03,
    T_EPOCH,
    T_SIGN,
    CTLog,
    Identity,
    Instance,
    Signer,
    TSA,
    b64,
    sha256,
)

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "sigstore" / "cases"

SEC = dt.timedelta(seconds=1)
T_INTEGRATED = T_SIGN + 5 * SEC
T_TSA = T_SIGN + 2 * SEC
T_MARCH = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)

ARTIFACT = b"cairn release artifact app-1.0\n"
TARBALL = b"app-1.0.tar.gz: a stand-in for the release tarball of acme/app\n"
SUBJECT = "app-1.0.tar.gz"

ALICE = Identity(issuer="https://accounts.cairn.test", email="alice@cairn.test")
ACME = si.github_identity("acme", "app")
EVIL = si.github_identity("evil", "app", owner_id="6666", repo_id="6667")

# Another repository of the same owner, with its own release workflow.
MIRROR = si.github_identity("acme", "mirror", repo_id="2003", run_id="9000000002")

POLICY_ALICE = {"identity": ALICE.email, "issuer": ALICE.issuer}
POLICY_ACME_GH = {
    "owner": "acme",
    "repo": "acme/app",
    "signer_workflow": "acme/app/.github/workflows/release.yml",
}

inst = Instance()


def signer(ident: Identity, **kw) -> Signer:
    key = si.p256()
    return Signer(key, inst.fulcio.issue(key.public_key(), ident, **kw))


def msg_bundle(
    s: Signer,
    artifact: bytes = ARTIFACT,
    *,
    media: str = MEDIA_BUNDLE_V03,
    material: dict | None = None,
    promise: bool = True,
    itime: dt.datetime = T_INTEGRATED,
    ts_times: tuple = (),
    tsa: TSA | None = None,
    digest: bytes | None = None,
    entry: dict | None = None,
    tlog: bool = True,
) -> dict:
    sig = s.sign(artifact)
    if entry is None and tlog:
        body = si.hashedrekord_body(sig, s.verifier_pem, sha256(artifact))
        entry = inst.rekor.append(body, itime, promise)
    stamps = [(tsa or inst.tsa).timestamp(sig, t) for t in ts_times]
    if material is None:
        material = si.material_certificate(s.cert)
    return si.bundle_json(
        media, material, [entry] if entry else [], si.message_signature(artifact, sig, digest), stamps
    )


def dsse_bundle(
    signers: list[Signer],
    payload: bytes,
    *,
    payload_type: str = si.INTOTO_PAYLOAD_TYPE,
    promise: bool = True,
    ts_times: tuple = (),
    tlog: bool = True,
) -> dict:
    env = si.dsse_envelope(signers, payload, payload_type)
    entries = []
    if tlog:
        body = si.dsse_body(env, signers[0].verifier_pem)
        entries = [inst.rekor.append(body, T_INTEGRATED, promise)]
    first_sig = base64.b64decode(env["signatures"][0]["sig"])
    stamps = [inst.tsa.timestamp(first_sig, t) for t in ts_times]
    return si.bundle_json(
        MEDIA_BUNDLE_V03,
        si.material_certificate(signers[0].cert),
        entries,
        {"dsseEnvelope": env},
        stamps,
    )


def provenance(ident: Identity) -> bytes:
    return si.provenance_statement(SUBJECT, hashlib.sha256(TARBALL).hexdigest(), ident)


CASES: list[dict] = []


def case(name, verdict, reason, bundle, policy, artifact=ARTIFACT, trusted_root=None, key_pub=None):
    assert (verdict == "FAIL") == name.endswith("_fail"), name
    CASES.append(
        dict(
            name=name,
            verdict=verdict,
            reason=reason,
            bundle=bundle,
            policy=policy,
            artifact=artifact,
            trusted_root=trusted_root or inst.trusted_root(),
            key_pub=key_pub,
        )
    )


def entry_of(bundle: dict) -> dict:
    return bundle["verificationMaterial"]["tlogEntries"][0]


def build() -> None:
    # ---------------------------------------------------------------- PASS
    alice = signer(ALICE)
    case(
        "msg_v03_email",
        "PASS",
        "v0.3 message signature by an email identity with SCT, inclusion promise and inclusion proof.",
        msg_bundle(alice),
        POLICY_ALICE,
    )

    acme = signer(ACME)
    case(
        "dsse_provenance_v03",
        "PASS",
        "v0.3 DSSE in-toto SLSA provenance signed by the acme/app release workflow on GitHub Actions.",
        dsse_bundle([acme], provenance(ACME)),
        POLICY_ACME_GH,
        artifact=TARBALL,
    )

    case(
        "msg_workflow_san_regex",
        "PASS",
        "v0.3 message signature by the acme/app release workflow, matched by owner and a SAN regex.",
        msg_bundle(signer(ACME)),
        {
            "owner": "acme",
            "san_regex": r"^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v.*$",
        },
    )

    s = signer(ALICE)
    b = msg_bundle(s, media=MEDIA_BUNDLE_V01, material=si.material_chain([s.cert, inst.fulcio.ca.inter]))
    del entry_of(b)["inclusionProof"]
    case(
        "msg_v01_promise_only",
        "PASS",
        "v0.1 bundle with a certificate chain and an inclusion promise but no inclusion proof, which v0.1 allows.",
        b,
        POLICY_ALICE,
    )

    s = signer(ALICE)
    case(
        "msg_v01_chain_with_proof",
        "PASS",
        "v0.1 bundle with a leaf and intermediate chain, an inclusion promise and an inclusion proof.",
        msg_bundle(s, media=MEDIA_BUNDLE_V01, material=si.material_chain([s.cert, inst.fulcio.ca.inter])),
        POLICY_ALICE,
    )

    s = signer(ACME)
    case(
        "msg_v02_workflow",
        "PASS",
        "v0.2 bundle with a one-certificate chain, signed by a GitHub workflow identity.",
        msg_bundle(s, media=MEDIA_BUNDLE_V02, material=si.material_chain([s.cert])),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER},
    )

    s = signer(ALICE)
    case(
        "tsa_with_tlog_proof",
        "PASS",
        "v0.3 bundle whose only verified time is an RFC 3161 timestamp; the log entry has an inclusion proof but no promise.",
        msg_bundle(s, promise=False, ts_times=(T_TSA,)),
        POLICY_ALICE,
    )

    s = signer(ALICE)
    case(
        "tsa_and_promise",
        "PASS",
        "v0.3 bundle with both an RFC 3161 timestamp and an inclusion promise, both inside the certificate validity.",
        msg_bundle(s, ts_times=(T_TSA,)),
        POLICY_ALICE,
    )

    s = signer(ACME)
    case(
        "tsa_only_no_tlog",
        "PASS",
        "DSSE provenance with an RFC 3161 timestamp and no log entry, checked against a trusted root without transparency logs.",
        dsse_bundle([s], provenance(ACME), tlog=False, ts_times=(T_TSA,)),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER, "require_tlog": False},
        artifact=TARBALL,
        trusted_root=inst.trusted_root(tlogs=False),
    )

    key = si.p256()
    mk = Signer(key)
    case(
        "managed_key",
        "PASS",
        "v0.3 message signature by a managed ECDSA P-256 key (public key hint, no certificate) with a log entry.",
        msg_bundle(mk, material=si.material_public_key(key.public_key())),
        {"key": "key.pub"},
        key_pub=si.spki_pem(key.public_key()),
    )

    other = Identity(issuer="https://oidc.local", othername="foo!oidc.local")
    case(
        "othername_san",
        "PASS",
        "v0.3 message signature by a certificate whose only SAN is a Sigstore OtherName (username) identity.",
        msg_bundle(signer(other)),
        {"identity": other.othername, "issuer": other.issuer},
    )

    # ---------------------------------------------------------------- FAIL
    evil = signer(EVIL)
    case(
        "dsse_provenance_other_repo_fail",
        "FAIL",
        "The provenance is validly signed, but by the evil/app workflow while the policy names acme/app.",
        dsse_bundle([evil], provenance(EVIL)),
        POLICY_ACME_GH,
        artifact=TARBALL,
    )

    s, s2 = signer(ALICE), signer(ALICE)
    other_sig = s2.sign(ARTIFACT)
    other_entry = inst.rekor.append(
        si.hashedrekord_body(other_sig, s2.verifier_pem, sha256(ARTIFACT)), T_INTEGRATED
    )
    case(
        "tlog_body_other_signature_fail",
        "FAIL",
        "The log entry is genuine but records another certificate and signature than the ones in the bundle.",
        msg_bundle(s, entry=other_entry),
        POLICY_ALICE,
    )

    b = msg_bundle(signer(ALICE))
    e = entry_of(b)
    e["integratedTime"] = str(int(e["integratedTime"]) + 60)
    case(
        "set_integrated_time_altered_fail",
        "FAIL",
        "integratedTime was moved by a minute after the log signed the inclusion promise, so the SET does not verify.",
        b,
        POLICY_ALICE,
    )

    b = msg_bundle(signer(ALICE))
    hs = entry_of(b)["inclusionProof"]["hashes"]
    raw = bytearray(base64.b64decode(hs[1]))
    raw[0] ^= 0x01
    hs[1] = b64(bytes(raw))
    case(
        "inclusion_proof_hash_corrupted_fail",
        "FAIL",
        "One hash of the inclusion proof has a flipped bit, so the proof does not lead to the signed root.",
        b,
        POLICY_ALICE,
    )

    b = msg_bundle(signer(ALICE))
    p = entry_of(b)["inclusionProof"]
    rogue = si.p256()
    p["checkpoint"]["envelope"] = inst.rekor.checkpoint(
        int(p["treeSize"]),
        base64.b64decode(p["rootHash"]),
        key=rogue,
        hint_key=inst.rekor.key,
    )
    case(
        "checkpoint_wrong_key_fail",
        "FAIL",
        "The checkpoint carries the log's key hint but is signed by another key.",
        b,
        POLICY_ALICE,
    )

    b = msg_bundle(signer(ALICE))
    p = entry_of(b)["inclusionProof"]
    p["checkpoint"]["envelope"] = inst.rekor.checkpoint(int(p["treeSize"]), sha256(b"another tree"))
    case(
        "checkpoint_root_hash_wrong_fail",
        "FAIL",
        "The checkpoint is signed by the log but over another root hash than the inclusion proof's.",
        b,
        POLICY_ALICE,
    )

    case(
        "integrated_time_future_fail",
        "FAIL",
        "The log signed an integratedTime in the year 2100, in the future and outside the certificate validity.",
        msg_bundle(signer(ALICE), itime=dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)),
        POLICY_ALICE,
    )

    case(
        "tsa_time_outside_cert_validity_fail",
        "FAIL",
        "The integrated time is inside the certificate validity but the RFC 3161 timestamp is 20 minutes later, after it expired.",
        msg_bundle(signer(ALICE), ts_times=(T_SIGN + dt.timedelta(minutes=20),)),
        POLICY_ALICE,
    )

    tsa2 = TSA("cairn-tsa-2")
    case(
        "tsa_outside_validfor_other_tsa_covers_fail",
        "FAIL",
        "The timestamp's TSA left the trusted root on 2026-03-01; only another TSA's validFor covers the signing time.",
        msg_bundle(signer(ALICE), promise=False, ts_times=(T_TSA,)),
        POLICY_ALICE,
        trusted_root=inst.trusted_root(
            tsas=[
                Instance.tsa_entry(inst.tsa, start=T_EPOCH, end=T_MARCH),
                Instance.tsa_entry(tsa2, start=T_MARCH, uri="https://tsa2.cairn.test/api/v1/timestamp"),
            ]
        ),
    )

    rogue_root_key, rogue_root = si.make_root(
        "cairn-tsa-root", "cairn.test"
    )  # same names as the trusted TSA root, another key
    rogue_tsa = TSA(root=rogue_root, root_key=rogue_root_key, leaf_subject=inst.tsa.cert.subject)
    case(
        "tsa_embedded_untrusted_cert_fail",
        "FAIL",
        "The timestamp is signed by a look-alike TSA certificate embedded in the token that does not chain to the trusted root.",
        msg_bundle(signer(ALICE), promise=False, ts_times=(T_TSA,), tsa=rogue_tsa),
        POLICY_ALICE,
    )

    case(
        "ca_validfor_expired_fail",
        "FAIL",
        "The trusted root's certificate authority validFor ended on 2026-03-01, before the signing time.",
        msg_bundle(signer(ALICE)),
        POLICY_ALICE,
        trusted_root=inst.trusted_root(ca_end=T_MARCH),
    )

    s = signer(ACME)
    intruder = Signer(si.p256())
    case(
        "dsse_two_signatures_fail",
        "FAIL",
        "The DSSE envelope carries two signatures (the second by an unrelated key) where exactly one is allowed.",
        dsse_bundle([s, intruder], provenance(ACME)),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER},
        artifact=TARBALL,
    )

    case(
        "dsse_payload_type_wrong_fail",
        "FAIL",
        "The DSSE envelope is validly signed but its payloadType is application/json, not the in-toto type.",
        dsse_bundle([signer(ACME)], provenance(ACME), payload_type="application/json"),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER},
        artifact=TARBALL,
    )

    case(
        "dsse_payload_not_json_fail",
        "FAIL",
        "The DSSE envelope is validly signed but its payload is not JSON, so it is no in-toto statement.",
        dsse_bundle([signer(ACME)], b"this payload is not JSON\n"),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER},
        artifact=TARBALL,
    )

    case(
        "message_digest_mismatch_fail",
        "FAIL",
        "The signature and log entry cover the artifact but messageDigest names another digest.",
        msg_bundle(signer(ALICE), digest=sha256(b"some other artifact\n")),
        POLICY_ALICE,
    )

    case(
        "wrong_artifact_fail",
        "FAIL",
        "The bundle is valid for another artifact than the one given.",
        msg_bundle(signer(ALICE)),
        POLICY_ALICE,
        artifact=b"cairn release artifact app-1.0 (tampered)\n",
    )

    case(
        "leaf_no_codesigning_eku_fail",
        "FAIL",
        "The leaf certificate's extended key usage is clientAuth, not codeSigning.",
        msg_bundle(signer(ALICE, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))),
        POLICY_ALICE,
    )

    case(
        "missing_sct_fail",
        "FAIL",
        "The leaf certificate has no embedded SCT although the trusted root lists a CT log.",
        msg_bundle(signer(ALICE, sct_log=None)),
        POLICY_ALICE,
    )

    case(
        "sct_unknown_ctlog_fail",
        "FAIL",
        "The embedded SCT is validly signed, but by a CT log that the trusted root does not list.",
        msg_bundle(signer(ALICE, sct_log=CTLog("ctfe.rogue.test"))),
        POLICY_ALICE,
    )

    case(
        "wrong_identity_fail",
        "FAIL",
        "The bundle is valid but signed by bob@cairn.test while the policy asks for alice@cairn.test.",
        msg_bundle(signer(Identity(issuer=ALICE.issuer, email="bob@cairn.test"))),
        POLICY_ALICE,
    )

    case(
        "wrong_issuer_fail",
        "FAIL",
        "The bundle is valid and names alice@cairn.test, but the identity was vouched for by another OIDC issuer.",
        msg_bundle(signer(Identity(issuer="https://accounts.rogue.test", email=ALICE.email))),
        POLICY_ALICE,
    )

    s = signer(ALICE)
    ca = inst.fulcio.ca
    case(
        "v03_chain_with_root_fail",
        "FAIL",
        "A v0.3 bundle must carry a single leaf certificate, but this one carries a chain that includes the root.",
        msg_bundle(s, material=si.material_chain([s.cert, ca.inter, ca.root])),
        POLICY_ALICE,
    )

    # ------------------------------------------------- added after the above
    # New cases go here, at the end: every key, serial number and log entry
    # comes from the one seeded generator, so a case made earlier would
    # change the bytes of every case made after it.

    case(
        "duplicate_issuer_extension_fail",
        "FAIL",
        "The leaf carries the OIDC issuer extension 1.3.6.1.4.1.57264.1.8 twice, first with https://evil.cairn.test/idp, then with the real issuer; RFC 5280 forbids a repeated extension.",
        msg_bundle(signer(ALICE, decoy=(si.OID_ISSUER_V2, si.der_utf8("https://evil.cairn.test/idp")))),
        POLICY_ALICE,
    )

    s = signer(ACME, decoy=(si.OID_SOURCE_REPO_URI, si.der_utf8("https://github.com/evil/app")))
    case(
        "duplicate_source_repository_fail",
        "FAIL",
        "The acme/app workflow leaf carries the source repository extension 1.3.6.1.4.1.57264.1.12 twice, first with https://github.com/evil/app, then with https://github.com/acme/app; RFC 5280 forbids a repeated extension.",
        dsse_bundle([s], provenance(ACME)),
        {"owner": "acme", "repo": "acme/app", "issuer": GITHUB_ISSUER},
        artifact=TARBALL,
    )

    case(
        "dsse_provenance_second_repo",
        "PASS",
        "v0.3 DSSE in-toto SLSA provenance for the same artifact as dsse_provenance_v03, signed by the release workflow of another acme repository, acme/mirror, under the same trusted root.",
        dsse_bundle([signer(MIRROR)], provenance(MIRROR)),
        {"owner": "acme", "repo": "acme/mirror", "issuer": GITHUB_ISSUER},
        artifact=TARBALL,
    )

    # tsa_only_no_tlog combined with ca_validfor_expired_fail: with no log
    # entry, the timestamp is the only signed time, and the CA's validFor
    # must still be checked at it (cosign CVE-2026-24122).
    s = signer(ACME)
    case(
        "tsa_only_expired_ca_fail",
        "FAIL",
        "DSSE provenance with an RFC 3161 timestamp and no log entry, against a trusted root without transparency logs whose certificate authority validFor ended on 2026-05-31, the day before signing; the leaf certificate is valid at the timestamp.",
        dsse_bundle([s], provenance(ACME), tlog=False, ts_times=(T_TSA,)),
        {"identity": ACME.uri, "issuer": GITHUB_ISSUER, "require_tlog": False},
        artifact=TARBALL,
        trusted_root=inst.trusted_root(tlogs=False, ca_end=T_SIGN - dt.timedelta(days=1)),
    )

    # Managed keys of the other two kinds Sigstore clients use: Ed25519
    # (signs the artifact itself) and RSA PKCS#1 v1.5 with SHA-256, here at
    # 8192 bits, the largest size sigstore-verify accepts.
    key = si.ed25519_key()
    case(
        "managed_key_ed25519_message",
        "PASS",
        "v0.3 message signature by a managed Ed25519 key (public key hint, no certificate) with a log entry.",
        msg_bundle(Signer(key), material=si.material_public_key(key.public_key())),
        {"key": "key.pub"},
        key_pub=si.spki_pem(key.public_key()),
    )

    key = si.rsa_key(8192)
    case(
        "managed_key_rsa8192_message",
        "PASS",
        "v0.3 message signature by a managed 8192-bit RSA key, PKCS#1 v1.5 with SHA-256 (public key hint, no certificate), with a log entry.",
        msg_bundle(Signer(key), material=si.material_public_key(key.public_key())),
        {"key": "key.pub"},
        key_pub=si.spki_pem(key.public_key()),
    )


def dump(obj) -> str:
    return json.dumps(obj, indent=2) + "\n"


def write() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for c in CASES:
        d = OUT / c["name"]
        d.mkdir()
        (d / "bundle.sigstore.json").write_text(dump(c["bundle"]))
        (d / "trusted_root.json").write_text(dump(c["trusted_root"]))
        (d / "artifact").write_bytes(c["artifact"])
        if c["key_pub"] is not None:
            (d / "key.pub").write_bytes(c["key_pub"])
        expected = {
            "verdict": c["verdict"],
            "reason": c["reason"],
            "inputs": {
                "bundle": "bundle.sigstore.json",
                "artifact": "artifact",
                "trusted_root": "trusted_root.json",
                "artifact_digest": "sha256:" + hashlib.sha256(c["artifact"]).hexdigest(),
            },
            "policy": c["policy"],
        }
        if c["name"] == "managed_key_ed25519_message":
            # Ed25519 signs the message itself: no digest can stand for it.
            expected["inputs"]["digest_verifies"] = False
        (d / "expected.json").write_text(dump(expected))


def main() -> None:
    build()
    write()
    n_pass = sum(c["verdict"] == "PASS" for c in CASES)
    print(f"wrote {len(CASES)} cases ({n_pass} PASS, {len(CASES) - n_pass} FAIL) to {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
