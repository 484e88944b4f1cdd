//! Well-known predicate types: the alias table of the language and how each
//! type's artifacts map onto materials and products (DESIGN "Evidence model").
//!
//! Both the front end (resolving `attestation slsa-provenance/v1 { ... }`) and
//! the evaluator (finding an attestation's artifacts) read this one table.

/// How a predicate type's artifacts meet a step's materials and products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactModel {
    /// A link: predicate `materials` are materials, subjects are products.
    Link,
    /// SLSA provenance v1: `buildDefinition.resolvedDependencies` are
    /// materials, subjects are products.
    ProvenanceV1,
    /// SLSA provenance v0.2: predicate `materials` are materials, subjects are products.
    ProvenanceV02,
    /// Informational predicates (test results, reviews, runtime traces, SCAI,
    /// SBOMs, VSAs, ...): subjects are materials; there are no products (ITE-10).
    Informational,
}

/// One row of the alias table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredicateType {
    /// The short name a policy may write (`slsa-provenance/v1`).
    pub alias: &'static str,
    /// The full type URI, compared as an exact string.
    pub uri: &'static str,
    /// How its artifacts map.
    pub model: ArtifactModel,
}

/// The link predicate's type URI.
pub const LINK_V03: &str = "https://in-toto.io/attestation/link/v0.3";

/// The VSA predicate's type URI.
pub const VSA_V1: &str = "https://slsa.dev/verification_summary/v1";

/// Every alias the language knows, documented in `docs/language.md`.
pub const KNOWN: &[PredicateType] = &[
    row("link/v0.3", LINK_V03, ArtifactModel::Link),
    row(
        "slsa-provenance/v1",
        "https://slsa.dev/provenance/v1",
        ArtifactModel::ProvenanceV1,
    ),
    row(
        "slsa-provenance/v0.2",
        "https://slsa.dev/provenance/v0.2",
        ArtifactModel::ProvenanceV02,
    ),
    info(
        "test-result/v0.1",
        "https://in-toto.io/attestation/test-result/v0.1",
    ),
    info(
        "runtime-trace/v0.1",
        "https://in-toto.io/attestation/runtime-trace/v0.1",
    ),
    info("scai/v0.3", "https://in-toto.io/attestation/scai/v0.3"),
    info(
        "scai/v0.2",
        "https://in-toto.io/attestation/scai/attribute-report/v0.2",
    ),
    info("vsa/v1", VSA_V1),
    info("svr/v0.2", "https://in-toto.io/attestation/svr/v0.2"),
    info(
        "release/v0.1",
        "https://in-toto.io/attestation/release/v0.1",
    ),
    info(
        "reference/v0.1",
        "https://in-toto.io/attestation/reference/v0.1",
    ),
    info("vulns/v0.1", "https://in-toto.io/attestation/vulns/v0.1"),
    info("vulns/v0.2", "https://in-toto.io/attestation/vulns/v0.2"),
    info("spdx/v2.3", "https://spdx.dev/Document/v2.3"),
    info("spdx/v3", "https://spdx.dev/Document/v3"),
    info("cyclonedx", "https://cyclonedx.org/bom"),
];

const fn row(alias: &'static str, uri: &'static str, model: ArtifactModel) -> PredicateType {
    PredicateType { alias, uri, model }
}

const fn info(alias: &'static str, uri: &'static str) -> PredicateType {
    row(alias, uri, ArtifactModel::Informational)
}

/// The row for an alias, if it is one.
pub fn by_alias(alias: &str) -> Option<&'static PredicateType> {
    KNOWN.iter().find(|p| p.alias == alias)
}

/// The row for a full type URI, if it is a known one.
pub fn by_uri(uri: &str) -> Option<&'static PredicateType> {
    KNOWN.iter().find(|p| p.uri == uri)
}

/// How the artifacts of an attestation of type `uri` map; unknown types are informational.
pub fn artifact_model(uri: &str) -> ArtifactModel {
    by_uri(uri).map_or(ArtifactModel::Informational, |p| p.model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_uris_are_unique() {
        for (i, a) in KNOWN.iter().enumerate() {
            for b in KNOWN.iter().skip(i + 1) {
                assert_ne!(a.alias, b.alias);
                assert_ne!(a.uri, b.uri);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            by_alias("slsa-provenance/v1").map(|p| p.uri),
            Some("https://slsa.dev/provenance/v1")
        );
        assert_eq!(artifact_model(LINK_V03), ArtifactModel::Link);
        assert_eq!(
            artifact_model("https://example.com/custom/v1"),
            ArtifactModel::Informational
        );
    }
}
