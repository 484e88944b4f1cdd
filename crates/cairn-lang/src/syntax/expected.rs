//! Parse errors in words: every grammar rule has a human name, and a pest
//! error becomes "expected X or Y, found Z" with a hint about the construct
//! being written. No pest rule name ever reaches a user.

use super::error::SyntaxError;
use super::parser::Rule;
use cairn_base::source::Span;

/// The human name of a rule, as a parse error says it.
fn describe(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::WHITESPACE | Rule::COMMENT => return None,
        Rule::EOI => "end of file",
        Rule::policy | Rule::layout | Rule::kw_layout => "`layout`",
        Rule::import | Rule::kw_import => "`import`",
        Rule::kw_as => "`as`",
        Rule::library | Rule::kw_library => "`library`",
        Rule::check_set | Rule::uses | Rule::kw_checks => "`checks`",
        Rule::kw_for => "`for`",
        Rule::qname => "a name",
        Rule::expires | Rule::kw_expires => "`expires`",
        Rule::readme | Rule::kw_readme => "`readme`",
        Rule::key | Rule::kw_key => "`key`",
        Rule::trust_root | Rule::kw_trust_root => "`trust-root`",
        Rule::identity | Rule::kw_identity => "`identity`",
        Rule::claim => "an identity claim such as `issuer \"URL\"`",
        Rule::scheme | Rule::kw_scheme => "`scheme`",
        Rule::param | Rule::kw_param => "`param`",
        Rule::step | Rule::kw_step => "`step`",
        Rule::by | Rule::kw_by => "`by`",
        Rule::kw_of => "`of`",
        Rule::threshold => "a threshold",
        Rule::command | Rule::kw_command => "`command`",
        Rule::materials | Rule::kw_materials => "`materials`",
        Rule::products | Rule::kw_products => "`products`",
        Rule::rule => "an artifact rule",
        Rule::src_prefix | Rule::dst_prefix | Rule::kw_in => "`in`",
        Rule::with_clause | Rule::kw_with => "`with`",
        Rule::kw_from => "`from`",
        Rule::attestation | Rule::kw_attestation => "`attestation`",
        Rule::alias => "a predicate type",
        Rule::check => "a check",
        Rule::quantifier => "a quantifier",
        Rule::path => "a JSONPath starting with `$`",
        Rule::compare | Rule::compare_op => "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_list => "`in`",
        Rule::matches | Rule::kw_matches => "`matches`",
        Rule::cel_check | Rule::kw_cel => "`cel`",
        Rule::exists | Rule::kw_exists => "`exists`",
        Rule::is_empty | Rule::is_not_empty | Rule::kw_is => "`is`",
        Rule::kw_not => "`not`",
        Rule::kw_empty => "`empty`",
        Rule::inspection | Rule::kw_inspection => "`inspection`",
        Rule::run | Rule::kw_run => "`run`",
        Rule::artifact | Rule::kw_artifact => "`artifact`",
        Rule::summary | Rule::kw_summary => "`summary`",
        Rule::verifier | Rule::kw_verifier => "`verifier`",
        Rule::levels | Rule::kw_levels => "`levels`",
        Rule::number => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::null => "`null`",
        Rule::string | Rule::string_body => "a string",
        Rule::timestamp => "a timestamp such as `2027-12-31T00:00:00Z`",
        Rule::ident => "a name",
        Rule::open => "`{`",
        Rule::close => "`}`",
        Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::comma => "`,`",
        Rule::equals => "`=`",
        _ => return None,
    })
}

/// A hint for the construct the parser expected.
fn hint(expected: &[Rule]) -> &'static str {
    let has = |r: Rule| expected.contains(&r);
    if has(Rule::EOI) {
        "a policy file holds exactly one `layout` block; nothing may follow its closing `}`"
    } else if has(Rule::policy) || has(Rule::kw_layout) || has(Rule::layout) {
        "a policy is one block, `layout \"NAME\" { ... }`, after its `import \"PATH\" as NAME` lines; a library is one `library \"NAME\" { ... }`"
    } else if has(Rule::check_set)
        || (has(Rule::kw_checks) && (has(Rule::key) || has(Rule::kw_key)))
    {
        "a library holds `key`, `identity` and `checks NAME for TYPE { ... }` clauses"
    } else if has(Rule::check) || has(Rule::path) {
        "a check reads `require [all|any|count] $.PATH TEST`, e.g. `require $.result == \"PASSED\"`"
    } else if has(Rule::rule) {
        "a rule reads `VERB \"PATTERN\"`, e.g. `create \"foo\"` or `match \"foo\" with products from build`"
    } else if has(Rule::step) || has(Rule::kw_step) || has(Rule::key) {
        "a layout holds `expires`, `readme`, `key`, `param`, `step`, `inspection`, `artifact` and `summary` clauses"
    } else if has(Rule::command) || has(Rule::kw_command) {
        "a step holds `by`, `command`, `materials`, `products` and `attestation` clauses"
    } else if has(Rule::check) || has(Rule::kw_by) || has(Rule::by) {
        "an attestation holds `by`, `materials`, `products`, checks such as `require $.result == \"PASSED\"` and check sets (`checks IMPORT.SET`)"
    } else if has(Rule::run) || has(Rule::kw_run) {
        "an inspection holds `run`, `materials` and `products` clauses"
    } else if has(Rule::verifier) || has(Rule::kw_verifier) {
        "a summary holds `verifier \"URI\"` and `levels \"LEVEL\" ...`"
    } else if has(Rule::threshold) || has(Rule::kw_of) {
        "write `by KEY, ...` or `by K of KEY, KEY, ...`"
    } else if has(Rule::equals) {
        "a key reads `key NAME = ed25519 \"HEX\"`, `key NAME = pem \"PEM\"` or `key NAME = file \"PATH\"`"
    } else if has(Rule::close_bracket) {
        "a list reads `[VALUE, VALUE, ...]`"
    } else if has(Rule::by) {
        "a step holds `by`, `command`, `materials`, `products` and `attestation` clauses"
    } else if has(Rule::string) {
        "strings are written in double quotes; the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\r`"
    } else {
        "see docs/language.md for the syntax of a policy"
    }
}

/// Rewrites a pest error as a sentence at the place it happened.
pub(super) fn convert(text: &str, e: &pest::error::Error<Rule>) -> SyntaxError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (positives, negatives): (Vec<Rule>, Vec<Rule>) = match &e.variant {
        pest::error::ErrorVariant::ParsingError {
            positives,
            negatives,
        } => (positives.clone(), negatives.clone()),
        pest::error::ErrorVariant::CustomError { .. } => (Vec::new(), Vec::new()),
    };
    let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
    names.sort_unstable();
    names.dedup();
    let rest = text.get(pos..).unwrap_or("");
    let found = found_text(rest);
    let expected = match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let message = if rest.starts_with('"') && positives.contains(&Rule::string) {
        "malformed string: an unknown escape or no closing quote".to_string()
    } else if expected.is_empty() {
        let unexpected: Vec<&str> = negatives.iter().filter_map(|r| describe(*r)).collect();
        if unexpected.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("unexpected {}", unexpected.join(" or "))
        }
    } else {
        format!("expected {expected}, found {found}")
    };
    let (span, label) = if rest.trim().is_empty() {
        // At the end of the file: point at the last token, which is visible.
        let before = text.get(..pos).unwrap_or("").trim_end();
        let last = before.chars().next_back().map_or(0, char::len_utf8);
        let start = before.len() - last;
        let label = if expected.is_empty() {
            "the file ends after this".to_string()
        } else {
            format!("expected {expected} after this")
        };
        (Span::new(start, before.len()), label)
    } else {
        let word = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-')))
            .unwrap_or(rest.len())
            .min(40);
        let len = if word > 0 && rest.is_char_boundary(word) {
            word
        } else {
            rest.chars().next().map_or(0, char::len_utf8)
        };
        let label = if expected.is_empty() {
            "not expected here".to_string()
        } else {
            format!("expected {expected}")
        };
        (Span::new(pos, pos + len), label)
    };
    SyntaxError::Unexpected {
        message,
        span,
        label,
        help: match misspelt_keyword(rest, &names) {
            Some(k) => format!("did you mean `{k}`? {}", hint(&positives)),
            None => hint(&positives).to_string(),
        },
    }
}

/// The expected keyword closest to the word found, if the word looks like a typo of it.
fn misspelt_keyword<'a>(rest: &str, expected: &[&'a str]) -> Option<&'a str> {
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .take(40)
        .collect();
    if word.is_empty() {
        return None;
    }
    let keywords = expected.iter().filter_map(|name| {
        let inner = name.strip_prefix('`')?.strip_suffix('`')?;
        inner
            .chars()
            .all(|c| c.is_ascii_lowercase())
            .then_some(inner)
    });
    cairn_base::suggest::closest(&word, keywords)
}

/// How a parse error names what it found: a word in backticks or "end of file".
fn found_text(rest: &str) -> String {
    if rest.trim().is_empty() {
        return "end of file".to_string();
    }
    let Some(first) = rest.chars().next() else {
        return "end of file".to_string();
    };
    if first.is_alphanumeric() || first == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
            .take(40)
            .collect();
        format!("`{word}`")
    } else if first == '\n' {
        "end of line".to_string()
    } else if first.is_whitespace() {
        "whitespace".to_string()
    } else if first == '`' {
        "a backtick".to_string()
    } else {
        format!("`{first}`")
    }
}
