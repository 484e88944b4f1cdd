//! `cairn sign --layout`: sign a classic in-toto layout as a metablock, the
//! way in-toto's `Metablock.create_signature` does: the signature covers
//! securesystemslib canonical JSON of the `signed` value, hex-encoded, with
//! the key's keyid. Accepts a bare layout (what `cairn compile --target
//! in-toto` prints) or a metablock, whose other signatures are kept.

use std::path::Path;

use serde_json::{json, Map, Value};

use cairn_evidence::canonical::to_canonical;
use cairn_evidence::load::read_bounded;
use cairn_evidence::SigningKey;
use cairn_json as strict;

/// The errors of `cairn sign --layout`.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LayoutSignError {
    /// Not JSON.
    #[error("`{path}` is not JSON: {reason}")]
    #[diagnostic(
        code(E460),
        help("give the layout JSON that `cairn compile --target in-toto` prints")
    )]
    Json {
        /// The file.
        path: String,
        /// Where and why.
        reason: String,
    },
    /// JSON that is neither a layout nor a metablock holding one.
    #[error("`{path}` holds no classic layout")]
    #[diagnostic(
        code(E461),
        help("give an object with `_type: layout`, or a `{{signed, signatures}}` metablock whose `signed` is one")
    )]
    NotALayout {
        /// The file.
        path: String,
    },
    /// A value without canonical form (a float).
    #[error(
        "`{path}` cannot be signed: the number `{number}` at `{at}` has no canonical JSON form"
    )]
    #[diagnostic(code(E462), help("classic in-toto metadata allows integers only"))]
    Canonical {
        /// The file.
        path: String,
        /// The number.
        number: String,
        /// Its field path.
        at: String,
    },
}

/// Reads `path` and returns the signed metablock as pretty JSON text.
pub fn sign(
    path: &Path,
    key: &SigningKey,
) -> Result<String, Box<dyn miette::Diagnostic + Send + Sync>> {
    let limits = super::limits();
    let bytes = read_bounded(path, limits.max_file_bytes)?;
    let shown = path.display().to_string();
    let value = strict::parse(&bytes, limits.max_depth).map_err(|e| {
        let (line, col) = strict::line_col(&bytes, e.offset);
        LayoutSignError::Json {
            path: shown.clone(),
            reason: format!(
                "{} at {line}:{col} (`{}`)",
                e.kind,
                cairn_base::escape::escape_controls(&e.path)
            ),
        }
    })?;
    let (signed, mut signatures) = split(value).ok_or_else(|| LayoutSignError::NotALayout {
        path: shown.clone(),
    })?;
    let canonical = to_canonical(&signed).map_err(|e| LayoutSignError::Canonical {
        path: shown.clone(),
        number: e.number,
        at: e.path,
    })?;
    let keyid = key.keyid();
    signatures.retain(|s| s.get("keyid").and_then(Value::as_str) != Some(keyid.as_str()));
    signatures.push(json!({ "keyid": keyid, "sig": hex::encode(key.sign(&canonical)) }));
    let mut block = Map::new();
    block.insert("signatures".into(), Value::Array(signatures));
    block.insert("signed".into(), signed);
    let mut text =
        serde_json::to_string_pretty(&Value::Object(block)).map_err(|e| LayoutSignError::Json {
            path: shown,
            reason: e.to_string(),
        })?;
    text.push('\n');
    Ok(text)
}

/// The layout and the signatures already on it.
fn split(value: Value) -> Option<(Value, Vec<Value>)> {
    let is_layout = |v: &Value| v.get("_type").and_then(Value::as_str) == Some("layout");
    if is_layout(&value) {
        return Some((value, Vec::new()));
    }
    let Value::Object(mut block) = value else {
        return None;
    };
    let signed = block.remove("signed").filter(is_layout)?;
    let signatures = match block.remove("signatures") {
        Some(Value::Array(list)) => list,
        None => Vec::new(),
        Some(_) => return None,
    };
    Some((signed, signatures))
}

#[cfg(test)]
mod tests {
    use super::split;
    use serde_json::json;

    #[test]
    fn bare_layouts_and_metablocks_are_accepted() {
        let layout = json!({"_type": "layout", "steps": []});
        assert!(split(layout.clone()).is_some());
        let block = json!({"signed": layout, "signatures": [{"keyid": "a", "sig": "b"}]});
        assert_eq!(split(block).map(|(_, s)| s.len()), Some(1));
        assert!(split(json!({"_type": "link"})).is_none());
        assert!(split(json!({"signed": {"_type": "layout"}, "signatures": 1})).is_none());
    }
}
