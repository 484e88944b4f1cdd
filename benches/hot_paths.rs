//! Benchmarks of verification's hot paths: the JSON roads (hand-written and
//! through serde_json), canonical JSON, reading links,
//! artifact rules (rules x artifacts), pattern matching, and compiling a
//! 10,000-line policy. Run with `cargo bench --bench hot_paths`; the
//! end-to-end comparison with in-toto is `scripts/bench/compare.sh`.

#![expect(clippy::unwrap_used, reason = "benchmark set-up")]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use cairn_evidence::{canonical, Limits, SigningKey};
use cairn_json as json;
use cairn_lang::pattern::Pattern;

/// A classic link's `signed` object with `n` materials and `n` products, as
/// in-toto writes it (keys sorted, indented).
fn link_json(n: usize) -> String {
    let side = |prefix: &str, salt: u8| {
        let mut out = String::from("{");
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            let digest = format!("{:02x}", (i as u8) ^ salt).repeat(32);
            let _ = write!(
                out,
                "\n  \"{prefix}/d{:03}/f{i:06}.c\": {{\n   \"sha256\": \"{digest}\"\n  }}",
                i / 1000
            );
        }
        out.push('}');
        out
    };
    let materials = side("src", 0);
    let products = side("build", 0x5a);
    format!(
        "{{\n \"_type\": \"link\",\n \"byproducts\": {{}},\n \"command\": [\"make\", \"build\"],\n \
         \"environment\": {{}},\n \"materials\": {materials},\n \"name\": \"build\",\n \
         \"products\": {products}\n}}"
    )
}

/// A temporary folder holding one signed metablock link of `n` artifacts per
/// side, and the key that signed it.
fn signed_link(n: usize) -> (PathBuf, SigningKey) {
    let key = SigningKey::generate_ed25519();
    let signed = json::parse(link_json(n).as_bytes(), 128).unwrap();
    let message = canonical::to_canonical(&signed).unwrap();
    let sig = hex::encode(key.sign(&message));
    let doc = serde_json::json!({
        "signed": signed,
        "signatures": [{"keyid": key.keyid(), "sig": sig}],
    });
    let dir = std::env::temp_dir().join(format!("cairn-bench-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("build.{}.link", key.keyid().get(..8).unwrap()));
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    (path, key)
}

/// An in-toto Statement whose predicate lists `n` components (about 200
/// bytes each: 100,000 make 20 MB), as an SBOM attestation carries them.
fn statement_json(n: usize) -> String {
    let mut components = String::new();
    for i in 0..n {
        if i > 0 {
            components.push(',');
        }
        let _ = write!(
            components,
            "\n    {{\"bom-ref\": \"pkg:cargo/crate-{i}@1.{}.{}\", \"name\": \"crate-{i}\",              \"version\": \"1.{}.{}\", \"description\": \"A \\\"crate\\\" no. {i} \\u00e9\",              \"hashes\": [{{\"alg\": \"SHA-256\", \"content\": \"{:064x}\"}}], \"size\": {}}}",
            i % 7,
            i % 11,
            i % 7,
            i % 11,
            i * 7919,
            i * 31,
        );
    }
    format!(
        "{{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": [{{\"name\": \"app\",          \"digest\": {{\"sha256\": \"{:064x}\"}}}}], \"predicateType\":          \"https://cyclonedx.org/bom\", \"predicate\": {{\"bomFormat\": \"CycloneDX\",          \"components\": [{components}\n  ]}}}}",
        7
    )
}

/// The ordinary road (the hand-written reader) against the same reading
/// through serde_json's `Deserializer` with a seed that refuses repeated
/// keys (`json_serde`), plain `serde_json::from_slice` (which does not) for
/// scale, and the borrowing fast road: one 20 MB Statement, a link of
/// 10,000 artifacts per side, and 10,000 small links read one by one.
/// docs/ARCHITECTURE.md quotes the numbers.
fn json_roads(c: &mut Criterion) {
    use cairn_json::serde_road as json_serde;
    let mut group = c.benchmark_group("json_roads");
    group.sample_size(10);
    let small = link_json(4);
    let many: Vec<String> = (0..10_000).map(|_| small.clone()).collect();
    let inputs = [
        ("statement_20mb", vec![statement_json(100_000)]),
        ("link_10000", vec![link_json(10_000)]),
        ("small_links_10000", many),
    ];
    for (name, texts) in &inputs {
        let total: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_with_input(BenchmarkId::new("hand", name), texts, |b, texts| {
            b.iter(|| {
                for t in texts {
                    json::parse(t.as_bytes(), 128).unwrap();
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("serde_seed", name), texts, |b, texts| {
            b.iter(|| {
                for t in texts {
                    json_serde::parse(t.as_bytes(), 128).unwrap();
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("serde_plain", name), texts, |b, texts| {
            b.iter(|| {
                for t in texts {
                    serde_json::from_slice::<serde_json::Value>(t.as_bytes()).unwrap();
                }
            })
        });
        group.bench_with_input(
            BenchmarkId::new("hand_borrowed", name),
            texts,
            |b, texts| {
                b.iter(|| {
                    for t in texts {
                        json::parse_borrowed(t.as_bytes(), 128).unwrap();
                    }
                })
            },
        );
    }
    group.finish();
}

fn canonical_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("canonical_json");
    for n in [1_000, 10_000] {
        let text = link_json(n);
        let value = json::parse(text.as_bytes(), 128).unwrap();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::new("parse", n), &text, |b, text| {
            b.iter(|| json::parse(text.as_bytes(), 128).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("write", n), &value, |b, value| {
            b.iter(|| canonical::to_canonical(value).unwrap())
        });
    }
    group.finish();
}

fn parse_links(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_link");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (path, key) = signed_link(n);
        let trusted =
            cairn_evidence::TrustedKey::new(key.public(), cairn_evidence::Scheme::Ed25519, "k");
        let bytes = std::fs::metadata(&path).unwrap().len();
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::new("load_and_verify", n), &path, |b, path| {
            b.iter(|| {
                let loaded = cairn_evidence::load(std::slice::from_ref(path), &Limits::default());
                assert!(loaded.problems.is_empty());
                let (verified, rejected) =
                    cairn_evidence::verify(loaded.items, std::slice::from_ref(&trusted));
                assert!(rejected.is_empty());
                verified
            })
        });
    }
    group.finish();
}

/// A policy with one step whose rules are `rules` patterns, evaluated
/// against a link of `n` artifacts per side.
fn rules_policy(dir: &Path, key: &SigningKey, rules: usize) -> String {
    std::fs::write(dir.join("build.pub"), key.public_pem().unwrap()).unwrap();
    let mut materials = String::new();
    for i in 0..rules {
        let _ = writeln!(materials, "      allow \"src/d{i:03}/*\"");
    }
    format!(
        "layout \"bench\" {{\n  expires 2099-01-01T00:00:00Z\n  key k = file \"build.pub\"\n  \
         step build {{\n    by k\n    command \"make\" \"build\"\n    materials {{\n{materials}      \
         allow \"src/*\"\n      disallow \"*\"\n    }}\n    products {{\n      create \"build/*.c\"\n      \
         disallow \"*\"\n    }}\n  }}\n}}\n"
    )
}

fn artifact_rules(c: &mut Criterion) {
    let mut group = c.benchmark_group("artifact_rules");
    group.sample_size(10);
    for n in [1_000, 10_000] {
        let (path, key) = signed_link(n);
        let dir = path.parent().unwrap().to_path_buf();
        let loaded = cairn_evidence::load(std::slice::from_ref(&path), &Limits::default());
        for rules in [1, 10, 100] {
            let text = rules_policy(&dir, &key, rules);
            let layout = cairn_lang::lower::compile_source("bench.cairn", &text, &dir)
                .map_err(|e| e.codes())
                .unwrap();
            let layout = cairn_eval::instantiate(&layout, &Default::default()).unwrap();
            let trusted =
                cairn_evidence::TrustedKey::new(key.public(), cairn_evidence::Scheme::Ed25519, "k");
            let (verified, _) = cairn_evidence::verify(loaded.items.clone(), &[trusted]);
            let id = BenchmarkId::new(format!("{rules}_rules"), n);
            group.throughput(Throughput::Elements(2 * n as u64));
            group.bench_function(id, |b| {
                b.iter(|| {
                    let verdict = cairn_eval::evaluate(&cairn_eval::Input {
                        layout: &layout,
                        attestations: &verified,
                        now: 0,
                        artifact: None,
                        inspections: cairn_eval::Inspections::NotRun,
                    });
                    assert!(verdict.passed());
                    verdict
                })
            });
        }
    }
    group.finish();
}

fn pattern_matching(c: &mut Criterion) {
    let names: Vec<String> = (0..10_000)
        .map(|i| format!("src/d{:03}/f{i:06}.c", i / 1000))
        .collect();
    let mut group = c.benchmark_group("pattern");
    group.throughput(Throughput::Elements(names.len() as u64));
    for pattern in [
        "*.o",
        "*",
        "src/*.c",
        "src/d009/f009999.c",
        "src/d00[0-4]/f*[!h]",
    ] {
        let compiled = Pattern::new(pattern).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(pattern), &names, |b, names| {
            b.iter(|| names.iter().filter(|n| compiled.matches(n)).count())
        });
    }
    group.finish();
}

/// A policy of about `lines` lines: steps with rules, each keyed inline.
fn big_policy(lines: usize) -> String {
    let key = SigningKey::generate_ed25519();
    let pem = key.public_pem().unwrap();
    let mut text = String::from("layout \"big\" {\n  expires 2099-01-01T00:00:00Z\n");
    let _ = writeln!(text, "  key k = pem \"{}\"", pem.trim_end());
    let mut step = 0;
    while text.lines().count() < lines {
        let _ = write!(
            text,
            "  step s{step} {{\n    by k\n    command \"make\" \"s{step}\"\n    materials {{\n"
        );
        if step > 0 {
            let _ = writeln!(
                text,
                "      match \"out/{step}/*\" with products from s{}",
                step - 1
            );
        }
        for r in 0..10 {
            let _ = writeln!(text, "      allow \"src/{step}/{r}/*.c\"");
        }
        let _ = write!(
            text,
            "      disallow \"*\"\n    }}\n    products {{\n      create \"out/{step}/*\"\n      \
             disallow \"*\"\n    }}\n  }}\n"
        );
        step += 1;
    }
    text.push_str("}\n");
    text
}

fn compile_policy(c: &mut Criterion) {
    let text = big_policy(10_000);
    let dir = std::env::temp_dir();
    cairn_lang::lower::compile_source("big.cairn", &text, &dir)
        .map_err(|e| e.codes())
        .unwrap();
    let mut group = c.benchmark_group("compile");
    group.sample_size(20);
    group.throughput(Throughput::Elements(text.lines().count() as u64));
    group.bench_function("policy_10000_lines", |b| {
        b.iter(|| {
            cairn_lang::lower::compile_source("big.cairn", &text, &dir).map_err(|e| e.codes())
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    json_roads,
    canonical_json,
    parse_links,
    artifact_rules,
    pattern_matching,
    compile_policy
);
criterion_main!(benches);
