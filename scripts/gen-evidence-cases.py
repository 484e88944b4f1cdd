#!/usr/bin/env python3
"""Regenerates the signed inputs under tests/cases/evidence/.

Each case is a small file named `<code>-<id>-<what>`; `<code>` is the
diagnostic the case must produce (`ok-...` cases live under `ok/`). Signatures
come from a fixed Ed25519 seed, so the output is byte-for-byte reproducible.
Needs python3 with `cryptography`.
"""
import base64, json, os, sys
from cryptography.hazmat.primitives.asymmetric import ed25519, ec
from cryptography.hazmat.primitives import serialization, hashes

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "cases", "evidence")
KEY = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUB_HEX = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
KEYID = "trusted-key-hint"
SHA = "a" * 64


def canonical(v):
    """securesystemslib canonical JSON (inputs here are ASCII without control characters)."""
    return json.dumps(v, sort_keys=True, separators=(",", ":")).encode()


def pae(t, body):
    t = t.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def b64(b):
    return base64.standard_b64encode(b).decode()


def envelope(payload, ptype="application/vnd.in-toto+json", key=KEY, sign_type=None, sign_bytes=None):
    msg = sign_bytes if sign_bytes is not None else pae(sign_type or ptype, payload)
    return {"payload": b64(payload), "payloadType": ptype,
            "signatures": [{"keyid": KEYID, "sig": b64(key.sign(msg))}]}


def statement(**over):
    s = {"_type": "https://in-toto.io/Statement/v1",
         "subject": [{"name": "app.tar.gz", "digest": {"sha256": SHA}}],
         "predicateType": "https://slsa.dev/provenance/v1",
         "predicate": {"buildDefinition": {"buildType": "x"}}}
    s.update(over)
    return json.dumps(s).encode()


def link(**over):
    l = {"_type": "link", "name": "build", "command": ["make"], "materials": {"src/a.c": {"sha256": SHA}},
         "products": {"app": {"sha256": SHA}}, "byproducts": {}, "environment": {}}
    l.update(over)
    return l


def metablock(signed, key=KEY):
    return {"signed": signed, "signatures": [{"keyid": KEYID, "sig": key.sign(canonical(signed)).hex()}]}


def write(rel, data):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not isinstance(data, (bytes, str)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)


def text(env):
    return json.dumps(env)


def main():
    write("trusted.pub", PUB_HEX + "\n")
    good = envelope(statement())
    # ok
    write("ok/ok-statement-v1.json", good)
    write("ok/ok-statement-v01.json", envelope(statement(_type="https://in-toto.io/Statement/v0.1")))
    write("ok/ok-classic-link.link", metablock(link()))
    write("ok/ok-link-in-dsse.link", envelope(json.dumps(link()).encode()))
    write("ok/ok-bundle-blank-lines.intoto.jsonl", "\n".join([text(good), "", "   ", text(envelope(statement(predicateType="https://in-toto.io/attestation/test-result/v0.1")))]) + "\n")
    write("ok/ok-ST-13-unknown-fields-ignored.json", envelope(statement(extra={"x": 1})))
    write("ok/ok-KY-07-wrong-keyid-hint.json", {**good, "signatures": [{"keyid": "0123456789abcdef", "sig": good["signatures"][0]["sig"]}]})
    write("ok/ok-KY-07-no-keyid.json", {**good, "signatures": [{"sig": good["signatures"][0]["sig"]}]})
    write("ok/ok-SG-06-wrong-length-before-valid.json", {**good, "signatures": [{"sig": b64(b"x" * 63)}] + good["signatures"]})
    write("ok/ok-SG-09-url-safe-payload.json", {**good, "payload": base64.urlsafe_b64encode(base64.b64decode(good["payload"])).decode()})
    write("ok/E319-SG-06-bad-base64-before-valid.json", {**good, "signatures": [{"sig": "!!!not base64"}] + good["signatures"]})
    # keys (7.2)
    write("err/E316-KY-04-ed25519-key-ecdsa-scheme.key", {"keytype": "ed25519", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": PUB_HEX}})
    write("err/E316-KY-04-unknown-scheme.key", {"keytype": "ed25519", "scheme": "ed448", "keyval": {"public": PUB_HEX}})
    write("err/E316-KY-04-private-present.key", {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": PUB_HEX, "private": "00" * 32}})
    write("err/E316-KY-04-rsa-keytype-ed25519-key.key", {"keytype": "rsa", "scheme": "rsassa-pss-sha256", "keyval": {"public": PUB_HEX}})
    write("err/E316-KY-05-ed25519-31-bytes.key", PUB_HEX[:62] + "\n")
    write("err/E316-KY-05-ed25519-33-bytes.key", PUB_HEX + "00\n")
    write("err/E316-KY-05-non-hex.key", "zz" * 32 + "\n")
    write("err/E316-KY-05-small-order.key", "01" + "00" * 31 + "\n")
    p256 = ec.derive_private_key(123456789, ec.SECP256R1()).public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    off = bytearray(p256); off[-1] ^= 1
    body = b64(bytes(off))
    body = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    write("err/E316-KY-05-p256-off-curve.key", "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n")
    from cryptography.hazmat.primitives.asymmetric import rsa
    small = rsa.generate_private_key(65537, 1024).public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    write("err/E316-KY-04-rsa-1024.key", small)
    # signatures and envelopes (7.3)
    write("err/E312-SG-01-dsse-empty-signatures.json", {**good, "signatures": []})
    write("err/E312-SG-01-dsse-missing-signatures.json", {"payload": good["payload"], "payloadType": good["payloadType"]})
    write("err/E312-SG-01-metablock-empty-signatures.link", {"signed": link(), "signatures": []})
    write("err/V190-SG-02-signature-over-bare-payload.json", envelope(statement(), sign_bytes=statement()))
    write("err/V190-SG-02-signature-over-base64-text.json", envelope(statement(), sign_bytes=b64(statement()).encode()))
    write("err/V190-SG-03-payload-type-edited.json", envelope(statement(), ptype="application/vnd.in-toto.provenance+json", sign_type="application/vnd.in-toto+json"))
    write("err/E313-SG-03-unsupported-type-application-json.json", envelope(statement(), ptype="application/json"))
    write("err/E313-SG-03-type-upper-case.json", envelope(statement(), ptype="application/vnd.in-toto+JSON"))
    write("err/E313-SG-03-type-trailing-space.json", envelope(statement(), ptype="application/vnd.in-toto+json "))
    write("err/V190-KY-07-signed-by-untrusted-key.json", envelope(statement(), key=OTHER))
    g = text(good)
    write("err/E303-SG-08-duplicate-payload.json", g.replace('"payloadType"', '"payload": "e30=", "payloadType"', 1))
    write("err/E303-SG-08-duplicate-payload-escaped.json", g.replace('"payloadType"', '"p\\u0061yload": "e30=", "payloadType"', 1))
    write("err/E303-SG-08-duplicate-payload-type.json", g.replace('"signatures"', '"payloadType": "application/json", "signatures"', 1))
    write("err/E303-SG-08-duplicate-signatures.json", g.replace('"payloadType"', '"signatures": [], "payloadType"', 1))
    write("err/E310-SG-08-missing-payload.json", {"payloadType": good["payloadType"], "signatures": good["signatures"]})
    write("err/E304-SG-08-payload-case-variant.json", g.replace('"payloadType"', '"Payload": "e30=", "payloadType"', 1))
    write("err/E304-SG-08-payload-case-only.json", g.replace('"payload":', '"PAYLOAD":', 1))
    write("err/E311-SG-09-unpadded-base64.json", {**good, "payload": good["payload"].rstrip("=") + ("" if good["payload"].endswith("=") else "=")})
    write("err/E311-SG-09-newline-in-base64.json", {**good, "payload": good["payload"][:8] + "\n" + good["payload"][8:]})
    write("err/E319-classic-signature-not-hex.link", {"signed": link(), "signatures": [{"keyid": KEYID, "sig": "xyz"}]})
    lay = '{"signed": {"_type": "layout", "expires": "2030-01-01T00:00:00Z", "readme": "", "keys": {}, "steps": [], "inspect": [{"_type": "inspection", "name": "i", "expected_materials": [], "expected_products": [], RUN}]}, "signatures": [{"keyid": "k", "sig": "00"}]}'
    write("err/E303-SG-10-duplicate-run.layout", lay.replace("RUN", '"run": ["rm", "/"], "run": ["whoami"]'))
    write("err/E303-SG-10-escaped-duplicate-run.layout", lay.replace("RUN", '"run": ["rm", "/"], "ru\\u006E": ["whoami"]'))
    write("err/E304-SG-10-run-case-variant.layout", lay.replace("RUN", '"run": ["whoami"], "Run": ["rm", "/"]'))
    ml = text(metablock(link()))
    for name, num in [("fraction", "1.0"), ("exponent", "1e2"), ("minus-zero", "-0"), ("beyond-64-bits", "18446744073709551616")]:
        write(f"err/E308-SG-12-{name}.link", ml.replace('"environment": {}', '"environment": {"n": %s}' % num, 1))
    write("err/E302-SG-13-two-documents.json", g + g)
    write("err/E302-SG-13-trailing-garbage.json", g + "garbage")
    write("err/E301-SG-13-byte-order-mark.json", "\ufeff" + g)
    write("err/E301-SG-13-bundle-partial-last-line.intoto.jsonl", g + "\n" + g[: len(g) // 2])
    write("err/E303-bundle-duplicate-payload-line-2.intoto.jsonl", g + "\n" + g.replace('"payloadType"', '"payload": "e30=", "payloadType"', 1) + "\n" + g + "\n")
    write("err/E318-bundle-unrecognised-line.intoto.jsonl", g + "\n" + '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}' + "\n")
    # Signatures are limited (16 per document: each may cost a try of every key).
    write("ok/ok-16-signatures.json", {**good, "signatures": good["signatures"] * 16})
    write("err/E475-dsse-17-signatures.json", {**good, "signatures": good["signatures"] * 17})
    write("err/E305-nested-too-deep.json", '{"payload": ' + "[" * 200 + "]" * 200 + "}")
    write("err/E301-invalid-utf8.json", b'{"payload": "\xff"}')
    # statements and links (7.4)
    write("err/E314-ST-03-statement-trailing-slash.json", envelope(statement(_type="https://in-toto.io/Statement/v1/")))
    write("err/E314-ST-03-statement-other-case.json", envelope(statement(_type="https://in-toto.io/statement/v1")))
    write("err/E314-ST-03-statement-in-metablock.link", metablock(json.loads(statement())))
    write("err/E315-ST-04-empty-subject.json", envelope(statement(subject=[])))
    write("err/E315-ST-04-subject-without-digest.json", envelope(statement(subject=[{"name": "a"}])))
    write("err/E315-ST-04-empty-digest.json", envelope(statement(subject=[{"name": "a", "digest": {}}])))
    write("err/E315-ST-06-uppercase-hex.json", envelope(statement(subject=[{"name": "a", "digest": {"sha256": "A" * 64}}])))
    write("err/E315-ST-06-non-hex.json", envelope(statement(subject=[{"name": "a", "digest": {"sha256": "g" * 64}}])))
    write("err/E315-ST-06-wrong-length.json", envelope(statement(subject=[{"name": "a", "digest": {"sha256": "a" * 63}}])))
    write("err/E315-ST-04-v01-subject-without-name.json", envelope(statement(_type="https://in-toto.io/Statement/v0.1", subject=[{"digest": {"sha256": SHA}}])))
    write("err/E310-ST-02-predicate-not-object.json", envelope(statement(predicate=[1, 2])))
    write("err/E304-ST-13-subject-case-variant.json", envelope(statement(Subject=[])))
    write("err/E310-link-materials-not-object.link", metablock(link(materials=[])))
    # artifact names (7.5): only normalised relative paths, nothing rendered invisibly
    write("err/E320-AR-01-link-product-dot-dot.link", metablock(link(products={"dir/../foo": {"sha256": SHA}})))
    write("err/E320-AR-02-link-dot-slash-alias.link", metablock(link(products={"foo": {"sha256": SHA}, "./foo": {"sha256": "b" * 64}})))
    write("err/E320-AR-03-link-material-backslash.link", metablock(link(materials={"dir\\foo": {"sha256": SHA}})))
    write("err/E320-AR-03-link-material-double-slash.link", metablock(link(materials={"src//a.c": {"sha256": SHA}})))
    write("err/E320-AR-03-subject-absolute.json", envelope(statement(subject=[{"name": "/etc/passwd", "digest": {"sha256": SHA}}])))
    write("err/E320-AR-03-subject-parent.json", envelope(statement(subject=[{"name": "../x", "digest": {"sha256": SHA}}])))
    write("err/E320-AR-03-subject-newline-forged-pass.json", envelope(statement(subject=[{"name": "app\nPASS: layout `x`: 0 failures", "digest": {"sha256": SHA}}])))
    write("err/E320-AR-03-subject-terminal-escape.json", envelope(statement(subject=[{"name": "app\u001b[2K", "digest": {"sha256": SHA}}])))
    write("err/E320-AR-03-subject-bidi-override.json", envelope(statement(subject=[{"name": "evil\u202etxt.exe", "digest": {"sha256": SHA}}])))
    write("err/E320-AR-03-subject-trailing-slash.json", envelope(statement(subject=[{"name": "dir/", "digest": {"sha256": SHA}}])))
    # a layout without `expires`: refused, in a metablock and in DSSE (in-toto python fills one in)
    no_expiry = {"_type": "layout", "readme": "", "keys": {}, "steps": [], "inspect": []}
    write("err/E310-layout-without-expires.layout", metablock(no_expiry))
    write("err/E310-dsse-layout-without-expires.layout", envelope(canonical(no_expiry)))


if __name__ == "__main__":
    sys.exit(main())
