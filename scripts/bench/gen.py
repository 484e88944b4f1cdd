#!/usr/bin/env python3
"""Generates the benchmark supply chain: 3 steps x N artifacts, made and
signed with in-toto's own Python API (in-toto 3.1.0, securesystemslib).

    .venv/bin/python scripts/bench/gen.py OUT --artifacts N

Writes three variants of the same chain, each verifiable on its own:

    OUT/classic/  root.layout (metablock), owner.pub, <step>.<keyid8>.link (metablocks)
    OUT/dsse/     root.layout (DSSE), owner.pub, <step>.<keyid8>.link (DSSE envelopes)
    OUT/native/   policy.cairn, keys/*.pub, chain.intoto.jsonl (the DSSE links, one per line)

With --classic-only, only OUT/classic.

The chain: `checkout` records N sources as materials and products, `build`
turns them into N objects (new names, new digests), `package` records the N
objects as materials and products. Every step's rules consume every artifact
(MATCH against the previous step, CREATE, ALLOW, then DISALLOW *), so the
verifier has to look at each of the 6 x N entries. Digests are the real
sha256 of generated file contents. The verdict is PASS.
"""

import argparse
import hashlib
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from in_toto.models.layout import Layout, Step
from in_toto.models.link import Link
from in_toto.models.metadata import Envelope, Metablock
from securesystemslib.signer import CryptoSigner

FUTURE = "2099-01-01T00:00:00Z"
STEPS = ["checkout", "build", "package"]


def private_from_seed(seed):
    raw = hashlib.sha256(f"cairn-bench-{seed}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def pem(private):
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


OWNER_PRIVATE = private_from_seed("owner")
OWNER = CryptoSigner(OWNER_PRIVATE)
FUNCTIONARY_PRIVATE = {s: private_from_seed(f"functionary-{s}") for s in STEPS}
FUNCTIONARY = {s: CryptoSigner(k) for s, k in FUNCTIONARY_PRIVATE.items()}


def keyid(signer):
    return signer.public_key.keyid


def key_dict(signer):
    d = signer.public_key.to_dict()
    d["keyid"] = keyid(signer)
    return d


def sha256(data):
    return {"sha256": hashlib.sha256(data).hexdigest()}


def chain(n):
    """What each step read and wrote: {name: {"sha256": hex}} per side."""
    sources = {}
    objects = {}
    for i in range(n):
        stem = f"d{i // 1000:03d}/f{i:06d}"
        source = f"int f{i}(void) {{ return {i}; }}\n".encode()
        sources[f"src/{stem}.c"] = sha256(source)
        objects[f"build/{stem}.o"] = sha256(b"\x7fELF" + source)
    return [
        ("checkout", sources, sources),
        ("build", sources, objects),
        ("package", objects, objects),
    ]


def layout():
    rules = {
        "checkout": ([["ALLOW", "src/*"], ["DISALLOW", "*"]],
                     [["MATCH", "src/*", "WITH", "MATERIALS", "FROM", "checkout"], ["DISALLOW", "*"]]),
        "build": ([["MATCH", "src/*", "WITH", "PRODUCTS", "FROM", "checkout"], ["DISALLOW", "*"]],
                  [["CREATE", "build/*.o"], ["DISALLOW", "*"]]),
        "package": ([["MATCH", "build/*", "WITH", "PRODUCTS", "FROM", "build"], ["DISALLOW", "*"]],
                    [["ALLOW", "build/*"], ["DISALLOW", "*"]]),
    }
    steps = [
        Step(name=s, pubkeys=[keyid(FUNCTIONARY[s])], threshold=1,
             expected_command=["make", s],
             expected_materials=rules[s][0], expected_products=rules[s][1])
        for s in STEPS
    ]
    return Layout(steps=steps, inspect=[],
                  keys={keyid(f): key_dict(f) for f in FUNCTIONARY.values()},
                  expires=FUTURE, readme="cairn benchmark chain")


POLICY = """# The benchmark chain of scripts/bench/gen.py, as a cairn policy.
layout "bench" {
  expires 2099-01-01T00:00:00Z

  key checkout_key = file "keys/checkout.pub"
  key build_key = file "keys/build.pub"
  key package_key = file "keys/package.pub"

  step checkout {
    by checkout_key
    command "make" "checkout"
    materials {
      allow "src/*"
      disallow "*"
    }
    products {
      match "src/*" with materials from checkout
      disallow "*"
    }
  }

  step build {
    by build_key
    command "make" "build"
    materials {
      match "src/*" with products from checkout
      disallow "*"
    }
    products {
      create "build/*.o"
      disallow "*"
    }
  }

  step package {
    by package_key
    command "make" "package"
    materials {
      match "build/*" with products from build
      disallow "*"
    }
    products {
      allow "build/*"
      disallow "*"
    }
  }
}
"""


def write_json(path, data):
    # How in-toto's own `dump` writes metadata.
    with open(path, "w") as f:
        f.write(json.dumps(data, indent=1, sort_keys=True))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--artifacts", type=int, required=True)
    parser.add_argument("--classic-only", action="store_true",
                        help="write only OUT/classic (the largest chains of scripts/bench/scale.sh)")
    args = parser.parse_args()
    for variant in ("classic", "dsse", "native/keys"):
        os.makedirs(os.path.join(args.out, variant), exist_ok=True)
    lay = layout()
    bundle = []
    for name, materials, products in chain(args.artifacts):
        link = Link(name=name, materials=materials, products=products,
                    command=["make", name], byproducts={}, environment={})
        signer = FUNCTIONARY[name]
        file_name = f"{name}.{keyid(signer)[:8]}.link"
        meta = Metablock(signed=link)
        meta.create_signature(signer)
        write_json(os.path.join(args.out, "classic", file_name), meta.to_dict())
        if args.classic_only:
            continue
        env = Envelope.from_signable(link)
        env.create_signature(signer)
        write_json(os.path.join(args.out, "dsse", file_name), env.to_dict())
        bundle.append(json.dumps(env.to_dict(), separators=(",", ":"), sort_keys=True))
    for variant, meta in (("classic", Metablock(signed=lay)), ("dsse", Envelope.from_signable(lay))):
        if args.classic_only and variant != "classic":
            continue
        meta.create_signature(OWNER)
        write_json(os.path.join(args.out, variant, "root.layout"), meta.to_dict())
        with open(os.path.join(args.out, variant, "owner.pub"), "w") as f:
            f.write(pem(OWNER_PRIVATE))
    if args.classic_only:
        return
    with open(os.path.join(args.out, "native", "chain.intoto.jsonl"), "w") as f:
        f.write("\n".join(bundle) + "\n")
    with open(os.path.join(args.out, "native", "policy.cairn"), "w") as f:
        f.write(POLICY)
    for step, private in FUNCTIONARY_PRIVATE.items():
        with open(os.path.join(args.out, "native", "keys", f"{step}.pub"), "w") as f:
            f.write(pem(private))


if __name__ == "__main__":
    main()
