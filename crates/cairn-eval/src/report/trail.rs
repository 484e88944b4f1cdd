//! The evidence trail `cairn explain` prints: per step, the attestations
//! considered (which counted, and why the others did not), and for each
//! rule list the queue before and after every rule.
//!
//! Bounded whatever the chain's size: a few names per rule and per list,
//! a few attestations per step, then counts. Filtered to what failed unless
//! everything is asked for. Every evidence string is escaped.

use std::fmt::Write as _;

use crate::{Code, ListTrace, Status, StepReport, Trace, Verdict};
use cairn_base::source::{SourceFile, Span};

use cairn_base::escape::escape;

/// Attestations listed per step before the rest is counted.
const ATTESTATIONS_SHOWN: usize = 8;
/// Rule lists shown per step before the rest is counted.
const LISTS_SHOWN: usize = 4;

/// The trail of `verdict`; `all` includes satisfied steps and lists.
pub fn trail(verdict: &Verdict, trace: &Trace, source: &SourceFile, all: bool) -> String {
    let mut out = String::new();
    let mut shown_any = false;
    for step in &verdict.steps {
        let failed = step.status != Status::Satisfied;
        if !all && !failed {
            continue;
        }
        shown_any = true;
        step_trail(&mut out, verdict, step, trace, source, all);
    }
    if !shown_any {
        if verdict.passed() {
            out.push_str("every step was satisfied; pass `--all` to see the whole trail\n");
        } else {
            out.push_str("every step was satisfied; the findings concern the layout itself (expiry, inspections, the final artifact); pass `--all` to see the whole trail\n");
        }
    }
    out
}

fn step_trail(
    out: &mut String,
    verdict: &Verdict,
    step: &StepReport,
    trace: &Trace,
    source: &SourceFile,
    all: bool,
) {
    let status = match step.status {
        Status::Satisfied => "satisfied",
        Status::Failed => "FAILED",
        Status::NoEvidence => "NO EVIDENCE",
        Status::Refused => "REFUSED",
    };
    let _ = writeln!(
        out,
        "step `{}`: {status}, {}",
        escape(&step.name),
        super::human::counts(step)
    );
    for c in step.considered.iter().take(ATTESTATIONS_SHOWN) {
        let signers = if c.signers.is_empty() {
            "no policy key".to_string()
        } else {
            c.signers.join(", ")
        };
        let _ = write!(
            out,
            "  {} {} ({}, sha256 {}…), signed by {}",
            if c.counted { "counted:" } else { "refused:" },
            escape(&c.origin.to_string()),
            escape(&c.role),
            c.sha256.get(..12).unwrap_or(&c.sha256),
            escape(&signers),
        );
        match &c.note {
            Some(note) => {
                let _ = writeln!(out, ": {}", escape(note));
            }
            None => out.push('\n'),
        }
        if let Some(how) = &c.sigstore {
            let _ = writeln!(out, "    {}", escape(how));
        }
    }
    if step.considered.len() > ATTESTATIONS_SHOWN {
        let _ = writeln!(
            out,
            "  ... and {} more attestation(s)",
            step.considered.len() - ATTESTATIONS_SHOWN
        );
    }
    let untrusted = verdict
        .findings
        .iter()
        .filter(|f| f.code == Code::NotTrusted && f.step.as_deref() == Some(step.name.as_str()));
    for f in untrusted {
        let _ = writeln!(
            out,
            "  untrusted: {}: {}",
            f.origin
                .as_ref()
                .map(|o| escape(&o.to_string()))
                .unwrap_or_default(),
            escape(f.actual.as_deref().unwrap_or("")),
        );
        // A Sigstore bundle's refusal names the check that decided.
        // (The help says what to do first, then why the signature was
        // refused: from its code on.)
        let decided = f.help.as_deref().and_then(|h| {
            h.match_indices('V').map(|(i, _)| i).find_map(|i| {
                let code = h.get(i + 1..i + 4)?;
                let starts = i == 0 || h.get(..i).is_some_and(|b| b.ends_with(' '));
                (starts && code.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| h.get(i..))
                    .flatten()
            })
        });
        if let Some(help) = decided {
            let _ = writeln!(out, "    decided by {}", escape(help));
        }
    }
    if step.considered.is_empty() && step.untrusted == 0 {
        // A classic link folder's file named for this step under another
        // key's keyid8 was never read (V153): say so rather than "none".
        let prefix = format!("{}.", step.name);
        let misfiled: Vec<&str> = verdict
            .findings
            .iter()
            .filter(|f| f.code == Code::IgnoredFiles)
            .filter_map(|f| f.actual.as_deref())
            .flat_map(|files| files.split(", "))
            .filter(|file| file.starts_with(&prefix))
            .collect();
        if misfiled.is_empty() {
            out.push_str("  no attestation names this step or has its predicate type\n");
        } else {
            let _ = writeln!(
                out,
                "  not read: {} (not named `<step>.<keyid8>.link` for a functionary of this step; see V153)",
                misfiled
                    .iter()
                    .map(|f| format!("`{}`", escape(f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let lists: Vec<&ListTrace> = trace
        .lists
        .iter()
        .filter(|l| l.step == step.name && (all || l.failures > 0))
        .collect();
    for list in lists.iter().take(LISTS_SHOWN) {
        list_trail(out, list, source);
    }
    if lists.len() > LISTS_SHOWN {
        let _ = writeln!(
            out,
            "  ... and {} more rule list(s)",
            lists.len() - LISTS_SHOWN
        );
    }
    out.push('\n');
}

fn list_trail(out: &mut String, list: &ListTrace, source: &SourceFile) {
    let side = list.side.name();
    let (line, col) = source.line_col(list.span.start);
    let from = list
        .origin
        .as_ref()
        .map(|o| format!(" of {}", escape(&o.to_string())))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  {side}{from} ({}:{line}:{col}): {} failure(s)",
        escape(&source.name),
        list.failures
    );
    if let Some(first) = list.rules.first() {
        let _ = writeln!(out, "    queue: {} artifact(s)", first.before);
    }
    for rule in &list.rules {
        let did = match rule.present {
            Some(true) => "in the queue".to_string(),
            Some(false) => "not in the queue (failure)".to_string(),
            None => format!(
                "took {}{}",
                rule.consumed,
                sample(&rule.consumed_sample, rule.consumed)
            ),
        };
        let _ = writeln!(
            out,
            "    `{}` (line {}): {did}, {} left{}",
            rule_text(source, rule.span),
            source.line_col(rule.span.start).0,
            rule.after,
            sample(&rule.after_sample, rule.after),
        );
    }
    if let Some(last) = list.rules.last() {
        if last.after > 0 {
            let _ = writeln!(
                out,
                "    left at the end, refused: {}{}",
                last.after,
                sample(&last.after_sample, last.after)
            );
        }
    }
}

/// ` (a, b, ...)` for a non-empty sample.
fn sample(names: &[String], total: usize) -> String {
    if names.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = names.iter().map(|n| format!("`{}`", escape(n))).collect();
    let more = if total > names.len() { ", ..." } else { "" };
    format!(" ({}{more})", shown.join(", "))
}

/// The first line of the rule's text, shortened.
fn rule_text(source: &SourceFile, span: Span) -> String {
    let text = source.text.get(span.start..span.end).unwrap_or("?");
    let first = text.lines().next().unwrap_or("").trim();
    let short: String = first.chars().take(60).collect();
    escape(&short)
}
