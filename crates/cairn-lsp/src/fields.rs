//! Predicate fields for hover and completion: the built-in field trees of
//! `cairn_lang::lint::schema`, each segment of a check's JSONPath located in
//! the text, and one line of documentation for the fields the
//! specifications define.

use cairn_base::source::Span;
use cairn_evidence::predicates;
use cairn_lang::lint::schema::{self, Segment, Ty, Walk};

/// One segment of a JSONPath as written, and where it stands in the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The segment.
    pub segment: Segment,
    /// Byte range in the path text (the name only, for a named segment).
    pub span: Span,
}

/// The segments of a JSONPath with their places, as far as they can be
/// followed (a descendant `..` or a malformed bracket ends the list).
pub fn locate(path: &str) -> Vec<Located> {
    let mut out = Vec::new();
    let Some(mut rest) = path.strip_prefix('$') else {
        return out;
    };
    let mut at = 1;
    while !rest.is_empty() {
        if rest.starts_with("..") {
            break;
        }
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = r.get(..end).unwrap_or("");
            let segment = if name == "*" {
                Segment::Some
            } else {
                Segment::Name(name.to_string())
            };
            out.push(Located {
                segment,
                span: Span::new(at + 1, at + 1 + end),
            });
            at += 1 + end;
            rest = r.get(end..).unwrap_or("");
        } else if rest.starts_with('[') {
            let Some(close) = close_of(rest) else { break };
            let inner = rest.get(1..close).unwrap_or("");
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
            let (segment, span) = match quoted {
                Some(name) => (
                    Segment::Name(name.to_string()),
                    Span::new(at + 2, at + 2 + name.len()),
                ),
                None => (Segment::Some, Span::new(at, at + close + 1)),
            };
            out.push(Located { segment, span });
            at += close + 1;
            rest = rest.get(close + 1..).unwrap_or("");
        } else {
            break;
        }
    }
    out
}

/// The index of the `]` that closes the `[` at the start of `text`.
fn close_of(text: &str) -> Option<usize> {
    let (inner, _) = cairn_lang::lint::schema::bracket(text.get(1..)?)?;
    Some(1 + inner.len())
}

/// The full type URI of an attestation's type as written (an alias or a URI).
pub fn type_uri(written: &str) -> Option<&'static str> {
    predicates::by_alias(written)
        .or_else(|| predicates::by_uri(written))
        .map(|p| p.uri)
}

/// The field tree of a predicate type written as an alias or a URI.
pub fn tree(written: &str) -> Option<Ty> {
    schema::schema(type_uri(written)?)
}

/// The type the first `count` segments select, if the tree defines it.
pub fn type_after(root: Ty, segments: &[Segment]) -> Option<Ty> {
    match schema::walk(root, segments) {
        Walk::Ends(ty) => Some(ty),
        Walk::Unknown { .. } | Walk::Open => None,
    }
}

/// The members an object of this type defines (through arrays).
pub fn members(ty: Ty) -> &'static [(&'static str, Ty)] {
    match ty {
        Ty::Obj(fields) => fields,
        Ty::Arr(inner) => members(*inner),
        _ => &[],
    }
}

/// A short name of a field type.
pub fn describe(ty: Ty) -> String {
    match ty {
        Ty::Str => "string".into(),
        Ty::Enum(values) => {
            let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("one of {}", quoted.join(", "))
        }
        Ty::Num => "number".into(),
        Ty::Obj(_) => "object".into(),
        Ty::Map(inner) => format!("map of {}", describe(*inner)),
        Ty::Digest => "digest set (algorithm: hex)".into(),
        Ty::Arr(inner) => format!("array of {}", describe(*inner)),
        Ty::Any => "any value (free-form)".into(),
    }
}

/// The documentation of a field: `uri` is the predicate type, `names` the
/// field names from the predicate's root (array steps left out), `parent`
/// the type of the object that holds the last one.
pub fn doc(uri: &str, names: &[&str], parent: Ty) -> Option<&'static str> {
    let alias = predicates::by_uri(uri)?.alias;
    let path = names.join(".");
    let last = names.last().copied().unwrap_or("");
    let table: &[(&str, &str)] = match alias {
        "slsa-provenance/v1" => PROVENANCE_V1,
        "link/v0.3" => LINK,
        "test-result/v0.1" => TEST_RESULT,
        "vsa/v1" => VSA,
        "runtime-trace/v0.1" => RUNTIME_TRACE,
        "scai/v0.3" | "scai/v0.2" => SCAI,
        _ => &[],
    };
    table
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| {
            is_resource_descriptor(parent)
                .then(|| RESOURCE_DESCRIPTOR.iter().find(|(p, _)| *p == last))
                .flatten()
        })
        .map(|(_, d)| *d)
}

/// True for an in-toto ResourceDescriptor (or an array of them).
fn is_resource_descriptor(ty: Ty) -> bool {
    let names: Vec<&str> = members(ty).iter().map(|(n, _)| *n).collect();
    RESOURCE_DESCRIPTOR.iter().all(|(n, _)| names.contains(n))
}

/// Members of an in-toto ResourceDescriptor, wherever one appears.
const RESOURCE_DESCRIPTOR: &[(&str, &str)] = &[
    ("name", "A name for the resource, such as a file name."),
    ("uri", "A URI that identifies the resource."),
    (
        "digest",
        "The resource's digests: algorithm name to lowercase hex.",
    ),
    ("content", "The resource's content, base64-encoded."),
    (
        "downloadLocation",
        "Where the resource can be downloaded from.",
    ),
    ("mediaType", "The resource's media type (MIME type)."),
    (
        "annotations",
        "Free-form extra information about the resource.",
    ),
];

const PROVENANCE_V1: &[(&str, &str)] = &[
    ("buildDefinition", "The inputs of the build: what the builder was asked to do."),
    ("buildDefinition.buildType", "A URI naming the template of the build: how to read the parameters and what the builder did."),
    ("buildDefinition.externalParameters", "The parameters under the control of whoever started the build (free-form; defined by the build type)."),
    ("buildDefinition.internalParameters", "The parameters under the control of the builder (free-form; defined by the build type)."),
    ("buildDefinition.resolvedDependencies", "The artifacts fetched during the build (sources, tools, base images); cairn reads them as the step's materials."),
    ("runDetails", "Details of this run of the build: the builder and its metadata."),
    ("runDetails.builder", "The build platform that ran the build and is trusted to have produced this provenance."),
    ("runDetails.builder.id", "A URI naming the builder: the transitive closure of what is trusted to produce the provenance."),
    ("runDetails.builder.builderDependencies", "Dependencies of the builder itself (not of the build)."),
    ("runDetails.builder.version", "Version numbers of the builder's components, by name."),
    ("runDetails.metadata", "Metadata about this run: its id and timestamps."),
    ("runDetails.metadata.invocationId", "An identifier of this run, for finding its logs."),
    ("runDetails.metadata.startedOn", "When the build started (RFC 3339)."),
    ("runDetails.metadata.finishedOn", "When the build finished (RFC 3339)."),
    ("runDetails.byproducts", "Other artifacts the build produced that are not subjects (logs, SBOMs)."),
];

const LINK: &[(&str, &str)] = &[
    ("name", "The name of the step this link records."),
    (
        "command",
        "The command the step ran, one argument per element.",
    ),
    (
        "materials",
        "The artifacts the step used, as resource descriptors.",
    ),
    (
        "byproducts",
        "What the command produced besides artifacts: its output streams and return value.",
    ),
    (
        "environment",
        "Information about the environment the step ran in (free-form).",
    ),
];

const TEST_RESULT: &[(&str, &str)] = &[
    (
        "result",
        "The outcome of the test run: PASSED, WARNED or FAILED.",
    ),
    (
        "configuration",
        "The configuration the tests ran with, as resource descriptors.",
    ),
    ("url", "A link to the test run."),
    ("passedTests", "The names of the tests that passed."),
    (
        "warnedTests",
        "The names of the tests that passed with warnings.",
    ),
    ("failedTests", "The names of the tests that failed."),
];

const VSA: &[(&str, &str)] = &[
    ("verifier", "The verifier that made this summary."),
    ("verifier.id", "A URI naming the verifier."),
    (
        "verifier.version",
        "Version numbers of the verifier's components, by name.",
    ),
    ("timeVerified", "When the verification happened (RFC 3339)."),
    ("resourceUri", "The URI of the artifact that was verified."),
    ("policy", "The policy the artifact was verified against."),
    ("inputAttestations", "The attestations the verifier read."),
    ("verificationResult", "PASSED or FAILED."),
    (
        "verifiedLevels",
        "The SLSA levels the artifact was verified to meet.",
    ),
    (
        "dependencyLevels",
        "How many dependencies met each SLSA level.",
    ),
    ("slsaVersion", "The SLSA version of the verified levels."),
];

const RUNTIME_TRACE: &[(&str, &str)] = &[
    ("monitor", "The tool that observed the build."),
    ("monitor.type", "A URI naming the kind of monitor."),
    (
        "monitor.configSource",
        "Where the monitor's configuration came from.",
    ),
    (
        "monitor.tracePolicy",
        "What the monitor was told to observe (free-form).",
    ),
    ("monitoredProcess", "The process that was observed."),
    ("monitoredProcess.hostID", "The host the process ran on."),
    ("monitoredProcess.type", "A URI naming the kind of process."),
    ("monitoredProcess.event", "The event that was observed."),
    ("monitorLog", "What the monitor saw."),
    ("monitorLog.process", "Processes started during the build."),
    ("monitorLog.network", "Network activity during the build."),
    (
        "monitorLog.fileAccess",
        "Files read or written during the build.",
    ),
    ("metadata", "When the build ran."),
    (
        "metadata.buildStartedOn",
        "When the build started (RFC 3339).",
    ),
    (
        "metadata.buildFinishedOn",
        "When the build finished (RFC 3339).",
    ),
];

const SCAI: &[(&str, &str)] = &[
    (
        "attributes",
        "The attributes claimed about the subject, each with optional conditions and evidence.",
    ),
    (
        "attributes.attribute",
        "The name of the attribute (HERMETIC_BUILD, ...).",
    ),
    (
        "attributes.target",
        "What the attribute is about, if not the subject.",
    ),
    (
        "attributes.conditions",
        "Conditions under which the attribute holds (free-form).",
    ),
    ("attributes.evidence", "The evidence for the attribute."),
    ("producer", "Who produced the report."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_segments() {
        let path = "$.a['b'][*].c";
        let located = locate(path);
        let names: Vec<&str> = located
            .iter()
            .map(|l| path.get(l.span.start..l.span.end).unwrap())
            .collect();
        assert_eq!(names, vec!["a", "b", "[*]", "c"]);
        assert_eq!(located[2].segment, Segment::Some);
        assert_eq!(
            locate("$.a."),
            vec![
                Located {
                    segment: Segment::Name("a".into()),
                    span: Span::new(2, 3)
                },
                Located {
                    segment: Segment::Name(String::new()),
                    span: Span::new(4, 4)
                },
            ]
        );
    }

    #[test]
    fn documents_fields() {
        let uri = type_uri("slsa-provenance/v1").unwrap();
        let root = tree("slsa-provenance/v1").unwrap();
        let name = |n: &str| Segment::Name(n.into());
        let builder = type_after(root, &[name("runDetails"), name("builder")]).unwrap();
        let id = doc(uri, &["runDetails", "builder", "id"], builder).unwrap();
        assert!(id.contains("builder"));
        let deps = type_after(
            root,
            &[name("buildDefinition"), name("resolvedDependencies")],
        );
        let digest = ["buildDefinition", "resolvedDependencies", "digest"];
        assert!(doc(uri, &digest, deps.unwrap()).is_some());
        // Only a resource descriptor's `uri` is documented as one.
        assert_eq!(doc(uri, &["runDetails", "builder", "uri"], builder), None);
        let names: Vec<&str> = members(root).iter().map(|(n, _)| *n).collect();
        assert_eq!(names, vec!["buildDefinition", "runDetails"]);
    }
}
