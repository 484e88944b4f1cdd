#!/usr/bin/env python3
"""Writes the classic in-toto verification cases under tests/cases/classic/
with in-toto's own Python API (in-toto 3.1.0), and records the verdict of
in-toto 3.1.0's verifier (`verifylib.in_toto_verify`, what `in-toto-verify`
calls) for each.

    .venv/bin/python scripts/gen-classic-cases.py [OUT]

Each case is a folder with root.layout, the layout keys (owner*.pub), the
links (and sublayout link folders), any files an inspection looks at, and
expected.json: {"verdict", "exit_code", "reason", "layout_keys", "params",
"run_inspections"}, plus "cairn_exit_code" where cairn differs on purpose
(docs/in-toto-compat.md). The cases are deterministic (seeded keys, fixed dates),
so running the script again rewrites the same bytes; only ECDSA/RSA would
not be, and they are not used.
"""

import hashlib
import logging
import json
import os
import shutil
import sys
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from in_toto.models.layout import Inspection, Layout, Step
from in_toto.models.link import Link
from in_toto.models.metadata import Envelope, Metablock, Metadata
from in_toto.verifylib import in_toto_verify
from securesystemslib.signer import CryptoSigner

FUTURE = "2099-01-01T00:00:00Z"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def private(seed):
    raw = hashlib.sha256(f"cairn-classic-case-{seed}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def signer(seed):
    return CryptoSigner(private(seed))


def pem(seed):
    return private(seed).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


OWNER, OTHER = signer("owner"), signer("other-owner")
ALICE, BOB, CAROL, DAVE = (signer(n) for n in ("alice", "bob", "carol", "dave"))
INTRUDER = signer("intruder")


def kid(s):
    return s.public_key.keyid


def key_dict(s):
    d = s.public_key.to_dict()
    d["keyid"] = kid(s)
    return d


def sha(text):
    return {"sha256": hashlib.sha256(text.encode()).hexdigest()}


FOO_TGZ = "the foo release tarball\n"
SRC = {"foo.c": sha("int main(void) { return 0; }\n"), "foo.h": sha("int f(void);\n")}
BIN = {"foo": sha("ELF...\n")}
TGZ = {"foo.tar.gz": sha(FOO_TGZ)}


def signed(obj, by, dsse=False):
    meta = Envelope.from_signable(obj) if dsse else Metablock(signed=obj)
    for s in by if isinstance(by, list) else [by]:
        meta.create_signature(s)
    return meta.to_dict()


def link(name, materials, products, command=None):
    return Link(name=name, materials=materials, products=products,
                command=command or ["make", name], byproducts={}, environment={})


def steps3(build_by=None, build_threshold=1, package_rules=None):
    build_by = build_by or [BOB]
    return [
        Step(name="checkout", pubkeys=[kid(ALICE)], threshold=1, expected_command=[],
             expected_materials=[["DISALLOW", "*"]],
             expected_products=[["CREATE", "foo.*"], ["DISALLOW", "*"]]),
        Step(name="build", pubkeys=[kid(s) for s in build_by], threshold=build_threshold,
             expected_command=["make", "build"],
             expected_materials=[["MATCH", "*", "WITH", "PRODUCTS", "FROM", "checkout"],
                                 ["DISALLOW", "*"]],
             expected_products=[["CREATE", "foo"], ["DISALLOW", "*"]]),
        Step(name="package", pubkeys=[kid(CAROL)], threshold=1,
             expected_command=["make", "package"],
             expected_materials=[["MATCH", "foo", "WITH", "PRODUCTS", "FROM", "build"],
                                 ["DISALLOW", "*"]],
             expected_products=package_rules or [["CREATE", "foo.tar.gz"], ["DISALLOW", "*"]]),
    ]


def layout(steps, keys, inspect=None, readme=""):
    return Layout(steps=steps, inspect=inspect or [], keys={kid(k): key_dict(k) for k in keys},
                  expires=FUTURE, readme=readme)


def links3(dsse=(False, False, False), package_products=None):
    return {
        f"checkout.{kid(ALICE)[:8]}.link": signed(link("checkout", {}, SRC), ALICE, dsse[0]),
        f"build.{kid(BOB)[:8]}.link": signed(link("build", SRC, BIN), BOB, dsse[1]),
        f"package.{kid(CAROL)[:8]}.link": signed(
            link("package", BIN, package_products or TGZ), CAROL, dsse[2]),
    }


def write(out, name, root, files, params=None, inspections=False, layout_keys=None,
          cairn_exit_code=None):
    folder = os.path.join(out, name)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    put(folder, "root.layout", root)
    for path, data in files.items():
        put(folder, path, data)
    keys = layout_keys or [("owner.pub", OWNER)]
    for file, s in keys:
        with open(os.path.join(folder, file), "w") as f:
            f.write(pem(SEEDS[id(s)]))
    expected = verdict(folder, [s for _, s in keys], params, inspections)
    expected.update({"layout_keys": [f for f, _ in keys], "params": params or {},
                     "run_inspections": inspections})
    if cairn_exit_code is not None:
        # A deliberate difference (docs/in-toto-compat.md): cairn's exit code.
        expected["cairn_exit_code"] = cairn_exit_code
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{name}: {expected['verdict']} {expected['reason']}")


def put(folder, path, data):
    full = os.path.join(folder, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        if isinstance(data, str):
            f.write(data)
        else:
            json.dump(data, f, indent=1, sort_keys=True)


def verdict(folder, keys, params, inspections):
    """in-toto 3.1.0's verdict, run in a scratch copy (inspections write there)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "case")
        shutil.copytree(folder, work)
        here = os.getcwd()
        os.chdir(work)
        try:
            meta = Metadata.load("root.layout")
            in_toto_verify(meta, {kid(s): key_dict(s) for s in keys}, ".",
                           substitution_parameters=params)
            return {"verdict": "PASS", "exit_code": 0, "reason": ""}
        except Exception as e:  # noqa: BLE001 - every failure is a FAIL verdict
            return {"verdict": "FAIL", "exit_code": 1, "reason": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
        finally:
            os.chdir(here)


SEEDS = {id(OWNER): "owner", id(OTHER): "other-owner", id(ALICE): "alice", id(BOB): "bob",
         id(CAROL): "carol", id(DAVE): "dave", id(INTRUDER): "intruder"}


def sublayout_case(out, name, tamper=False, inner_signer=None):
    """build is performed by a sublayout that BOB signs (steps compile and
    link, both by DAVE), its links in build.<bob8>/."""
    sub = layout([
        Step(name="compile", pubkeys=[kid(DAVE)], threshold=1, expected_command=[],
             expected_materials=[["ALLOW", "foo.*"], ["DISALLOW", "*"]],
             expected_products=[["CREATE", "foo.o"], ["ALLOW", "foo.*"], ["DISALLOW", "*"]]),
        Step(name="link", pubkeys=[kid(DAVE)], threshold=1, expected_command=[],
             expected_materials=[["MATCH", "foo.o", "WITH", "PRODUCTS", "FROM", "compile"],
                                 ["DISALLOW", "*"]],
             expected_products=[["CREATE", "foo"], ["DISALLOW", "*"]]),
    ], [DAVE], readme="the build, delegated")
    objs = dict(SRC)
    objs["foo.o"] = sha("object\n")
    final = {"foo": sha("evil\n")} if tamper else BIN
    files = links3()
    files.pop(f"build.{kid(BOB)[:8]}.link")
    files[f"build.{kid(BOB)[:8]}.link"] = signed(sub, BOB)
    d = kid(DAVE)[:8]
    files[f"build.{kid(BOB)[:8]}/compile.{d}.link"] = signed(link("compile", SRC, objs), inner_signer or DAVE)
    files[f"build.{kid(BOB)[:8]}/link.{d}.link"] = signed(link("link", {"foo.o": objs["foo.o"]}, final), DAVE, True)
    write(out, name, signed(layout(steps3(), [ALICE, BOB, CAROL]), OWNER), files)


def nested_case(out, name, levels, cairn_exit_code=None):
    """build is a sublayout (signed by BOB) whose one step build is again a
    sublayout, `levels` deep; the innermost build link is DAVE's."""
    files = links3()
    files.pop(f"build.{kid(BOB)[:8]}.link")
    folder = ""
    for level in range(levels):
        inner = DAVE if level == levels - 1 else BOB
        sub = layout([Step(name="build", pubkeys=[kid(inner)], threshold=1, expected_command=[],
                           expected_materials=[], expected_products=[])], [inner],
                     readme=f"level {level + 1}")
        files[f"{folder}build.{kid(BOB)[:8]}.link"] = signed(sub, BOB)
        folder += f"build.{kid(BOB)[:8]}/"
    files[f"{folder}build.{kid(DAVE)[:8]}.link"] = signed(link("build", SRC, BIN), DAVE)
    write(out, name, signed(layout(steps3(), [ALICE, BOB, CAROL]), OWNER), files,
          cairn_exit_code=cairn_exit_code)


def main():
    logging.disable(logging.CRITICAL)
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests/cases/classic")
    os.makedirs(out, exist_ok=True)
    keys = [ALICE, BOB, CAROL]
    root = layout(steps3(), keys)

    write(out, "pass-metablock", signed(root, OWNER), links3())
    write(out, "pass-mixed-dsse-links", signed(root, OWNER), links3(dsse=(True, False, True)))
    write(out, "pass-dsse-layout", signed(root, OWNER, dsse=True), links3(dsse=(False, True, False)))
    write(out, "pass-two-layout-keys", signed(root, [OWNER, OTHER]), links3(),
          layout_keys=[("owner.pub", OWNER), ("other.pub", OTHER)])
    write(out, "fail-one-layout-key-missing", signed(root, OWNER), links3(),
          layout_keys=[("owner.pub", OWNER), ("other.pub", OTHER)])
    write(out, "fail-wrong-layout-key", signed(root, OTHER), links3())

    # Tampered after signing, then re-signed by someone the layout does not trust.
    files = links3(package_products={"foo.tar.gz": sha("backdoored\n")})
    files[f"package.{kid(CAROL)[:8]}.link"] = signed(
        link("package", BIN, {"foo.tar.gz": sha("backdoored\n")}), INTRUDER)
    write(out, "fail-link-tampered-and-resigned", signed(root, OWNER), files)
    evil = layout(steps3(package_rules=[["ALLOW", "*"]]), keys)
    write(out, "fail-layout-tampered-and-resigned", signed(evil, INTRUDER), links3())
    write(out, "fail-product-not-allowed", signed(root, OWNER),
          links3(package_products={"foo.tar.gz": sha(FOO_TGZ), "extra": sha("x\n")}))

    # Thresholds.
    two = layout(steps3(build_by=[BOB, DAVE], build_threshold=2), [ALICE, BOB, CAROL, DAVE])
    files = links3()
    files[f"build.{kid(DAVE)[:8]}.link"] = signed(link("build", SRC, BIN), DAVE, True)
    write(out, "pass-threshold-two", signed(two, OWNER), files)
    write(out, "fail-threshold-two-one-link", signed(two, OWNER), links3())

    # Parameters (in-toto's API only; cairn's --param).
    par = layout(steps3(package_rules=[["CREATE", "{name}.tar.gz"], ["DISALLOW", "*"]]), keys)
    write(out, "pass-params", signed(par, OWNER), links3(), params={"name": "foo"})
    write(out, "fail-params-wrong-value", signed(par, OWNER), links3(), params={"name": "bar"})

    # Inspections, run only when asked: the tarball on disk must be the one
    # the package step produced.
    untar = Inspection(name="untar", run=["sh", "-c", "test -f foo.tar.gz"],
                       expected_materials=[["MATCH", "foo.tar.gz", "WITH", "PRODUCTS", "FROM",
                                            "package"], ["DISALLOW", "foo.tar.gz"], ["ALLOW", "*"]],
                       expected_products=[["ALLOW", "*"]])
    insp = layout(steps3(), keys, inspect=[untar])
    files = links3()
    files["foo.tar.gz"] = FOO_TGZ
    write(out, "pass-inspection", signed(insp, OWNER), files, inspections=True)
    files = links3()
    files["foo.tar.gz"] = "a different tarball\n"
    write(out, "fail-inspection-rule", signed(insp, OWNER), files, inspections=True)
    files = links3()
    write(out, "fail-inspection-exit-code", signed(insp, OWNER), files, inspections=True)

    # Link file names: in-toto reads only `<step>.<keyid8>.link` for each
    # step and functionary key. A stray unsigned link and other files beside
    # the links are ignored; a valid link under another name does not count.
    files = links3()
    files["canonical-test.link"] = signed(link("canonical-test", {}, {}), [])
    files["notes.txt"] = "not a link\n"
    files[f"build.{kid(DAVE)[:8]}.link"] = signed(link("build", SRC, BIN), DAVE)
    write(out, "pass-stray-files-beside-links", signed(root, OWNER), files)
    files = links3()
    files["build.link"] = files.pop(f"build.{kid(BOB)[:8]}.link")
    write(out, "fail-link-under-another-name", signed(root, OWNER), files)
    files = links3()
    files[f"build.{kid(ALICE)[:8]}.link"] = files.pop(f"build.{kid(BOB)[:8]}.link")
    write(out, "fail-link-under-another-keyid", signed(root, OWNER), files)
    either = layout(steps3(build_by=[BOB, DAVE]), [ALICE, BOB, CAROL, DAVE])
    files = links3()
    files[f"build.{kid(BOB)[:8]}.link"] = signed(link("build", SRC, BIN), DAVE)
    write(out, "fail-link-named-for-another-functionary", signed(either, OWNER), files)

    sublayout_case(out, "pass-sublayout")
    sublayout_case(out, "fail-sublayout-tampered", tamper=True)
    sublayout_case(out, "fail-sublayout-inner-link-unsigned", inner_signer=INTRUDER)
    nested_case(out, "pass-sublayouts-nested-8-deep", 8)
    nested_case(out, "deliberate-sublayouts-nested-9-deep", 9, cairn_exit_code=2)


if __name__ == "__main__":
    main()
