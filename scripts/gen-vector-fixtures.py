#!/usr/bin/env python3
"""Writes tests/fixtures/vectors/: keys, links, layouts and attestations of
cairn's own with the shapes of the in-toto test vectors (in-toto 3.1.0's
demo files and PEMs, in-toto-golang's RSA-PSS demo layout, an
attestation-verifier ITE-10 layout with its DSSE Statements).

    scripts/setup-intoto.sh && .venv/bin/python scripts/gen-vector-fixtures.py [OUT]

Every key is derived from a fixed seed, so running the script again writes
the same keys (and keyids); RSA-PSS and ECDSA signatures and the tarball's
bytes change from run to run, Ed25519 signatures do not. Each keyid the tests
rely on is computed here by securesystemslib (or, for the legacy formula
with `keyid_hash_algorithms`, by hashing its canonical JSON here) and each
signature is checked here with in-toto / securesystemslib before anything
is written, so the tests compare cairn with an implementation other than
its own.
"""

import functools
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from in_toto.models.layout import Inspection, Layout, Step
from in_toto.models.metadata import Metablock
from in_toto.runlib import in_toto_run
from securesystemslib.dsse import Envelope
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEGACY = ["sha256", "sha512"]


def seed_bytes(name):
    return hashlib.sha256(f"cairn-vector-fixture-{name}".encode()).digest()


def ed25519(name):
    return Ed25519PrivateKey.from_private_bytes(seed_bytes(name))


def p256(name):
    n = int.from_bytes(seed_bytes(name), "big") % (2**255) + 1
    return ec.derive_private_key(n, ec.SECP256R1())


def _probable_prime(rng, bits):
    small = [p for p in range(3, 1000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | (1 << (bits - 2)) | 1
        if any(n % p == 0 for p in small):
            continue
        d, s = n - 1, 0
        while d % 2 == 0:
            d, s = d // 2, s + 1
        for _ in range(40):
            x = pow(rng.randrange(2, n - 1), d, n)
            if x in (1, n - 1):
                continue
            for _ in range(s - 1):
                x = pow(x, 2, n)
                if x == n - 1:
                    break
            else:
                break
        else:
            return n


@functools.cache
def rsa3072(name):
    """An RSA-3072 key from a seeded generator (cryptography cannot seed its own)."""
    rng = random.Random(seed_bytes(name))
    e = 65537
    while True:
        p, q = _probable_prime(rng, 1536), _probable_prime(rng, 1536)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e != 0:
            break
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q)
    )
    return numbers.private_key()


def public_pem(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def private_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def legacy_keyid(keytype, scheme, public):
    """The keyid formula of securesystemslib before 1.0 (and of in-toto-golang)."""
    obj = {"keytype": keytype, "scheme": scheme, "keyid_hash_algorithms": LEGACY,
           "keyval": {"public": public}}
    return hashlib.sha256(encode_canonical(obj).encode()).hexdigest()


def legacy_rsa(key):
    """A functionary key as old in-toto layouts write it: the PEM without its
    final newline, the legacy keyid, `keyid_hash_algorithms`, an empty private part."""
    public = public_pem(key).rstrip("\n")
    keyid = legacy_keyid("rsa", "rsassa-pss-sha256", public)
    sslib = SSlibKey(keyid, "rsa", "rsassa-pss-sha256", {"public": public},
                     {"keyid_hash_algorithms": LEGACY})
    as_dict = {"keyid": keyid, "keyid_hash_algorithms": LEGACY, "keytype": "rsa",
               "keyval": {"private": "", "public": public}, "scheme": "rsassa-pss-sha256"}
    return keyid, sslib, as_dict


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def pems(out):
    """Public and unencrypted PKCS#8 private keys, ECDSA P-256 and Ed25519,
    with securesystemslib's keyids."""
    keyids = {}
    for name, key in (("ecdsa", p256("pem-ecdsa")), ("ed25519", ed25519("pem-ed25519"))):
        write(f"{out}/pems/{name}_public.pem", public_pem(key))
        write(f"{out}/pems/{name}_private_unencrypted.pem", private_pem(key))
        sslib = SSlibKey.from_crypto(key.public_key())
        # The signer and the public PEM belong together.
        signer = CryptoSigner(key, sslib)
        sslib.verify_signature(signer.sign(b"cairn"), b"cairn")
        keyids[f"{name}_public.pem"] = sslib.keyid
    return keyids


def demo(out):
    """An unsigned two-step layout template with RSA functionaries (legacy
    keyids) and the links of its steps, made by in-toto's runlib and signed
    RSA-PSS-SHA256 by in-toto, once as classic metablocks, once in DSSE."""
    coder, packer = legacy_rsa(rsa3072("demo-coder")), legacy_rsa(rsa3072("demo-packer"))
    layout = Layout(
        keys={coder[0]: coder[2], packer[0]: packer[2]},
        steps=[
            Step(name="write-code", pubkeys=[coder[0]], expected_products=[["CREATE", "demo.py"]]),
            Step(name="package", pubkeys=[packer[0]],
                 expected_command=["tar", "zcvf", "demo.tar.gz", "demo.py"],
                 expected_materials=[["MATCH", "demo.py", "WITH", "PRODUCTS", "FROM", "write-code"],
                                     ["DISALLOW", "*"]],
                 expected_products=[["CREATE", "demo.tar.gz"], ["ALLOW", "demo.py"],
                                    ["DISALLOW", "*"]]),
        ],
        inspect=[Inspection(name="untar", run=["tar", "xfz", "demo.tar.gz"],
                            expected_materials=[["MATCH", "demo.tar.gz", "WITH", "PRODUCTS",
                                                 "FROM", "package"]],
                            expected_products=[["MATCH", "demo.py", "WITH", "PRODUCTS",
                                                "FROM", "write-code"]])],
        expires="2036-01-01T00:00:00Z",
    )
    layout.validate()
    write(f"{out}/demo/demo.layout.template",
          json.dumps(Metablock(signed=layout).to_dict(), indent=1, sort_keys=True))
    work, back = tempfile.mkdtemp(prefix="cairn-vectors-"), os.getcwd()
    os.chdir(work)  # in_toto_run runs the command here and records paths from here
    try:
        write(f"{work}/demo.py", "print('a demo of cairn')\n")
        for dsse, folder in ((False, "classic"), (True, "dsse")):
            for step, (keyid, sslib, as_dict), materials, products, command in (
                ("write-code", coder, [], ["demo.py"], []),
                ("package", packer, ["demo.py"], ["demo.tar.gz", "demo.py"],
                 ["tar", "zcvf", "demo.tar.gz", "demo.py"]),
            ):
                seed = "demo-coder" if step == "write-code" else "demo-packer"
                signer = CryptoSigner(rsa3072(seed), sslib)
                link = in_toto_run(step, materials, products, command, signer=signer,
                                   use_dsse=dsse)
                link.verify_signature(as_dict)
                path = f"{out}/demo/{folder}/{step}.{keyid[:8]}.link"
                write(path, json.dumps(link.to_dict(), indent=1, sort_keys=True))
    finally:
        os.chdir(back)
        shutil.rmtree(work)
    return coder[0], packer[0]


def rsa_layout(out):
    """A layout in the shape in-toto-golang writes (`rootcas`,
    `intermediatecas`, `cert_constraints` empty), signed RSA-PSS-SHA256 (salt
    of the hash's length, as Go signs) by `owner.pub`'s key under the legacy
    keyid over its PEM without the final newline; its functionary PEMs hold
    raw newlines in the canonical JSON the signature covers."""
    owner = rsa3072("rsa-layout-owner")
    write(f"{out}/rsa-layout/owner.pub", public_pem(owner))
    pem = public_pem(owner)
    keys = dict(legacy_rsa(rsa3072(n))[::2] for n in ("rsa-layout-dev", "rsa-layout-ci"))
    dev, ci = list(keys)
    step = lambda name, key, command, materials, products: {  # noqa: E731
        "_type": "step", "cert_constraints": [], "expected_command": command,
        "expected_materials": materials, "expected_products": products, "name": name,
        "pubkeys": [key], "threshold": 1}
    signed = {
        "_type": "layout", "expires": "2031-06-30T12:00:00Z", "inspect": [],
        "intermediatecas": [], "keys": keys, "readme": "", "rootcas": [],
        "steps": [
            step("edit", dev, [], [], [["ALLOW", "main.go"]]),
            step("compile", ci, ["go", "build", "-o", "app"],
                 [["MATCH", "main.go", "WITH", "PRODUCTS", "FROM", "edit"], ["DISALLOW", "*"]],
                 [["ALLOW", "app"], ["ALLOW", "main.go"]]),
        ],
    }
    keyid = legacy_keyid("rsa", "rsassa-pss-sha256", pem.rstrip("\n"))
    data = encode_canonical(signed).encode()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    sig = owner.sign(data, pss, hashes.SHA256())
    owner.public_key().verify(sig, data, pss, hashes.SHA256())
    # The same signature, checked by securesystemslib under the stated keyid.
    SSlibKey(keyid, "rsa", "rsassa-pss-sha256", {"public": pem.rstrip("\n")}).verify_signature(
        Signature(keyid, sig.hex()), data)
    write(f"{out}/rsa-layout/root.layout",
          json.dumps({"signatures": [{"keyid": keyid, "sig": sig.hex()}], "signed": signed},
                     indent=1, sort_keys=True))
    expected = {
        "owner.pub": {
            "legacy": legacy_keyid("rsa", "rsassa-pss-sha256", pem),
            "legacy_without_final_newline": keyid,
        }
    }
    return expected


def ite10(out):
    """An attestation-verifier (ITE-10) layout with one Ed25519 functionary
    (legacy keyid over the hex public key) and three Statements in DSSE it
    signed, `clone`'s spelling `_type` as `type` (protobuf's JSON name)."""
    key = ed25519("ite10-functionary")
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public = raw.hex()
    keyid = legacy_keyid("ed25519", "ed25519", public)
    sslib = SSlibKey(keyid, "ed25519", "ed25519", {"public": public})
    signer = CryptoSigner(key, sslib)
    source = {"sha256": hashlib.sha256(b"the checked-out tree\n").hexdigest()}
    binary = {"sha256": hashlib.sha256(b"the built binary\n").hexdigest()}
    build_type = "https://cairn.example/buildtypes/make/v1"
    builder = "https://cairn.example/builders/ci@v2"
    statements = {
        "clone": {
            "type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "foo", "digest": source}],
            "predicateType": "https://in-toto.io/attestation/link/v0.3",
            "predicate": {"name": "clone", "command": ["git", "clone", "https://example.com/foo.git"],
                          "byproducts": {}, "environment": {}},
        },
        "test": {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "foo", "digest": source}],
            "predicateType": "https://in-toto.io/attestation/test-result/v0.1",
            "predicate": {"result": "PASSED", "passedTests": ["unit", "integration"],
                          "warnedTests": [], "failedTests": [],
                          "url": "https://ci.cairn.example/runs/17",
                          "configuration": [{"name": "ci/test.yml", "digest": {"sha256": "0123abcd"}}]},
        },
        "build": {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "bin/foo", "digest": binary}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"buildDefinition": {"buildType": build_type,
                                              "resolvedDependencies": [{"name": "foo", "digest": source}]},
                          "runDetails": {"builder": {"id": builder}}},
        },
    }
    for name, statement in statements.items():
        payload = json.dumps(statement, separators=(",", ":"), sort_keys=True).encode()
        env = Envelope(payload, "application/vnd.in-toto+json", {})
        env.sign(signer)
        env.verify([sslib], 1)
        write(f"{out}/ite10/test-data/{name}.{keyid[:8]}.json",
              json.dumps(env.to_dict(), separators=(",", ":"), sort_keys=True))
    fid = keyid
    write(f"{out}/ite10/layout.yml", f"""expires: "2036-01-01T00:00:00Z"
functionaries:
  {fid}:
    keyType: "ed25519"
    scheme: "ed25519"
    keyIDHashAlgorithms:
      - "sha256"
      - "sha512"
    keyVal:
      public: "{public}"
    keyID: "{fid}"
steps:
  - name: "clone"
    expectedMaterials:
      - "DISALLOW *"
    expectedProducts:
      - "CREATE foo"
      - "DISALLOW *"
    expectedPredicates:
      - predicateType: "https://in-toto.io/attestation/link/v0.3"
        expectedAttributes:
          - rule: "predicate.command == ['git', 'clone', 'https://example.com/foo.git']"
            allowIfNoClaim: true
            warn: true
        functionaries:
          - "{fid}"
  - name: "test"
    expectedMaterials:
      - "MATCH foo WITH products FROM clone"
      - "DISALLOW *"
    expectedPredicates:
      - predicateType: "https://in-toto.io/attestation/test-result/v0.1"
        expectedAttributes:
          - rule: "size(predicate.failedTests) == 0"
          - rule: "predicate.result == 'PASSED'"
          - rule: "size(subject) != 0"
        functionaries:
          - "{fid}"
  - name: "build"
    expectedMaterials:
      - "MATCH foo WITH products FROM clone"
      - "DISALLOW *"
    expectedProducts:
      - "CREATE bin/foo"
      - "DISALLOW *"
    expectedPredicates:
      - predicateType: "https://slsa.dev/provenance/v1"
        expectedAttributes:
          - rule: "predicate.buildDefinition.buildType == '{build_type}'"
            allowIfNoClaim: false
          - rule: "predicate.runDetails.builder.id == '{builder}'"
            allowIfNoClaim: false
        functionaries:
          - "{fid}"
""")
    return keyid


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/fixtures/vectors"))
    for sub in ("pems", "demo", "rsa-layout", "ite10"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    print("pems:", pems(out))
    print("demo functionaries:", demo(out))
    print("rsa-layout:", rsa_layout(out))
    print("ite10 functionary:", ite10(out))


if __name__ == "__main__":
    main()
