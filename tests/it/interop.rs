//! Classic in-toto interop: every case is a file.
//!
//! - `tests/fixtures/in-toto-python/*/root.layout`: real in-toto 3.1.0
//!   layouts (metablock or DSSE) -> IR JSON and `.cairn` text snapshots, and
//!   a round trip classic -> IR -> classic.
//! - `tests/cases/interop/ok/*.json`: the same for hand-made layouts that
//!   exercise rarer features (legacy keyids, ecdsa/rsa keys, prefixes).
//! - `tests/cases/interop/err/*.json`: malformed layouts -> rendered diagnostics.

use std::path::Path;

use base64::Engine as _;
use cairn_base::source::SourceFile;
use cairn_interop::{classic, source};
use serde_json::Value;

/// The `signed` object of a layout file and the text it was read from (the
/// decoded payload for a DSSE envelope).
fn load(path: &Path) -> (Value, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    if let Some(payload) = doc.get("payload").and_then(Value::as_str) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .unwrap();
        let payload = String::from_utf8(bytes).unwrap();
        (serde_json::from_str(&payload).unwrap(), payload)
    } else if let Some(signed) = doc.get("signed") {
        (signed.clone(), text)
    } else {
        (doc, text)
    }
}

/// Drops a trailing `["ALLOW", "*"]` (any case) from every rule list: in a
/// classic layout it says what the implicit final rule says.
fn without_final_allow(layout: &Value) -> Value {
    let mut layout = layout.clone();
    for list in ["steps", "inspect"] {
        let Some(items) = layout.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for item in items {
            for key in ["expected_materials", "expected_products"] {
                if let Some(rules) = item.get_mut(key).and_then(Value::as_array_mut) {
                    let last_is_allow_all = rules.last().is_some_and(|r| {
                        r.get(0)
                            .and_then(Value::as_str)
                            .map(str::to_lowercase)
                            .as_deref()
                            == Some("allow")
                            && r.get(1).and_then(Value::as_str) == Some("*")
                    });
                    if last_is_allow_all {
                        rules.pop();
                    }
                }
            }
        }
    }
    layout
}

/// Upper-cases rule keywords, which python reads case-insensitively, and
/// drops empty `IN` prefixes, which python ignores.
fn keywords_upper(layout: &Value) -> Value {
    let mut layout = layout.clone();
    for list in ["steps", "inspect"] {
        let Some(items) = layout.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for item in items {
            for key in ["expected_materials", "expected_products"] {
                let Some(rules) = item.get_mut(key).and_then(Value::as_array_mut) else {
                    continue;
                };
                for rule in rules {
                    let Some(tokens) = rule.as_array_mut() else {
                        continue;
                    };
                    let second = tokens.get(2).and_then(Value::as_str).unwrap_or("");
                    let keywords: &[usize] = match tokens.len() {
                        2 => &[0],
                        6 => &[0, 2, 3, 4],
                        8 if second.eq_ignore_ascii_case("in") => &[0, 2, 4, 5, 6],
                        8 => &[0, 2, 3, 4, 6],
                        10 => &[0, 2, 4, 5, 6, 8],
                        _ => &[],
                    };
                    for &i in keywords {
                        let upper = tokens[i].as_str().unwrap().to_uppercase();
                        tokens[i] = Value::String(upper);
                    }
                    // An empty `IN` prefix means no prefix.
                    while let Some(i) = (2..tokens.len())
                        .find(|&i| tokens[i] == "IN" && tokens.get(i + 1) == Some(&Value::from("")))
                    {
                        tokens.drain(i..i + 2);
                    }
                }
            }
        }
    }
    layout
}

/// Imports, snapshots the IR and the `.cairn` text, and checks the round trip.
fn import_case(name: &str, path: &Path) {
    let layout = round_trip(name, path);
    insta::assert_json_snapshot!(format!("ir-{name}"), layout);
    insta::assert_snapshot!(format!("cairn-{name}"), source::to_cairn(&layout).unwrap());
}

/// Imports a layout and checks that the export gives back the same classic
/// layout (up to implicit rules, keyword case, empty prefixes and an empty
/// readme), and that the export imports to the same IR.
fn round_trip(name: &str, path: &Path) -> cairn_lang::ir::Layout {
    let (signed, text) = load(path);
    let layout = match classic::layout_to_ir(&signed, &text, "root") {
        Ok(layout) => layout,
        Err(errors) => {
            let file = SourceFile::new(name, text);
            let rendered: Vec<String> = errors
                .into_iter()
                .map(|e| cairn_base::diag::render(cairn_interop::report(e, &file).as_ref(), false))
                .collect();
            panic!("{name} did not import:\n{}", rendered.join("\n"));
        }
    };
    let exported = classic::ir_to_layout_json(&layout).unwrap();
    let mut original = signed.clone();
    if original.get("readme").is_none() {
        original["readme"] = Value::String(String::new());
    }
    assert_eq!(
        without_final_allow(&keywords_upper(&exported)),
        without_final_allow(&keywords_upper(&original)),
        "{name}: export differs from the original"
    );
    // And the export imports to the same IR, up to spans.
    let text = serde_json::to_string_pretty(&exported).unwrap();
    let again = classic::layout_to_ir(&exported, &text, "root").unwrap();
    assert_eq!(
        strip_spans(&again),
        strip_spans(&layout),
        "{name}: re-import differs"
    );
    layout
}

/// The IR as JSON without any `span` member.
fn strip_spans(layout: &cairn_lang::ir::Layout) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(layout).unwrap();
    strip(&mut v);
    v
}

#[test]
fn python_fixtures_import_and_round_trip() {
    insta::glob!("../fixtures/in-toto-python", "*/root.layout", |path| {
        let case = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        import_case(case, path);
    });
}

/// Layouts of the differential generator (`scripts/differential/gen.py`,
/// seed 1): every rule shape in-toto accepts, in metablocks and DSSE.
#[test]
fn generated_layouts_round_trip() {
    let mut count = 0;
    insta::glob!("../fixtures/differential", "*.layout", |path| {
        let name = path.file_stem().unwrap().to_str().unwrap();
        let layout = round_trip(name, path);
        assert!(!source::to_cairn(&layout).unwrap().is_empty());
        count += 1;
    });
    assert_eq!(count, 40);
}

#[test]
fn ok_cases_import_and_round_trip() {
    insta::glob!("../cases/interop/ok", "*.json", |path| {
        let name = path.file_stem().unwrap().to_str().unwrap();
        import_case(name, path);
    });
}

#[test]
fn err_cases_render_every_error() {
    insta::glob!("../cases/interop/err", "*.json", |path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (signed, text) = load(path);
        let errors = classic::layout_to_ir(&signed, &text, "root")
            .expect_err("an err case imported without error");
        let file = SourceFile::new(name, text);
        let rendered: Vec<String> = errors
            .into_iter()
            .map(|e| cairn_base::diag::render(cairn_interop::report(e, &file).as_ref(), false))
            .collect();
        insta::assert_snapshot!(rendered.join("\n"));
    });
}
