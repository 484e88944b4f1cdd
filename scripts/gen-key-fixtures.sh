#!/usr/bin/env bash
# Writes tests/keys/more/: key files in the shapes other in-toto producers
# use, and links and DSSE envelopes signed with them by OpenSSL (an
# independent signer), for the key tests of cairn. Rerunning makes new keys;
# the tests only need the files to agree with each other.
#   usage: scripts/gen-key-fixtures.sh   (needs openssl 3 and python3)
set -euo pipefail
OUT="$(cd "$(dirname "$0")/.." && pwd)/tests/keys/more"
mkdir -p "$OUT"
cd "$OUT"
rm -rf ./*.pub ./*.key ./*.json ./*.der ./*.raw ./*.link ./*.dsse.json layout

# ECDSA: PKCS#8 private keys and PEM SubjectPublicKeyInfo public keys.
for curve in P-384:p384 P-521:p521 P-224:p224 secp256k1:secp256k1 prime256v1:p256; do
  name=${curve##*:}
  openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${curve%%:*}" -out "$name.key" 2>/dev/null
  openssl pkey -in "$name.key" -pubout -out "$name.pub"
done
# Ed25519: raw 32 bytes (as in-toto-rs ships them), DER SPKI, and DER SPKI
# with NULL algorithm parameters (as in-toto-rs writes it).
openssl genpkey -algorithm ed25519 -out ed25519.key
openssl pkey -in ed25519.key -pubout -outform DER -out ed25519.spki.der
tail -c 32 ed25519.spki.der >ed25519.raw
{ printf '\x30\x2c\x30\x07\x06\x03\x2b\x65\x70\x05\x00\x03\x21\x00'; cat ed25519.raw; } >ed25519.spki-null.der

python3 - <<'PY'
import base64, hashlib, json, subprocess

def canonical(o):
    # securesystemslib canonical JSON for the ASCII data written here.
    return json.dumps(o, sort_keys=True, separators=(",", ":"))

def keyid(keytype, scheme, public, legacy=False):
    obj = {"keytype": keytype, "scheme": scheme, "keyval": {"public": public}}
    if legacy:
        obj["keyid_hash_algorithms"] = ["sha256", "sha512"]
    text = canonical(obj).replace("\\n", "\n")  # canonical JSON keeps raw newlines
    return hashlib.sha256(text.encode()).hexdigest()

def sign(key, digest, data):
    return subprocess.run(["openssl", "dgst", f"-{digest}", "-sign", key],
                          input=data, capture_output=True, check=True).stdout

keys = {"p384": ("ecdsa-sha2-nistp384", "sha384"), "p521": ("ecdsa-sha2-nistp521", "sha512")}
for name, (scheme, digest) in keys.items():
    public = open(f"{name}.pub").read()
    # securesystemslib JSON key objects: the curve's keytype, and plain `ecdsa`.
    for keytype, suffix in ((scheme, ""), ("ecdsa", "-ecdsa")):
        obj = {"keytype": keytype, "scheme": scheme, "keyval": {"public": public}}
        with open(f"{name}{suffix}.json", "w") as f:
            json.dump(obj, f, indent=2)
    # A classic link, keyid as in-toto-golang computes it (legacy formula,
    # PEM without its final newline), signature DER over the canonical JSON.
    signed = {"_type": "link", "name": f"build-{name}", "materials": {},
              "products": {"out.txt": {"sha256": "0" * 64}}, "byproducts": {},
              "command": ["make"], "environment": {}}
    sig = sign(f"{name}.key", digest, canonical(signed).encode())
    kid = keyid("ecdsa", scheme, public.strip(), legacy=True)
    with open(f"build-{name}.link", "w") as f:
        json.dump({"signed": signed, "signatures": [{"keyid": kid, "sig": sig.hex()}]}, f, indent=2)
    # A DSSE envelope over an in-toto Statement, signature DER over the PAE.
    stmt = {"_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "out.txt", "digest": {"sha256": "0" * 64}}],
            "predicateType": "https://example.com/test/v1", "predicate": {}}
    payload = canonical(stmt).encode()
    ptype = b"application/vnd.in-toto+json"
    pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(payload), payload)
    sig = sign(f"{name}.key", digest, pae)
    env = {"payloadType": ptype.decode(), "payload": base64.b64encode(payload).decode(),
           "signatures": [{"keyid": keyid("ecdsa", scheme, public), "sig": base64.b64encode(sig).decode()}]}
    with open(f"{name}.dsse.json", "w") as f:
        json.dump(env, f, indent=2)

# A classic layout signed with the P-521 key whose one step is signed with
# the P-384 key (both keys as in-toto-golang writes them: PEM without the
# final newline, legacy keyids), with that step's link beside it.
import os, shutil
os.makedirs("layout", exist_ok=True)
def key_object(name, scheme):
    public = open(f"{name}.pub").read().strip()
    return keyid("ecdsa", scheme, public, legacy=True), {
        "keytype": "ecdsa", "scheme": scheme, "keyid_hash_algorithms": ["sha256", "sha512"],
        "keyval": {"public": public}}
kid384, obj384 = key_object("p384", "ecdsa-sha2-nistp384")
kid521, _ = key_object("p521", "ecdsa-sha2-nistp521")
layout = {"_type": "layout", "expires": "2099-01-01T00:00:00Z", "readme": "",
          "keys": {kid384: obj384},
          "steps": [{"_type": "step", "name": "build-p384", "threshold": 1, "pubkeys": [kid384],
                     "expected_command": ["make"], "expected_materials": [],
                     "expected_products": [["CREATE", "out.txt"], ["DISALLOW", "*"]]}],
          "inspect": []}
text = canonical(layout).replace("\\n", "\n")
sig = sign("p521.key", "sha512", text.encode())
with open("layout/root.layout", "w") as f:
    json.dump({"signed": layout, "signatures": [{"keyid": kid521, "sig": sig.hex()}]}, f, indent=2)
shutil.copy("build-p384.link", f"layout/build-p384.{kid384[:8]}.link")

# A GPG key object as in-toto python layouts carry it (securesystemslib's
# gpg format); the numbers are made up: cairn refuses it before reading them.
gpg = {"keyid": "1b3f2f5c1d0e4a7b8c9d0e1f2a3b4c5d6e7f8091", "type": "rsa",
       "method": "pgp+rsa-pkcsv1.5", "hashes": ["pgp+SHA2"], "creation_time": 1700000000,
       "keyval": {"private": "", "public": {"e": "010001", "n": "c0ffee" * 8}}}
with open("gpg-rsa.json", "w") as f:
    json.dump(gpg, f, indent=2)
PY
ls "$OUT"
