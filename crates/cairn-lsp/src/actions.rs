//! Code actions for the problems of a document: the "did you mean"
//! replacement a help line proposes, removing what lint finds unused or
//! repeated, and allowing a lint finding with a `# cairn: allow(...)`
//! comment on the line above.

use cairn_base::source::Span;
use cairn_base::suggest;
use cairn_lang::lint;

use crate::analysis::Problem;
use crate::index::placeholders;

/// One code action: a title and the edits it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// What the editor shows.
    pub title: String,
    /// Replacements (span, new text).
    pub edits: Vec<(Span, String)>,
    /// The best fix for its problem (editors may apply it on their own).
    pub preferred: bool,
}

/// Lint codes whose finding covers a whole clause that can go.
const REMOVABLE: &[(&str, &str)] = &[
    ("L008", "Remove the unused key"),
    ("L009", "Remove the unused parameter"),
    ("L018", "Remove the repeated check"),
];

/// The actions for one problem of `text`.
pub fn actions(text: &str, problem: &Problem) -> Vec<Action> {
    let mut out = Vec::new();
    if let Some(action) = did_you_mean(text, problem) {
        out.push(action);
    }
    if let Some((_, title)) = REMOVABLE.iter().find(|(c, _)| *c == problem.code) {
        out.push(Action {
            title: (*title).to_string(),
            edits: vec![(whole_lines(text, problem.span), String::new())],
            preferred: false,
        });
    }
    if problem.code.starts_with('L') && problem.code != "L022" {
        let name = lint::registry::by_code(&problem.code).map_or("", |r| r.name);
        let line_start = text
            .get(..problem.span.start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |n| n + 1);
        let indent: String = text
            .get(line_start..)
            .unwrap_or("")
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        out.push(Action {
            title: format!("Allow {} ({name}) here", problem.code),
            edits: vec![(
                Span::new(line_start, line_start),
                format!("{indent}# cairn: allow({})\n", problem.code),
            )],
            preferred: false,
        });
    }
    out
}

/// "did you mean `X`?" (or "did you mean `X`? (`FULL`)") in the help: the
/// name at the problem's place replaced by the suggestion.
fn did_you_mean(text: &str, problem: &Problem) -> Option<Action> {
    let rest = problem.help.split("did you mean `").nth(1)?;
    let short = rest.split('`').next()?;
    let full = rest
        .split_once("? (`")
        .and_then(|(_, r)| r.split('`').next())
        .unwrap_or(short);
    let written = text.get(problem.span.start..problem.span.end)?;
    let (span, new) = if written.starts_with('"') {
        // A placeholder inside a string: the one the suggestion is close to.
        let (offset, name) = placeholders(written)
            .into_iter()
            .find(|(_, name)| *name != short && suggest::closest(name, [short]).is_some())?;
        let start = problem.span.start + offset;
        (Span::new(start, start + name.len()), short)
    } else if written.starts_with('$') {
        // A check's path: the help's path ends at the segment to fix.
        let index = crate::fields::locate(full).len().checked_sub(1)?;
        let segment = crate::fields::locate(written).into_iter().nth(index)?;
        let start = problem.span.start + segment.span.start;
        (
            Span::new(start, problem.span.start + segment.span.end),
            short,
        )
    } else if written
        .chars()
        .all(|c| c.is_alphanumeric() || "_-./".contains(c))
    {
        (problem.span, short)
    } else {
        return None;
    };
    Some(Action {
        title: format!("Replace with `{new}`"),
        edits: vec![(span, new.to_string())],
        preferred: true,
    })
}

/// A span grown to whole lines when only blanks stand beside it.
fn whole_lines(text: &str, span: Span) -> Span {
    let line_start = text
        .get(..span.start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let before = text.get(line_start..span.start).unwrap_or("");
    let after_end = text
        .get(span.end..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |n| span.end + n + 1);
    let after = text.get(span.end..after_end).unwrap_or("");
    if before.trim().is_empty() && after.trim().is_empty() {
        Span::new(line_start, after_end)
    } else {
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use std::path::Path;

    const KEY: &str = "ffca34fe86c15add54d5adaf212c692a5c6dc665e4758eb626669accef768b37";

    fn apply(text: &str, action: &Action) -> String {
        let mut out = text.to_string();
        for (span, new) in action.edits.iter().rev() {
            out.replace_range(span.start..span.end, new);
        }
        out
    }

    #[test]
    fn did_you_mean_a_key() {
        let text = format!(
            "layout \"x\" {{\n  key alice = ed25519 \"{KEY}\"\n  step s {{ by alcie }}\n}}\n"
        );
        let a = Analysis::new(text.clone(), Path::new("."), 0);
        let p = a.problems.iter().find(|p| p.code == "E201").unwrap();
        let fix = &actions(&text, p)[0];
        assert_eq!(fix.title, "Replace with `alice`");
        assert!(apply(&text, fix).contains("by alice"));
    }

    #[test]
    fn did_you_mean_a_field() {
        let text = format!("layout \"x\" {{\n  key alice = ed25519 \"{KEY}\"\n  step s {{\n    by alice\n    attestation slsa-provenance/v1 {{\n      require $.runDetails['bulider'].id == \"b\"\n    }}\n  }}\n}}\n");
        let a = Analysis::new(text.clone(), Path::new("."), 0);
        let p = a.problems.iter().find(|p| p.code == "L016").unwrap();
        let fix = &actions(&text, p)[0];
        assert_eq!(fix.title, "Replace with `builder`");
        assert!(apply(&text, fix).contains("$.runDetails['builder'].id =="));
    }

    #[test]
    fn lint_fixes() {
        let text = format!("layout \"x\" {{\n  key alice = ed25519 \"{KEY}\"\n  param unused = \"v\"\n  step s {{ by alice }}\n}}\n");
        let a = Analysis::new(text.clone(), Path::new("."), 0);
        let p = a.problems.iter().find(|p| p.code == "L009").unwrap();
        let all = actions(&text, p);
        let removed = apply(&text, &all[0]);
        assert!(!removed.contains("unused"), "{removed}");
        assert!(removed.contains("\"\n  step s"), "{removed}");
        let allowed = apply(&text, &all[1]);
        assert!(
            allowed.contains("  # cairn: allow(L009)\n  param unused"),
            "{allowed}"
        );
    }
}
