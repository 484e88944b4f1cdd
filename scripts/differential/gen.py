#!/usr/bin/env python3
"""Generates seeded, reproducible classic in-toto supply chains with in-toto's
own Python API (in-toto 3.1.0), and records in-toto-verify's verdict for each.

    .venv/bin/python scripts/differential/gen.py OUT [--count N] [--seed S] [--jobs J]

Each case is OUT/case-NNNN/ with root.layout, owner.pub, the links
(<step>.<keyid8>.link), case.json (what was generated and tampered) and
expected.json ({"verdict": "PASS"|"FAIL", "exit_code": ..., "reason": ...}),
the result of `in-toto-verify --layout root.layout --verification-keys
owner.pub --link-dir .` run on a copy of the folder.

The generator never produces the inputs on which cairn deliberately differs
from in-toto 3.1.0 (docs/in-toto-compat.md): patterns have no unterminated
`[`, artifact names are normalised relative paths, a link's name is its step's
name, thresholds lie in 1..=functionaries, digests are sha256 only, every link
of a step agrees with the others, every MATCH names an existing step, keys are
ed25519 with securesystemslib keyids, layouts have no inspections and at least
one step, and no string contains `{` or `}`. Some steps are performed by a
sublayout (its links in `<step>.<keyid8>/`), nested one level deep.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from in_toto.models.layout import Layout, Step
from in_toto.models.link import Link
from in_toto.models.metadata import Envelope, Metablock
from securesystemslib.signer import CryptoSigner

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2099-01-01T00:00:00Z"
WORDS = ["src", "lib", "doc", "bin", "app", "util", "core", "test", "a", "b", "x1", "Z9"]
EXTS = [".c", ".h", ".py", ".txt", ".o", ".md", ""]
FUNCTIONARIES = 6


def private_from_seed(seed):
    raw = hashlib.sha256(f"cairn-differential-{seed}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(raw)


def signer_from_seed(seed):
    return CryptoSigner(private_from_seed(seed))


OWNER = signer_from_seed("owner")
# in-toto-verify reads the layout key as a PEM SubjectPublicKeyInfo.
OWNER_PEM = private_from_seed("owner").public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
KEYS = [signer_from_seed(f"functionary-{i}") for i in range(FUNCTIONARIES)]
INTRUDER = signer_from_seed("intruder")


def keyid(signer):
    return signer.public_key.keyid


def key_dict(signer):
    d = signer.public_key.to_dict()
    d["keyid"] = keyid(signer)
    return d


def digest(rng):
    return {"sha256": "%064x" % rng.getrandbits(256)}


def artifact_name(rng):
    depth = rng.choice([1, 1, 2, 2, 3])
    parts = [rng.choice(WORDS) for _ in range(depth - 1)]
    stem = rng.choice(WORDS) + rng.choice(["", str(rng.randrange(10))])
    return "/".join(parts + [stem + rng.choice(EXTS)])


def artifacts(rng, n):
    out = {}
    while len(out) < n:
        out[artifact_name(rng)] = digest(rng)
    return out


def glob_for(rng, name):
    """A pattern that matches `name` (and usually others), built from fnmatch
    features: `*`, `?`, `[...]`, `[!...]`. Never an unterminated `[`."""
    kind = rng.randrange(6)
    if kind == 0:
        return name
    if kind == 1 and "/" in name:
        return name.rsplit("/", 1)[0] + "/*"
    if kind == 2:
        i = rng.randrange(len(name))
        return name[:i] + "?" + name[i + 1:]
    if kind == 3:
        i = rng.randrange(len(name))
        c = name[i]
        if c in "[]!-/":
            return name[:i] + "?" + name[i + 1:]
        other = rng.choice("abcxyz019")
        return name[:i] + "[" + "".join(sorted({c, other})) + "]" + name[i + 1:]
    if kind == 4:
        i = rng.randrange(len(name))
        c = name[i]
        other = rng.choice("qjkw#")
        if c in "[]!-/" or other == c:
            return name[:i] + "*"
        return name[:i] + "[!" + other + "]" + name[i + 1:]
    ext = os.path.splitext(name)[1]
    return "*" + ext if ext else "*"


def some_pattern(rng, names):
    if names and rng.random() < 0.85:
        return glob_for(rng, rng.choice(sorted(names)))
    return rng.choice(["*", "*.c", "src/*", "?", "[ab]*", "[!s]*", "nothing-here"])


def prefix_of(name):
    return name.split("/", 1)[0] if "/" in name else None


def with_prefix(prefix, name):
    return prefix.rstrip("/") + "/" + name


def match_consumes(queue, pattern, src, dst, source, dest):
    """Which queued names a MATCH consumes (python `verify_match_rule`)."""
    out = set()
    for name in queue:
        stripped = name
        if src:
            head = src.rstrip("/") + "/"
            if not name.startswith(head):
                continue
            stripped = name[len(head):]
        if not fnmatchcase(stripped, pattern):
            continue
        full_dst = with_prefix(dst, stripped) if dst else stripped
        if full_dst in dest and dest[full_dst] == source[name]:
            out.add(name)
    return out


def match_rule(rng, queue, side, target, source, dest):
    """A MATCH rule, perhaps with IN prefixes, and what it consumes."""
    pattern = some_pattern(rng, queue)
    src = dst = None
    with_prefixes = sorted(n for n in queue if prefix_of(n))
    if with_prefixes and rng.random() < 0.35:
        name = rng.choice(with_prefixes)
        src = prefix_of(name) + rng.choice(["", "/"])
        pattern = glob_for(rng, name.split("/", 1)[1])
        dst = src if rng.random() < 0.8 else rng.choice(WORDS)
    rule = ["MATCH", pattern]
    if src:
        rule += ["IN", src]
    rule += ["WITH", side]
    if dst:
        rule += ["IN", dst]
    rule += ["FROM", target]
    return rule, match_consumes(queue, pattern, src, dst, source, dest)


def rules_for(rng, mats, prods, kind, own, previous, truth_of):
    """A rule list for one side of a step: first built to pass on the
    untampered chain (tracking the queue with fnmatch), then perhaps mutated.
    All seven rule kinds occur."""
    source = mats if kind == "materials" else prods
    queue = set(source)
    created = set(prods) - set(mats)
    deleted = set(mats) - set(prods)
    modified = {n for n in set(mats) & set(prods) if mats[n] != prods[n]}
    rules = []
    if queue and rng.random() < 0.3:
        rules.append(["REQUIRE", rng.choice(sorted(queue))])
    if rng.random() < 0.8:
        if kind == "materials" and previous is not None:
            rule, used = match_rule(rng, queue, "PRODUCTS", previous, source, truth_of(previous)[1])
        else:
            rule, used = match_rule(rng, queue, "MATERIALS" if kind == "products" else "PRODUCTS",
                                    own, source, mats if kind == "products" else prods)
        rules.append(rule)
        queue -= used
    for _ in range(3):
        if kind == "products":
            todo = sorted((created | modified) & queue)
        else:
            todo = sorted(deleted & queue)
        if not todo:
            break
        name = rng.choice(todo)
        pattern = glob_for(rng, name)
        if kind == "materials":
            rules.append(["DELETE", pattern])
            queue -= {n for n in queue if fnmatchcase(n, pattern) and n in deleted}
        elif name in created:
            rules.append(["CREATE", pattern])
            queue -= {n for n in queue if fnmatchcase(n, pattern) and n in created}
        else:
            rules.append(["MODIFY", pattern])
            queue -= {n for n in queue if fnmatchcase(n, pattern) and n in modified}
    for name in sorted(queue):
        if name in queue:
            pattern = glob_for(rng, name)
            rules.append(["ALLOW", pattern])
            queue -= {n for n in queue if fnmatchcase(n, pattern)}
    r = rng.random()
    if r < 0.6:
        rules.append(["DISALLOW", "*"])
    elif r < 0.75:
        rules.append(["DISALLOW", rng.choice(["*.tmp", "nothing-here", "[!a-z]*"])])
    # Mutations: some keep the verdict, some break it.
    if rng.random() < 0.3:
        names = sorted(source) or ["none"]
        m = rng.randrange(5)
        if m == 0 and rules:
            del rules[rng.randrange(len(rules))]
        elif m == 1 and len(rules) > 1:
            i, j = rng.sample(range(len(rules)), 2)
            rules[i], rules[j] = rules[j], rules[i]
        elif m == 2:
            rules.insert(rng.randrange(len(rules) + 1), ["REQUIRE", rng.choice(names + [artifact_name(rng)])])
        elif m == 3:
            rules.insert(rng.randrange(len(rules) + 1), ["DISALLOW", some_pattern(rng, names)])
        else:
            verb = rng.choice(["CREATE", "DELETE", "MODIFY", "ALLOW"])
            rules.insert(rng.randrange(len(rules) + 1), [verb, some_pattern(rng, names)])
    # Keywords are case-insensitive in python: vary them now and then.
    if rng.random() < 0.08:
        keywords = {"MATCH", "WITH", "FROM", "IN", "MATERIALS", "PRODUCTS", "CREATE", "DELETE",
                    "MODIFY", "ALLOW", "DISALLOW", "REQUIRE"}
        rules = [[t.lower() if (i != 1 and t in keywords) else t for i, t in enumerate(rule)]
                 for rule in rules]
    return rules


def run_step(rng, materials):
    """What one step does: keep, modify, delete and create artifacts."""
    products = {}
    for name, d in materials.items():
        r = rng.random()
        if r < 0.1:
            continue
        products[name] = digest(rng) if r < 0.3 else dict(d)
    products.update(artifacts(rng, rng.randrange(0, 4)))
    return products


def generate(rng, index):
    n_steps = rng.randrange(1, 4)
    step_names = [f"{rng.choice(['fetch', 'build', 'test', 'pack', 'sign'])}-{i}" for i in range(n_steps)]
    case = {"index": index, "tamper": [], "steps": step_names}
    # What really happened.
    first_materials = artifacts(rng, rng.randrange(0, 4))
    truth = []
    materials = first_materials
    for _ in step_names:
        products = run_step(rng, materials)
        truth.append((materials, products))
        materials = dict(products)
    # Who performs each step.
    functionaries = []
    for _ in step_names:
        n = rng.randrange(1, 4)
        functionaries.append(rng.sample(range(FUNCTIONARIES), n))
    thresholds = [rng.randrange(1, len(f) + 1) for f in functionaries]

    def truth_of(step):
        return truth[step_names.index(step)]

    steps = []
    for i, name in enumerate(step_names):
        mats, prods = truth[i]
        previous = step_names[i - 1] if i > 0 else None
        steps.append(Step(
            name=name,
            pubkeys=[keyid(KEYS[k]) for k in functionaries[i]],
            threshold=thresholds[i],
            expected_command=["make", name] if rng.random() < 0.7 else [],
            expected_materials=rules_for(rng, mats, prods, "materials", name, previous, truth_of),
            expected_products=rules_for(rng, mats, prods, "products", name, previous, truth_of),
        ))
    expired = rng.random() < 0.08
    case["expired"] = expired
    layout = Layout(
        steps=steps,
        inspect=[],
        keys={keyid(KEYS[k]): key_dict(KEYS[k]) for f in functionaries for k in f},
        expires=PAST if expired else FUTURE,
        readme=f"differential case {index}",
    )

    # Tampering between steps: the next step records what it really saw.
    recorded = [(dict(m), dict(p)) for m, p in truth]
    if n_steps > 1 and rng.random() < 0.2:
        i = rng.randrange(1, n_steps)
        if recorded[i][0]:
            name = rng.choice(sorted(recorded[i][0]))
            recorded[i][0][name] = digest(rng)
            if name in recorded[i][1] and rng.random() < 0.5:
                recorded[i][1][name] = dict(recorded[i][0][name])
            case["tamper"].append(f"material {name} of {step_names[i]} changed between steps")
    if rng.random() < 0.1:
        i = rng.randrange(n_steps)
        extra = artifact_name(rng)
        recorded[i][1][extra] = digest(rng)
        case["tamper"].append(f"unexpected product {extra} in {step_names[i]}")

    # Links: `threshold` or more agreeing links per step, sometimes fewer,
    # sometimes signed by the wrong key or altered after signing.
    dsse_links = rng.random() < 0.3
    links = []
    for i, name in enumerate(step_names):
        signers = functionaries[i][:]
        count = rng.randrange(thresholds[i], len(signers) + 1)
        if rng.random() < 0.07:
            count = thresholds[i] - 1
            case["tamper"].append(f"only {count} link(s) for {name}")
        for k in signers[:count]:
            mats, prods = recorded[i]
            link = Link(name=name, materials=mats, products=prods, command=["make", name],
                        byproducts={}, environment={})
            signer = KEYS[k]
            if rng.random() < 0.03:
                signer = INTRUDER
                case["tamper"].append(f"{name} link of {keyid(KEYS[k])[:8]} signed by an intruder")
            if k == signers[0] and rng.random() < 0.12:
                # This functionary delegates: a sublayout stands for its link.
                links.extend(sublayout(rng, case, name, k, mats, prods, dsse_links))
                continue
            meta = Envelope.from_signable(link) if dsse_links else Metablock(signed=link)
            meta.create_signature(signer)
            data = meta.to_dict()
            if rng.random() < 0.03:
                # Valid JSON whose signature no longer verifies.
                if dsse_links:
                    payload = json.loads(base64.b64decode(data["payload"]))
                    payload["command"] = ["evil"]
                    data["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
                else:
                    data["signed"]["command"] = ["evil"]
                case["tamper"].append(f"{name} link of {keyid(KEYS[k])[:8]} altered after signing")
            links.append((f"{name}.{keyid(KEYS[k])[:8]}.link", data))
    dsse_layout = rng.random() < 0.3
    meta = Envelope.from_signable(layout) if dsse_layout else Metablock(signed=layout)
    meta.create_signature(OWNER)
    case["dsse"] = {"layout": dsse_layout, "links": dsse_links}
    return case, meta.to_dict(), links


def sublayout(rng, case, name, k, mats, prods, dsse):
    """A sublayout signed by functionary `k` for step `name` (in-toto.md 3.4),
    with one or two inner steps by another functionary whose links live in
    `<name>.<keyid8>/`; the summary link carries the first inner step's
    materials and the last one's products. Sometimes its inner rules refuse
    the products, an inner link is signed by an intruder, the sublayout is
    expired, or it is signed by someone else."""
    inner_key = KEYS[rng.randrange(FUNCTIONARIES)]
    two = rng.random() < 0.5
    middle = dict(mats) if two else prods
    steps = [("part-0", mats, middle)] + ([("part-1", middle, prods)] if two else [])
    folder = f"{name}.{keyid(KEYS[k])[:8]}"
    out = []
    inner_steps = []
    for inner, m, p in steps:
        products_rules = [["ALLOW", "*"]]
        if p and rng.random() < 0.1:
            products_rules = [["DISALLOW", "*"]]
            case["tamper"].append(f"sublayout of {name} refuses the products of {inner}")
        inner_steps.append(Step(name=inner, pubkeys=[keyid(inner_key)], threshold=1,
                                expected_command=[], expected_materials=[],
                                expected_products=products_rules))
        signer = inner_key
        if rng.random() < 0.08:
            signer = INTRUDER
            case["tamper"].append(f"inner link {inner} of {name} signed by an intruder")
        link = Link(name=inner, materials=m, products=p, command=["make", name],
                    byproducts={}, environment={})
        meta = Envelope.from_signable(link) if dsse else Metablock(signed=link)
        meta.create_signature(signer)
        out.append((f"{folder}/{inner}.{keyid(inner_key)[:8]}.link", meta.to_dict()))
    expired = rng.random() < 0.05
    if expired:
        case["tamper"].append(f"sublayout of {name} expired")
    sub = Layout(steps=inner_steps, inspect=[], keys={keyid(inner_key): key_dict(inner_key)},
                 expires=PAST if expired else FUTURE, readme=f"sublayout for {name}")
    signer = KEYS[k]
    if rng.random() < 0.05:
        signer = INTRUDER
        case["tamper"].append(f"sublayout of {name} signed by an intruder")
    meta = Envelope.from_signable(sub) if dsse else Metablock(signed=sub)
    meta.create_signature(signer)
    case.setdefault("sublayouts", []).append(name)
    out.append((f"{folder}.link", meta.to_dict()))
    return out


def write_case(out, index, case, layout, links):
    folder = os.path.join(out, "case-%04d" % index)
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    with open(os.path.join(folder, "root.layout"), "w") as f:
        json.dump(layout, f, indent=1, sort_keys=True)
    for name, data in links:
        os.makedirs(os.path.dirname(os.path.join(folder, name)), exist_ok=True)
        with open(os.path.join(folder, name), "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
    with open(os.path.join(folder, "owner.pub"), "w") as f:
        f.write(OWNER_PEM)
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump(case, f, indent=1, sort_keys=True)
    return folder


def reference_verdict(folder, verify):
    """Runs in-toto-verify on a copy of the folder (inspections would write there)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "case")
        shutil.copytree(folder, work)
        proc = subprocess.run(
            [verify, "--layout", "root.layout", "--verification-keys", "owner.pub", "--link-dir", "."],
            cwd=work, capture_output=True, text=True, timeout=120,
            env=dict(os.environ, PYTHONHASHSEED="0"),
        )
    lines = [l.strip() for l in proc.stderr.splitlines() if l.strip()]
    # Warnings (command differences) come first; the error is the rest.
    first = next((i for i, l in enumerate(lines) if "(in-toto-verify)" in l), len(lines))
    lines = lines[first:]
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{folder}: in-toto-verify exited {proc.returncode}: {proc.stderr}")
    expected = {
        "verdict": "PASS" if proc.returncode == 0 else "FAIL",
        "exit_code": proc.returncode,
        "reason": lines[0].split(" Full trace")[0] if lines else "",
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    return expected


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    verify = os.path.join(os.path.dirname(sys.executable), "in-toto-verify")
    if not os.path.exists(verify):
        sys.exit("in-toto-verify not found beside this python; run scripts/setup-intoto.sh and use .venv/bin/python")
    os.makedirs(args.out, exist_ok=True)
    folders = []
    for index in range(args.count):
        rng = random.Random(f"{args.seed}-{index}")
        case, layout, links = generate(rng, index)
        folders.append(write_case(args.out, index, case, layout, links))
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda f: reference_verdict(f, verify), folders))
    passed = sum(r["verdict"] == "PASS" for r in results)
    print(f"{len(results)} cases in {args.out}: {passed} PASS, {len(results) - passed} FAIL by in-toto-verify 3.1.0")


if __name__ == "__main__":
    main()
