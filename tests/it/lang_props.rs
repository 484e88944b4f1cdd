//! Properties of the front end: the formatter is idempotent and keeps the
//! meaning of every policy (over the corpus and over generated policies), and
//! no truncation or byte flip of a corpus file makes parsing or lowering
//! panic; limits hold on hostile input.

use std::path::{Path, PathBuf};

use cairn_base::source::Span;
use cairn_lang::lower::compile_source;
use cairn_lang::syntax::{self, ast};
use proptest::prelude::*;

/// Every policy text we have: examples and test cases.
fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("policies")];
    for stage in ["syntax", "lower"] {
        for outcome in ["ok", "err"] {
            dirs.push(root.join("tests/cases").join(stage).join(outcome));
        }
    }
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "cairn") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    assert!(out.len() > 40);
    out
}

#[test]
fn fmt_is_idempotent_and_keeps_meaning_over_the_corpus() {
    for (path, text) in corpus() {
        let Ok(parsed) = syntax::parse(&text) else {
            continue;
        };
        let once = syntax::fmt::format(&parsed, &text);
        let reparsed = syntax::parse(&once)
            .unwrap_or_else(|e| panic!("{}: formatted text does not parse: {e}", path.display()));
        assert_eq!(reparsed.layout, parsed.layout, "{}", path.display());
        let comments = |p: &ast::Parsed| {
            p.comments
                .iter()
                .map(|c| c.text.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(comments(&reparsed), comments(&parsed), "{}", path.display());
        let twice = syntax::fmt::format(&reparsed, &once);
        assert_eq!(twice, once, "{} is not stable under fmt", path.display());
    }
}

#[test]
fn no_truncation_of_the_corpus_panics() {
    for (path, text) in corpus() {
        let base = path.parent().unwrap().to_path_buf();
        for (i, _) in text.char_indices() {
            let cut = &text[..i];
            let _ = compile_source("cut.cairn", cut, &base);
        }
    }
}

#[test]
fn hostile_nesting_and_size_are_refused() {
    let deep = format!("layout \"x\" {{ {} }}", "{".repeat(200_000));
    let codes = compile_source("deep.cairn", &deep, Path::new("."))
        .unwrap_err()
        .codes();
    assert_eq!(codes, ["E102"]);
    let path_deep = format!(
        "layout \"x\" {{ step s {{ by a attestation x/v1 {{ require $[{}] exists }} }} }}",
        "(".repeat(100_000)
    );
    let codes = compile_source("deep.cairn", &path_deep, Path::new("."))
        .unwrap_err()
        .codes();
    assert_eq!(codes, ["E102"]);
    let big = format!("layout \"x\" {{ readme \"{}\" }}", "a".repeat(1024 * 1024));
    let codes = compile_source("big.cairn", &big, Path::new("."))
        .unwrap_err()
        .codes();
    assert_eq!(codes, ["E101"]);
}

fn corpus_texts() -> Vec<String> {
    corpus().into_iter().map(|(_, t)| t).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("CAIRN_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

    #[test]
    fn no_byte_flip_of_the_corpus_panics(file in any::<prop::sample::Index>(), pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let texts = corpus_texts();
        let text = file.get(&texts);
        let mut bytes = text.clone().into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let flipped = String::from_utf8_lossy(&bytes);
        let _ = compile_source("flip.cairn", &flipped, Path::new("tests/cases/lower/ok"));
        if let Ok(parsed) = syntax::parse(&flipped) {
            let once = syntax::fmt::format(&parsed, &flipped);
            let reparsed = syntax::parse(&once).unwrap();
            prop_assert_eq!(&reparsed.layout, &parsed.layout);
            prop_assert_eq!(syntax::fmt::format(&reparsed, &once), once);
        }
    }

    #[test]
    fn generated_policies_survive_fmt(layout in layout()) {
        let parsed = ast::Parsed {
            imports: Vec::new(),
            library: false,
            layout,
            comments: Vec::new(),
        };
        let text = syntax::fmt::format(&parsed, "");
        let reparsed = syntax::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&reparsed.layout, &parsed.layout, "{}", text);
        prop_assert_eq!(syntax::fmt::format(&reparsed, &text), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("CAIRN_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

    /// Comments scattered over a generated policy survive formatting, in
    /// order, and formatting is idempotent.
    #[test]
    fn comments_survive_fmt(layout in layout(), marks in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>(), any::<bool>()), 0..8)) {
        let parsed = ast::Parsed {
            imports: Vec::new(),
            library: false,
            layout,
            comments: Vec::new(),
        };
        let plain = syntax::fmt::format(&parsed, "");
        let mut lines: Vec<String> = plain.lines().map(str::to_string).collect();
        for (n, (at, own_line, blank)) in marks.iter().enumerate() {
            let i = at.index(lines.len());
            if *own_line {
                lines.insert(i, format!("# note {n}"));
            } else {
                lines[i].push_str(&format!(" # note {n}"));
            }
            if *blank {
                lines.insert(i, String::new());
            }
        }
        let text = lines.join("\n");
        // A mark inside a multi-line string is string text, not a comment,
        // and one after a `{` on a line of its own may still parse: only
        // texts that parse are of interest.
        let Ok(with_comments) = syntax::parse(&text) else {
            return Ok(());
        };
        let once = syntax::fmt::format(&with_comments, &text);
        let reparsed = syntax::parse(&once).map_err(|e| TestCaseError::fail(format!("{e}\n{once}")))?;
        prop_assert_eq!(&reparsed.layout, &with_comments.layout);
        let texts = |p: &ast::Parsed| p.comments.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
        prop_assert_eq!(texts(&reparsed), texts(&with_comments));
        prop_assert_eq!(syntax::fmt::format(&reparsed, &once), once);
    }
}

// ---------------------------------------------------------------------------
// Generators of syntax trees (spans are irrelevant to equality)
// ---------------------------------------------------------------------------

const KEYWORDS: &[&str] = &[
    "layout",
    "expires",
    "readme",
    "key",
    "scheme",
    "param",
    "step",
    "by",
    "of",
    "command",
    "materials",
    "products",
    "in",
    "with",
    "from",
    "attestation",
    "matches",
    "exists",
    "is",
    "not",
    "empty",
    "inspection",
    "run",
    "artifact",
    "summary",
    "verifier",
    "levels",
    "true",
    "false",
    "null",
];

fn loc() -> ast::Loc {
    ast::Loc(Span::default())
}

fn ident() -> impl Strategy<Value = ast::Ident> {
    "[a-z_][a-z0-9_-]{0,8}"
        .prop_filter("keyword", |s| !KEYWORDS.contains(&s.as_str()))
        .prop_map(|name| ast::Ident { name, loc: loc() })
}

fn string() -> impl Strategy<Value = ast::Str> {
    "([a-z0-9 ./*?{}#\\[\\]!$\"\\\\\t\r\né-]){0,12}"
        .prop_map(|value| ast::Str { value, loc: loc() })
}

fn token(re: &'static str) -> impl Strategy<Value = ast::Token> {
    re.prop_map(|text| ast::Token { text, loc: loc() })
}

fn value() -> impl Strategy<Value = ast::Value> {
    prop_oneof![
        string().prop_map(ast::Value::Str),
        token("-?[0-9]{1,4}(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?").prop_map(ast::Value::Number),
        any::<bool>().prop_map(|b| ast::Value::Bool(b, loc())),
        Just(ast::Value::Null(loc())),
    ]
}

fn test_decl() -> impl Strategy<Value = ast::TestDecl> {
    prop_oneof![
        (token("==|!=|<|<=|>|>="), value())
            .prop_map(|(op, value)| ast::TestDecl::Compare { op, value }),
        prop::collection::vec(value(), 0..4).prop_map(|v| ast::TestDecl::In(ast::Clause {
            value: v,
            loc: loc()
        })),
        string().prop_map(ast::TestDecl::Matches),
        Just(ast::TestDecl::Exists(loc())),
        Just(ast::TestDecl::IsEmpty(loc())),
        Just(ast::TestDecl::IsNotEmpty(loc())),
    ]
}

fn check() -> impl Strategy<Value = ast::CheckDecl> {
    (
        prop_oneof![Just("require"), Just("warn"), Just("ensure")],
        prop::option::of(prop_oneof![Just("all"), Just("any"), Just("count")]),
        token("\\$(\\.[a-z]{1,5}|\\[\\*\\]|\\[[0-9]\\]|\\['[a-z #]{0,4}'\\])*"),
        test_decl(),
    )
        .prop_map(|(level, q, path, test)| ast::CheckDecl {
            level: ast::Ident {
                name: level.into(),
                loc: loc(),
            },
            quantifier: q.map(|q| ast::Ident {
                name: q.into(),
                loc: loc(),
            }),
            path,
            test,
            loc: loc(),
        })
}

fn rule() -> impl Strategy<Value = ast::RuleDecl> {
    (
        ident(),
        string(),
        prop::option::of(string()),
        prop::option::of((ident(), prop::option::of(string()), ident())),
    )
        .prop_map(|(verb, pattern, src_prefix, with)| ast::RuleDecl {
            verb,
            pattern,
            src_prefix,
            with: with.map(|(side, dst_prefix, from)| ast::WithClause {
                side,
                dst_prefix,
                from,
                loc: loc(),
            }),
            loc: loc(),
        })
}

fn rule_block() -> impl Strategy<Value = ast::RuleBlock> {
    (any::<bool>(), prop::collection::vec(rule(), 0..3)).prop_map(|(m, rules)| ast::RuleBlock {
        side: if m {
            ast::BlockSide::Materials
        } else {
            ast::BlockSide::Products
        },
        rules,
        loc: loc(),
    })
}

fn by() -> impl Strategy<Value = ast::By> {
    (
        prop::option::of(token("[0-9]{1,2}")),
        prop::collection::vec(ident(), 1..4),
    )
        .prop_map(|(threshold, names)| ast::By {
            threshold,
            names,
            loc: loc(),
        })
}

fn attestation() -> impl Strategy<Value = ast::AttestationDecl> {
    let item = prop_oneof![
        by().prop_map(ast::AttestationItem::By),
        rule_block().prop_map(ast::AttestationItem::Rules),
        check().prop_map(ast::AttestationItem::Check),
    ];
    (
        prop_oneof![
            token("[a-z][a-z0-9-]{0,6}/v[0-9](\\.[0-9])?").prop_map(ast::TypeRef::Alias),
            string().prop_map(ast::TypeRef::Uri),
        ],
        prop::collection::vec(item, 0..4),
    )
        .prop_map(|(predicate_type, items)| ast::AttestationDecl {
            predicate_type,
            items,
            header: loc(),
            loc: loc(),
        })
}

fn step() -> impl Strategy<Value = ast::StepDecl> {
    let item = prop_oneof![
        by().prop_map(ast::StepItem::By),
        prop::collection::vec(string(), 1..3).prop_map(|v| ast::StepItem::Command(ast::Clause {
            value: v,
            loc: loc()
        })),
        rule_block().prop_map(ast::StepItem::Rules),
        attestation().prop_map(ast::StepItem::Attestation),
    ];
    (ident(), prop::collection::vec(item, 0..4)).prop_map(|(name, items)| ast::StepDecl {
        name,
        items,
        header: loc(),
        loc: loc(),
    })
}

fn item() -> impl Strategy<Value = ast::Item> {
    prop_oneof![
        token("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z").prop_map(|t| {
            ast::Item::Expires(ast::Clause {
                value: t,
                loc: loc(),
            })
        }),
        string().prop_map(|s| ast::Item::Readme(ast::Clause {
            value: s,
            loc: loc()
        })),
        (ident(), ident(), string(), prop::option::of(string())).prop_map(
            |(name, kind, value, scheme)| ast::Item::Key(ast::KeyDecl {
                name,
                kind,
                value,
                scheme,
                loc: loc()
            })
        ),
        (ident(), prop::option::of(string())).prop_map(|(name, default)| ast::Item::Param(
            ast::ParamDecl {
                name,
                default,
                loc: loc()
            }
        )),
        step().prop_map(ast::Item::Step),
        (
            ident(),
            prop::collection::vec(
                prop_oneof![
                    prop::collection::vec(string(), 1..3).prop_map(|v| ast::InspectionItem::Run(
                        ast::Clause {
                            value: v,
                            loc: loc()
                        }
                    )),
                    rule_block().prop_map(ast::InspectionItem::Rules),
                ],
                0..3
            )
        )
            .prop_map(|(name, items)| ast::Item::Inspection(ast::InspectionDecl {
                name,
                items,
                header: loc(),
                loc: loc()
            })),
        ident().prop_map(|i| ast::Item::Artifact(ast::Clause {
            value: i,
            loc: loc()
        })),
        prop::collection::vec(
            prop_oneof![
                string().prop_map(|s| ast::SummaryItem::Verifier(ast::Clause {
                    value: s,
                    loc: loc()
                })),
                prop::collection::vec(string(), 1..3).prop_map(|v| ast::SummaryItem::Levels(
                    ast::Clause {
                        value: v,
                        loc: loc()
                    }
                )),
            ],
            0..3
        )
        .prop_map(|items| ast::Item::Summary(ast::SummaryDecl { items, loc: loc() })),
    ]
}

fn layout() -> impl Strategy<Value = ast::Layout> {
    (string(), prop::collection::vec(item(), 0..6)).prop_map(|(name, items)| ast::Layout {
        name,
        items,
        header: loc(),
        loc: loc(),
    })
}

#[test]
fn unclosed_brackets_fail_fast() {
    let start = std::time::Instant::now();
    let text = format!(
        "layout \"x\" {{ step s {{ by a attestation x/v1 {{ require $.a{} exists }} }} }}",
        "[".repeat(60)
    );
    let codes = compile_source("open.cairn", &text, Path::new("."))
        .unwrap_err()
        .codes();
    assert_eq!(codes, ["E100"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
