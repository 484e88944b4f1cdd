//! Rule lists of steps and inspections: each rule parsed as in-toto parses
//! it, patterns checked, MATCH targets resolved to steps and inspections, and
//! the explicit `allow "*"` that keeps in-toto's implicit final rule.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::locate::Path;
use super::reader::{template, Reader};
use super::rules::{self, Classic};
use super::suggest;
use crate::InteropError;
use cairn_lang::ir::{self, RuleKind, Target};
use cairn_lang::pattern::Pattern;

/// A step or inspection being imported, before MATCH targets are resolved.
pub(crate) struct Item {
    /// Whether the step or inspection itself imported (it is then the next
    /// one in the output list).
    pub(crate) imported: bool,
    pub(crate) path: Path,
    pub(crate) materials: Option<Vec<(Classic, Path)>>,
    pub(crate) products: Option<Vec<(Classic, Path)>>,
}

#[derive(Clone, Copy)]
pub(crate) enum Side {
    Materials,
    Products,
}

/// Parses a rule list; `None` when the member is absent or malformed (errors recorded).
pub(crate) fn rule_list(
    r: &mut Reader<'_>,
    m: &Map<String, Value>,
    path: &Path,
    key: &str,
) -> Option<Vec<(Classic, Path)>> {
    let lpath = path.key(key);
    let Some(v) = m.get(key) else {
        // python defaults an absent list to `[]`: accept everything.
        return Some(Vec::new());
    };
    let items = r.array(v, &lpath)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, rule) in items.iter().enumerate() {
        let rpath = lpath.index(i);
        match rules::unpack(rule) {
            Ok(classic) => {
                check_pattern(r, &classic, &rpath);
                out.push((classic, rpath));
            }
            Err(reason) => {
                let at = r.at(&rpath);
                r.push(InteropError::BadRule {
                    field: rpath.to_string(),
                    reason,
                    at,
                });
            }
        }
    }
    Some(out)
}

fn check_pattern(r: &mut Reader<'_>, rule: &Classic, path: &Path) {
    let pattern = match rule {
        Classic::Simple(
            RuleKind::Create { pattern }
            | RuleKind::Delete { pattern }
            | RuleKind::Modify { pattern }
            | RuleKind::Allow { pattern }
            | RuleKind::Disallow { pattern },
        )
        | Classic::Match { pattern, .. } => pattern,
        Classic::Simple(_) => return,
    };
    if Pattern::new(pattern).is_err() {
        let at = r.at(path);
        r.push(InteropError::BadPattern {
            field: path.to_string(),
            pattern: pattern.clone(),
            at,
        });
    }
}

/// Resolves MATCH targets and appends the `allow "*"` that keeps in-toto's
/// implicit final rule (unless the list already ends with an `ALLOW` or a
/// `DISALLOW` of a match-everything pattern: nothing is left for it).
pub(crate) fn resolve(
    r: &mut Reader<'_>,
    item: &Item,
    side: Side,
    names: &BTreeMap<String, Target>,
    written: &[&str],
) -> Option<ir::RuleList> {
    let (rules, key) = match side {
        Side::Materials => (item.materials.as_ref()?, "expected_materials"),
        Side::Products => (item.products.as_ref()?, "expected_products"),
    };
    let lpath = item.path.key(key);
    let list_span = r.span(&lpath);
    let mut out = Vec::with_capacity(rules.len() + 1);
    for (rule, rpath) in rules {
        let kind = match rule {
            Classic::Simple(kind) => escape(kind.clone()),
            Classic::Match {
                pattern,
                src_prefix,
                side,
                dst_prefix,
                from,
            } => {
                let Some(target) = names.get(from) else {
                    if written.contains(&from.as_str()) {
                        continue;
                    }
                    let at = r.at(rpath);
                    r.push(InteropError::UnknownTarget {
                        field: rpath.to_string(),
                        target: from.clone(),
                        help: suggest::help(from, written.iter().copied()),
                        at,
                    });
                    continue;
                };
                RuleKind::Match {
                    pattern: template(pattern),
                    src_prefix: src_prefix.as_deref().map(template),
                    side: *side,
                    dst_prefix: dst_prefix.as_deref().map(template),
                    from: *target,
                }
            }
        };
        out.push(ir::Rule {
            kind,
            span: r.span(rpath),
        });
    }
    let ends_closed = matches!(
        out.last().map(|rule| &rule.kind),
        Some(RuleKind::Allow { pattern } | RuleKind::Disallow { pattern }) if rules::matches_all(pattern)
    );
    if !ends_closed {
        out.push(ir::Rule {
            kind: RuleKind::Allow {
                pattern: "*".into(),
            },
            span: list_span,
        });
    }
    Some(ir::RuleList {
        rules: out,
        span: list_span,
    })
}

fn escape(kind: RuleKind) -> RuleKind {
    match kind {
        RuleKind::Create { pattern } => RuleKind::Create {
            pattern: template(&pattern),
        },
        RuleKind::Delete { pattern } => RuleKind::Delete {
            pattern: template(&pattern),
        },
        RuleKind::Modify { pattern } => RuleKind::Modify {
            pattern: template(&pattern),
        },
        RuleKind::Allow { pattern } => RuleKind::Allow {
            pattern: template(&pattern),
        },
        RuleKind::Disallow { pattern } => RuleKind::Disallow {
            pattern: template(&pattern),
        },
        RuleKind::Require { name } => RuleKind::Require {
            name: template(&name),
        },
        other @ RuleKind::Match { .. } => other,
    }
}
