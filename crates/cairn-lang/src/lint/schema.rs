//! The field trees of well-known predicates (`reference/in-toto.md` section
//! 7), built into the binary, and a walk of a check's JSONPath through them.
//!
//! Used by `checks.rs` for unknown fields (L016) and comparisons that can
//! never hold (L017). The trees describe what the specifications define;
//! objects documented as free-form (`externalParameters`, `byproducts`,
//! `annotations`) accept any member.

use cairn_evidence::predicates;

/// The type of a predicate field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A string (URIs and timestamps included).
    Str,
    /// A string with a closed set of values.
    Enum(&'static [&'static str]),
    /// A number.
    Num,
    /// An object with these members (others are undefined).
    Obj(&'static [(&'static str, Ty)]),
    /// An object whose members all have this type (any member names).
    Map(&'static Ty),
    /// A DigestSet: algorithm -> hex string.
    Digest,
    /// An array of this type.
    Arr(&'static Ty),
    /// Anything (free-form objects, extension points).
    Any,
}

const RD: Ty = Ty::Obj(&[
    ("name", Ty::Str),
    ("uri", Ty::Str),
    ("digest", Ty::Digest),
    ("content", Ty::Str),
    ("downloadLocation", Ty::Str),
    ("mediaType", Ty::Str),
    ("annotations", Ty::Any),
]);

const LINK: Ty = Ty::Obj(&[
    ("name", Ty::Str),
    ("command", Ty::Arr(&Ty::Str)),
    ("materials", Ty::Arr(&RD)),
    ("byproducts", Ty::Any),
    ("environment", Ty::Any),
]);

const TEST_RESULT: Ty = Ty::Obj(&[
    ("result", Ty::Enum(&["PASSED", "WARNED", "FAILED"])),
    ("configuration", Ty::Arr(&RD)),
    ("url", Ty::Str),
    ("passedTests", Ty::Arr(&Ty::Str)),
    ("warnedTests", Ty::Arr(&Ty::Str)),
    ("failedTests", Ty::Arr(&Ty::Str)),
]);

const RUNTIME_TRACE: Ty = Ty::Obj(&[
    (
        "monitor",
        Ty::Obj(&[
            ("type", Ty::Str),
            ("configSource", RD),
            ("tracePolicy", Ty::Any),
        ]),
    ),
    (
        "monitoredProcess",
        Ty::Obj(&[("hostID", Ty::Str), ("type", Ty::Str), ("event", Ty::Str)]),
    ),
    (
        "monitorLog",
        Ty::Obj(&[
            ("process", Ty::Arr(&Ty::Any)),
            ("network", Ty::Arr(&Ty::Any)),
            ("fileAccess", Ty::Arr(&RD)),
        ]),
    ),
    (
        "metadata",
        Ty::Obj(&[("buildStartedOn", Ty::Str), ("buildFinishedOn", Ty::Str)]),
    ),
]);

const SCAI: Ty = Ty::Obj(&[
    (
        "attributes",
        Ty::Arr(&Ty::Obj(&[
            ("attribute", Ty::Str),
            ("target", RD),
            ("conditions", Ty::Any),
            ("evidence", RD),
        ])),
    ),
    ("producer", RD),
]);

const PROVENANCE_V1: Ty = Ty::Obj(&[
    (
        "buildDefinition",
        Ty::Obj(&[
            ("buildType", Ty::Str),
            ("externalParameters", Ty::Any),
            ("internalParameters", Ty::Any),
            ("resolvedDependencies", Ty::Arr(&RD)),
        ]),
    ),
    (
        "runDetails",
        Ty::Obj(&[
            (
                "builder",
                Ty::Obj(&[
                    ("id", Ty::Str),
                    ("builderDependencies", Ty::Arr(&RD)),
                    ("version", Ty::Map(&Ty::Str)),
                ]),
            ),
            (
                "metadata",
                Ty::Obj(&[
                    ("invocationId", Ty::Str),
                    ("startedOn", Ty::Str),
                    ("finishedOn", Ty::Str),
                ]),
            ),
            ("byproducts", Ty::Arr(&RD)),
        ]),
    ),
]);

const VSA: Ty = Ty::Obj(&[
    (
        "verifier",
        Ty::Obj(&[("id", Ty::Str), ("version", Ty::Map(&Ty::Str))]),
    ),
    ("timeVerified", Ty::Str),
    ("resourceUri", Ty::Str),
    ("policy", RD),
    ("inputAttestations", Ty::Arr(&RD)),
    ("verificationResult", Ty::Enum(&["PASSED", "FAILED"])),
    ("verifiedLevels", Ty::Arr(&Ty::Str)),
    ("dependencyLevels", Ty::Map(&Ty::Num)),
    ("slsaVersion", Ty::Str),
]);

/// The field tree of a predicate type, when cairn knows it.
pub fn schema(predicate_type: &str) -> Option<Ty> {
    let alias = predicates::by_uri(predicate_type)?.alias;
    Some(match alias {
        "link/v0.3" => LINK,
        "test-result/v0.1" => TEST_RESULT,
        "runtime-trace/v0.1" => RUNTIME_TRACE,
        "scai/v0.3" | "scai/v0.2" => SCAI,
        "slsa-provenance/v1" => PROVENANCE_V1,
        "vsa/v1" => VSA,
        _ => return None,
    })
}

/// One step of a JSONPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.name` or `['name']`.
    Name(String),
    /// `[*]`, `.*`, `[0]`, a slice or a filter: some elements or members.
    Some,
}

/// The segments of a JSONPath, or `None` when it uses something this walk
/// does not follow (descendants `..`, unions).
pub fn segments(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut rest = path.strip_prefix('$')?;
    while !rest.is_empty() {
        if rest.starts_with("..") {
            return None;
        }
        if let Some(r) = rest.strip_prefix(".*") {
            out.push(Segment::Some);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Segment::Name(r.get(..end)?.to_string()));
            rest = r.get(end..)?;
        } else if let Some(r) = rest.strip_prefix('[') {
            let (inner, after) = bracket(r)?;
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            match quoted {
                Some(name) if !name.contains(['\'', '"', '\\']) => {
                    out.push(Segment::Name(name.to_string()));
                }
                Some(_) => return None,
                None if inner.contains(',') && !inner.starts_with('?') => return None,
                None => out.push(Segment::Some),
            }
            rest = after;
        } else {
            return None;
        }
    }
    Some(out)
}

/// Splits `inner]rest` at the `]` that closes the bracket (quotes and nesting respected).
pub fn bracket(text: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' => depth += 1,
            ']' if depth == 0 => return Some((text.get(..i)?, text.get(i + 1..)?)),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Where a walk through a field tree ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Walk {
    /// Every segment was followed; the selected values have this type.
    Ends(Ty),
    /// Segment `index` names a field the object at that point does not define.
    Unknown {
        /// Index into the segments.
        index: usize,
        /// The unknown name.
        name: String,
        /// The fields that object defines.
        fields: Vec<&'static str>,
    },
    /// The walk reached a free-form part; nothing more is known.
    Open,
}

/// Follows `segments` from `root`.
pub fn walk(root: Ty, segments: &[Segment]) -> Walk {
    let mut ty = root;
    for (index, seg) in segments.iter().enumerate() {
        ty = match (ty, seg) {
            (Ty::Any, _) => return Walk::Open,
            (Ty::Obj(fields), Segment::Name(name)) => {
                match fields.iter().find(|(f, _)| f == name) {
                    Some((_, t)) => *t,
                    None => {
                        return Walk::Unknown {
                            index,
                            name: name.clone(),
                            fields: fields.iter().map(|(f, _)| *f).collect(),
                        }
                    }
                }
            }
            (Ty::Obj(_), Segment::Some) => return Walk::Open,
            (Ty::Map(t), _) => *t,
            (Ty::Digest, _) => Ty::Str,
            (Ty::Arr(t), Segment::Some) => *t,
            // A name applied to an array or a scalar selects nothing; the
            // evaluator reports the absent field, lint stays quiet.
            (Ty::Arr(_) | Ty::Str | Ty::Enum(_) | Ty::Num, _) => return Walk::Open,
        };
    }
    Walk::Ends(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_of_paths() {
        assert_eq!(
            segments("$.a['b'][*].c[0]"),
            Some(vec![
                Segment::Name("a".into()),
                Segment::Name("b".into()),
                Segment::Some,
                Segment::Name("c".into()),
                Segment::Some
            ])
        );
        assert_eq!(segments("$..a"), None);
        assert_eq!(segments("$[?@.x == 'a]']"), Some(vec![Segment::Some]));
    }

    #[test]
    fn walks() {
        let Some(root) = schema("https://slsa.dev/provenance/v1") else {
            unreachable!()
        };
        let path = segments("$.runDetails.builder.id").unwrap_or_default();
        assert_eq!(walk(root, &path), Walk::Ends(Ty::Str));
        let path = segments("$.runDetails.bulider.id").unwrap_or_default();
        assert!(matches!(walk(root, &path), Walk::Unknown { index: 1, .. }));
        let path = segments("$.buildDefinition.externalParameters.x.y").unwrap_or_default();
        assert_eq!(walk(root, &path), Walk::Open);
    }
}
