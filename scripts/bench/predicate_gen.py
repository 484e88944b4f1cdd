"""Writes a CycloneDX BOM of N components with random licenses (our own
generator, seeded by N) to stdout, as one compact JSON object."""
import json
import random
import sys

n = int(sys.argv[1])
rng = random.Random(n)
licenses = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "BSD-2-Clause", "MPL-2.0"]
components = []
for i in range(n):
    name = f"pkg-{i:06d}"
    version = f"{rng.randrange(10)}.{rng.randrange(30)}.{rng.randrange(100)}"
    purl = f"pkg:npm/{name}@{version}"
    components.append({
        "type": "library",
        "bom-ref": purl,
        "name": name,
        "version": version,
        "purl": purl,
        "licenses": [{"license": {"id": rng.choice(licenses)}}],
    })
bom = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "metadata": {
        "timestamp": "2026-12-01T00:00:00Z",
        "component": {"type": "application", "name": "app", "version": "1.0.0"},
    },
    "components": components,
}
json.dump(bom, sys.stdout, separators=(",", ":"))
