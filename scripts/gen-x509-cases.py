#!/usr/bin/env python3
"""Writes the X.509 functionary cases under tests/cases/x509/: classic
layouts with in-toto-golang's `rootcas`, `intermediatecas` and a step's
`cert_constraints`, and links whose signature carries the signer's
certificate (`signatures[].cert`, PEM), the shape in-toto-golang reads and
writes (`in_toto/certconstraint.go`, `verifylib.go`).

    .venv/bin/python scripts/gen-x509-cases.py [OUT]

Each case is a folder with root.layout (signed by owner.pub), its links and
expected.json: {"exit_code", "contains", "time"}: cairn's exit code for
`verify --layout root.layout --layout-key owner.pub --links . --time TIME`,
and a text its messages must contain. The verdicts follow in-toto-golang's
semantics as read from its source (no Go toolchain is needed here).

Deterministic: Ed25519 keys come from seeds, the root CA's RSA key is kept
in tests/cases/x509/keys/ (made once), certificates have fixed serials and
dates, and Ed25519 and RSA PKCS#1 v1.5 signatures are deterministic; running
the script again rewrites the same bytes.
"""

import datetime
import hashlib
import json
import os
import shutil
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from securesystemslib.formats import encode_canonical

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIME = "2030-01-01T00:00:00Z"
EXPIRES = "2099-01-01T00:00:00Z"
ALGS = ["sha256", "sha512"]


def canonical(obj):
    return encode_canonical(obj).encode()


def ed25519(seed):
    raw = hashlib.sha256(f"cairn-x509-case-{seed}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_hex(key):
    return key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def ed25519_keyid(key):
    """in-toto-golang's keyid of an Ed25519 key (the legacy formula)."""
    obj = {"keyid_hash_algorithms": ALGS, "keytype": "ed25519",
           "keyval": {"public": public_hex(key)}, "scheme": "ed25519"}
    return hashlib.sha256(canonical(obj)).hexdigest()


def key_object(key):
    return {"keyid": ed25519_keyid(key), "keyid_hash_algorithms": ALGS, "keytype": "ed25519",
            "keyval": {"public": public_hex(key)}, "scheme": "ed25519"}


def p256(seed):
    raw = hashlib.sha256(f"cairn-x509-case-{seed}".encode()).digest()
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(int.from_bytes(raw, "big") % (order - 1) + 1, ec.SECP256R1())


def keyid(key):
    """in-toto-golang's keyid (the legacy formula; a PEM without its final newline)."""
    if isinstance(key, Ed25519PrivateKey):
        return ed25519_keyid(key)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    obj = {"keyid_hash_algorithms": ALGS, "keytype": "ecdsa",
           "keyval": {"public": public.strip()}, "scheme": "ecdsa-sha2-nistp256"}
    return hashlib.sha256(canonical(obj)).hexdigest()


def sign(obj, key, cert=None):
    if isinstance(key, Ed25519PrivateKey):
        raw = key.sign(canonical(obj))
    else:
        raw = key.sign(canonical(obj), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
    sig = {"keyid": keyid(key), "sig": raw.hex()}
    if cert is not None:
        sig["cert"] = cert
    return {"signed": obj, "signatures": [sig]}


def root_key(out):
    """The root CA's RSA key: made once, then kept (RSA keys cannot be seeded)."""
    path = os.path.join(out, "keys", "root-ca.key.pem")
    if os.path.exists(path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def when(year):
    return datetime.datetime(year, 1, 1, tzinfo=datetime.timezone.utc)


def name(cn, org="example"):
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if cn:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def certificate(subject, key, issuer, issuer_key, serial, ca, sans=(), start=2025, end=2035,
                eku=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(when(start)).not_valid_after(when(end)))
    if ca is not None:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    algorithm = hashes.SHA256() if isinstance(issuer_key, rsa.RSAPrivateKey) else None
    return b.sign(issuer_key, algorithm)


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def ca_object(cert):
    der = cert.public_bytes(serialization.Encoding.DER)
    keyid = hashlib.sha256(der).hexdigest()
    rsa_key = isinstance(cert.public_key(), rsa.RSAPublicKey)
    return keyid, {"keyid": keyid, "keyid_hash_algorithms": ALGS,
                   "keytype": "rsa" if rsa_key else "ed25519",
                   "keyval": {"certificate": pem(cert), "public": ""},
                   "scheme": "rsassa-pss-sha256" if rsa_key else "ed25519"}


def sha(text):
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}


SRC = {"foo.py": sha("print('hello')\n")}
TGZ = {"foo.tar.gz": sha("the foo release tarball\n")}


def link(step, materials, products):
    return {"_type": "link", "byproducts": {}, "command": [], "environment": {},
            "materials": materials, "name": step, "products": products}


def constraint(**over):
    c = {"common_name": "build.example.com", "dns_names": [], "emails": [],
         "organizations": ["example"], "roots": [ROOT_ID], "uris": ["spiffe://example.com/build"]}
    c.update(over)
    return c


def layout(constraints, roots, intermediates):
    steps = [
        {"_type": "step", "cert_constraints": constraints, "expected_command": [],
         "expected_materials": [], "expected_products": [["CREATE", "foo.py"], ["DISALLOW", "*"]],
         "name": "build", "pubkeys": [], "threshold": 1},
        {"_type": "step", "expected_command": [],
         "expected_materials": [["MATCH", "foo.py", "WITH", "PRODUCTS", "FROM", "build"],
                                ["DISALLOW", "*"]],
         "expected_products": [["CREATE", "foo.tar.gz"], ["DISALLOW", "*"]],
         "name": "package", "pubkeys": [key_object(BOB)["keyid"]], "threshold": 1},
    ]
    return {"_type": "layout", "expires": EXPIRES, "inspect": [],
            "keys": {key_object(BOB)["keyid"]: key_object(BOB)}, "readme": "",
            "rootcas": dict(ca_object(c) for c in roots),
            "intermediatecas": dict(ca_object(c) for c in intermediates),
            "steps": steps}


def write(out, case, root_layout, links, exit_code, contains):
    folder = os.path.join(out, case)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    files = {"root.layout": sign(root_layout, OWNER)}
    files.update(links)
    for path, data in files.items():
        with open(os.path.join(folder, path), "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
    with open(os.path.join(folder, "owner.pub"), "w") as f:
        f.write(OWNER.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"exit_code": exit_code, "contains": contains, "time": TIME}, f, indent=1,
                  sort_keys=True)
        f.write("\n")
    print(f"{case}: exit {exit_code}")


OWNER, BOB = ed25519("owner"), ed25519("bob")
LEAF_KEY, OTHER_ROOT_KEY, INTER_KEY = ed25519("leaf"), ed25519("other-root"), ed25519("intermediate")
ECDSA_LEAF_KEY = p256("ecdsa-leaf")
ROOT_ID = None


def main():
    global ROOT_ID
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/cases/x509")
    os.makedirs(out, exist_ok=True)
    rkey = root_key(out)
    root = certificate(name("root"), rkey, name("root"), rkey, 1, True)
    ROOT_ID = ca_object(root)[0]
    inter = certificate(name("example.com"), INTER_KEY, name("root"), rkey, 2, True)
    other_root = certificate(name("other root", "elsewhere"), OTHER_ROOT_KEY,
                             name("other root", "elsewhere"), OTHER_ROOT_KEY, 3, True)
    uri = x509.UniformResourceIdentifier("spiffe://example.com/build")

    def leaf(serial, cn="build.example.com", sans=(uri,), issuer=inter, issuer_key=INTER_KEY,
             key=LEAF_KEY, **kw):
        return certificate(name(cn), key, issuer.subject, issuer_key, serial, False,
                           sans=sans, **kw)

    def links(cert, products=SRC, signed_products=None, key=LEAF_KEY):
        build = sign(link("build", {}, signed_products or products), key,
                     pem(cert) if cert is not None else None)
        build["signed"]["products"] = products
        return {f"build.{keyid(key)[:8]}.link": build,
                f"package.{ed25519_keyid(BOB)[:8]}.link": sign(link("package", SRC, TGZ), BOB)}

    good = leaf(10)
    full = layout([constraint()], [root], [inter])
    write(out, "pass-certificate-functionary", full, links(good), 0, "")
    ecdsa = leaf(15, key=ECDSA_LEAF_KEY)
    write(out, "pass-ecdsa-functionary", full, links(ecdsa, key=ECDSA_LEAF_KEY), 0, "")
    write(out, "pass-wildcards",
          layout([constraint(common_name="*", organizations=["*"], roots=["*"], uris=["*"])],
                 [root], [inter]), links(good), 0, "")
    write(out, "pass-second-constraint",
          layout([constraint(common_name="deploy.example.com"), constraint()], [root], [inter]),
          links(good), 0, "")
    write(out, "fail-common-name-differs",
          layout([constraint(common_name="deploy.example.com")], [root], [inter]), links(good), 1,
          "common_name expects [\"deploy.example.com\"], the certificate has `build.example.com`")
    extra = leaf(11, sans=(uri, x509.UniformResourceIdentifier("spiffe://example.com/deploy")))
    write(out, "fail-extra-uri", full, links(extra), 1,
          "uris expects [\"spiffe://example.com/build\"], the certificate has `spiffe://example.com/deploy`")
    write(out, "fail-roots-names-another-ca",
          layout([constraint(roots=[ca_object(other_root)[0]])], [root], [inter]), links(good), 1,
          "roots expects")
    stranger = leaf(12, issuer=other_root, issuer_key=OTHER_ROOT_KEY)
    write(out, "fail-wrong-root", full, links(stranger), 1, "does not chain to a `rootcas` certificate")
    write(out, "fail-no-intermediate-in-layout", layout([constraint()], [root], []), links(good), 1,
          "does not chain to a `rootcas` certificate")
    expired = leaf(13, start=2020, end=2021)
    write(out, "fail-expired-certificate", full, links(expired), 1,
          "not at the verification time 2030-01-01T00:00:00Z")
    not_ca = certificate(name("example.com"), INTER_KEY, name("root"), rkey, 4, False)
    write(out, "fail-intermediate-not-a-ca", layout([constraint()], [root], [not_ca]),
          links(good), 1, "is not a CA")
    client = leaf(14, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    write(out, "fail-client-auth-only", full, links(client), 1, "without serverAuth")
    write(out, "fail-link-tampered", full,
          links(good, products={"foo.py": sha("print('pwned')\n")}, signed_products=SRC), 1,
          "V119")
    write(out, "fail-no-certificate", full, links(None), 1, "carries no certificate")
    bad = layout([constraint()], [root], [inter])
    bad["steps"][0]["cert_constraints"] = [{"common_name": "x", "uris": "spiffe://x"}]
    write(out, "error-malformed-constraint", bad, links(good), 2,
          "steps[0].cert_constraints[0].uris: expected a list of strings")


if __name__ == "__main__":
    main()
