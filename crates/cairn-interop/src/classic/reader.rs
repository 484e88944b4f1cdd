//! Typed reads from a JSON value with every error collected: the small
//! vocabulary the importer is written in. A failed read records an
//! `InteropError` naming the field and returns `None`.

use serde_json::{Map, Value};

use super::locate::{Locator, Path};
use crate::InteropError;
use cairn_base::source::Span;

/// Collects errors while reading one layout.
pub(crate) struct Reader<'t> {
    pub(crate) loc: Locator<'t>,
    pub(crate) errors: Vec<InteropError>,
    /// in-toto-golang's X.509 members are read (by `cairn verify --layout`,
    /// which checks them: [`cairn_evidence::x509`]) rather than refused.
    pub(crate) x509: bool,
}

impl<'t> Reader<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Reader {
            loc: Locator::new(text),
            errors: Vec::new(),
            x509: false,
        }
    }

    /// The span of the value at `path`, or the empty default.
    pub(crate) fn span(&self, path: &Path) -> Span {
        self.loc.find(path).unwrap_or_default()
    }

    /// The span of the value at `path`, for a label.
    pub(crate) fn at(&self, path: &Path) -> Option<miette::SourceSpan> {
        self.loc.find(path).map(Into::into)
    }

    pub(crate) fn push(&mut self, error: InteropError) {
        self.errors.push(error);
    }

    fn wrong(&mut self, path: &Path, expected: &'static str, v: &Value) {
        let at = self.at(path);
        self.push(InteropError::WrongType {
            field: path.to_string(),
            expected,
            found: cairn_base::diag::json_kind(v),
            at,
        });
    }

    pub(crate) fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &Path,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            _ => {
                self.wrong(path, "an object", v);
                None
            }
        }
    }

    pub(crate) fn array<'v>(&mut self, v: &'v Value, path: &Path) -> Option<&'v Vec<Value>> {
        match v {
            Value::Array(a) => Some(a),
            _ => {
                self.wrong(path, "an array", v);
                None
            }
        }
    }

    pub(crate) fn string<'v>(&mut self, v: &'v Value, path: &Path) -> Option<&'v str> {
        match v {
            Value::String(s) => Some(s),
            _ => {
                self.wrong(path, "a string", v);
                None
            }
        }
    }

    /// A required member of `m` (the object at `path`).
    pub(crate) fn member<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &Path,
        key: &str,
    ) -> Option<&'v Value> {
        let v = m.get(key);
        if v.is_none() {
            let at = self.at(path);
            self.push(InteropError::Missing {
                field: path.key(key).to_string(),
                at,
            });
        }
        v
    }

    /// A required string member.
    pub(crate) fn str_member<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &Path,
        key: &str,
    ) -> Option<&'v str> {
        let v = self.member(m, path, key)?;
        self.string(v, &path.key(key))
    }

    /// An array of strings at `path`.
    pub(crate) fn strings(&mut self, v: &Value, path: &Path) -> Option<Vec<String>> {
        let items = self.array(v, path)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.string(item, &path.index(i)) {
                Some(s) => out.push(s.to_string()),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Refuses members outside `allowed`; `extensions` get the dedicated
    /// "unsupported extension" error.
    pub(crate) fn only(
        &mut self,
        m: &Map<String, Value>,
        path: &Path,
        allowed: &[&str],
        extensions: &[&str],
    ) {
        for key in m.keys() {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let at = self.loc.find_member_name(path, key).map(Into::into);
            if extensions.contains(&key.as_str()) && self.x509 {
                continue;
            }
            if extensions.contains(&key.as_str()) {
                self.push(InteropError::UnsupportedExtension {
                    field: path.to_string(),
                    member: key.clone(),
                    at,
                });
            } else {
                self.push(InteropError::UnknownMember {
                    field: path.to_string(),
                    member: key.clone(),
                    at,
                });
            }
        }
    }

    /// Checks `_type` (when `required`, it must be present).
    pub(crate) fn kind(
        &mut self,
        m: &Map<String, Value>,
        path: &Path,
        expected: &'static str,
        required: bool,
    ) {
        let found = if required {
            self.str_member(m, path, "_type")
        } else {
            match m.get("_type") {
                Some(v) => self.string(v, &path.key("_type")),
                None => return,
            }
        };
        if let Some(found) = found {
            if found != expected {
                let at = self.at(&path.key("_type"));
                self.push(InteropError::WrongKind {
                    field: path.key("_type").to_string(),
                    found: found.to_string(),
                    expected,
                    at,
                });
            }
        }
    }
}

/// Escapes `{` and `}` so that a classic string, which in-toto-verify never
/// substitutes, stays literal as an IR template.
pub(crate) fn template(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}")
}
