//! The canonical formatter: one layout for every policy, comments kept.
//!
//! Each clause goes on its own line, blocks are indented by two spaces, and
//! one blank line is kept where the source had at least one. Comments stay
//! where they were: own-line comments before the clause that follows them,
//! end-of-line comments after the clause they follow; a comment written
//! inside a one-line clause moves to the line before it. The formatter is
//! idempotent and never changes what a policy means:
//! `parse(format(x)) == parse(x)`.

use super::ast::*;

/// Formats a parsed policy. `source` is the text it was parsed from (used
/// only to find blank lines and comments; may be empty for a built AST).
pub fn format(parsed: &Parsed, source: &str) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        comments: &parsed.comments,
        next: 0,
        source,
        last_end: 0,
        at_block_start: true,
    };
    for i in &parsed.imports {
        let text = format!("import {} as {}", quote(&i.path.value), i.alias.name);
        p.leaf(i.loc, &text);
    }
    if !parsed.imports.is_empty() {
        // One blank line between the imports and the block, always.
        p.out.push('\n');
        p.at_block_start = true;
    }
    p.layout(&parsed.layout, parsed.library);
    p.flush_comments(usize::MAX);
    p.out
}

struct Printer<'a> {
    out: String,
    indent: usize,
    comments: &'a [Comment],
    next: usize,
    source: &'a str,
    last_end: usize,
    at_block_start: bool,
}

impl Printer<'_> {
    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
        self.at_block_start = false;
    }

    /// A blank line when the source had one between the last thing printed and `start`.
    fn blank_before(&mut self, start: usize) {
        let gap = self.source.get(self.last_end..start).unwrap_or("");
        if !self.at_block_start && gap.matches('\n').count() >= 2 {
            self.out.push('\n');
        }
    }

    /// Prints, each on its own line, the comments that start before `before`.
    fn flush_comments(&mut self, before: usize) {
        while let Some(c) = self.comments.get(self.next) {
            if c.loc.0.start >= before {
                break;
            }
            self.blank_before(c.loc.0.start);
            self.line(&c.text);
            self.last_end = self.last_end.max(c.loc.0.end);
            self.next += 1;
        }
    }

    /// Appends a comment that follows `end` on the same source line, with
    /// only blanks (and, after a block header, its `{`) in between.
    fn trailing(&mut self, end: usize, after_header: bool) {
        let Some(c) = self.comments.get(self.next) else {
            return;
        };
        let gap = self.source.get(end..c.loc.0.start).unwrap_or("\n");
        let gap = if after_header {
            gap.trim_start_matches([' ', '\t'])
                .strip_prefix('{')
                .unwrap_or("\n")
        } else {
            gap
        };
        if c.loc.0.start >= end && gap.chars().all(|ch| ch == ' ' || ch == '\t') {
            if self.out.ends_with('\n') {
                self.out.pop();
            }
            self.out.push(' ');
            self.out.push_str(&c.text);
            self.out.push('\n');
            self.last_end = c.loc.0.end;
            self.next += 1;
        }
    }

    /// A clause on one line.
    fn leaf(&mut self, loc: Loc, text: &str) {
        self.flush_comments(loc.0.start);
        self.blank_before(loc.0.start);
        // Comments inside a one-line clause move before it.
        let had_inner = self
            .comments
            .get(self.next)
            .is_some_and(|c| c.loc.0.start < loc.0.end);
        if had_inner {
            self.last_end = loc.0.start;
            self.flush_comments(loc.0.end);
        }
        self.line(text);
        self.last_end = loc.0.end;
        self.trailing(loc.0.end, false);
    }

    /// Opens a block whose header ends at `header.end`; returns false (and
    /// prints `HEAD {}`) when the block is empty and holds no comment.
    fn open(&mut self, header: Loc, whole: Loc, text: &str, empty: bool) -> bool {
        let has_comment = self
            .comments
            .get(self.next)
            .is_some_and(|c| c.loc.0.start < whole.0.end && c.loc.0.start >= header.0.end);
        if empty && !has_comment {
            self.leaf(whole, &format!("{text} {{}}"));
            return false;
        }
        self.flush_comments(header.0.start);
        self.blank_before(header.0.start);
        self.line(&format!("{text} {{"));
        self.last_end = header.0.end;
        self.trailing(header.0.end, true);
        self.indent += 1;
        self.at_block_start = true;
        true
    }

    fn close(&mut self, whole: Loc) {
        self.flush_comments(whole.0.end.saturating_sub(1));
        self.indent = self.indent.saturating_sub(1);
        self.line("}");
        self.last_end = whole.0.end;
        self.trailing(whole.0.end, false);
    }

    fn layout(&mut self, l: &Layout, library: bool) {
        let keyword = if library { "library" } else { "layout" };
        let head = format!("{keyword} {}", quote(&l.name.value));
        if self.open(l.header, l.loc, &head, l.items.is_empty()) {
            for item in &l.items {
                self.item(item);
            }
            self.close(l.loc);
        }
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Expires(c) => self.leaf(c.loc, &format!("expires {}", c.value.text)),
            Item::Readme(c) => self.leaf(c.loc, &format!("readme {}", quote(&c.value.value))),
            Item::Key(k) => {
                let mut t = format!(
                    "key {} = {} {}",
                    k.name.name,
                    k.kind.name,
                    quote(&k.value.value)
                );
                if let Some(s) = &k.scheme {
                    t.push_str(&format!(" scheme {}", quote(&s.value)));
                }
                self.leaf(k.loc, &t);
            }
            Item::TrustRoot(c) => {
                self.leaf(c.loc, &format!("trust-root {}", quote(&c.value.value)));
            }
            Item::Identity(i) => {
                let head = format!("identity {} = {}", i.name.name, i.kind.name);
                if self.open(i.header, i.loc, &head, i.claims.is_empty()) {
                    for c in &i.claims {
                        let mut t = c.name.name.clone();
                        if c.regex {
                            t.push_str(" matches");
                        }
                        if let Some(v) = &c.value {
                            t.push(' ');
                            t.push_str(&quote(&v.value));
                        }
                        self.leaf(c.loc, &t);
                    }
                    self.close(i.loc);
                }
            }
            Item::Param(p) => {
                let mut t = format!("param {}", p.name.name);
                if let Some(d) = &p.default {
                    t.push_str(&format!(" = {}", quote(&d.value)));
                }
                self.leaf(p.loc, &t);
            }
            Item::Step(s) => {
                let head = format!("step {}", s.name.name);
                if self.open(s.header, s.loc, &head, s.items.is_empty()) {
                    for i in &s.items {
                        match i {
                            StepItem::By(b) => self.leaf(b.loc, &by(b)),
                            StepItem::Command(c) => {
                                self.leaf(c.loc, &format!("command {}", quotes(&c.value)));
                            }
                            StepItem::Rules(r) => self.rules(r),
                            StepItem::Attestation(a) => self.attestation(a),
                        }
                    }
                    self.close(s.loc);
                }
            }
            Item::Inspection(i) => {
                let head = format!("inspection {}", i.name.name);
                if self.open(i.header, i.loc, &head, i.items.is_empty()) {
                    for it in &i.items {
                        match it {
                            InspectionItem::Run(r) => {
                                self.leaf(r.loc, &format!("run {}", quotes(&r.value)));
                            }
                            InspectionItem::Rules(r) => self.rules(r),
                        }
                    }
                    self.close(i.loc);
                }
            }
            Item::Artifact(a) => self.leaf(a.loc, &format!("artifact from {}", a.value.name)),
            Item::Summary(s) => {
                let header = Loc(cairn_base::source::Span::new(
                    s.loc.0.start,
                    s.loc.0.start + 7,
                ));
                if self.open(header, s.loc, "summary", s.items.is_empty()) {
                    for it in &s.items {
                        match it {
                            SummaryItem::Verifier(v) => {
                                self.leaf(v.loc, &format!("verifier {}", quote(&v.value.value)));
                            }
                            SummaryItem::Levels(l) => {
                                self.leaf(l.loc, &format!("levels {}", quotes(&l.value)));
                            }
                        }
                    }
                    self.close(s.loc);
                }
            }
            Item::CheckSet(c) => {
                let head = format!(
                    "checks {} for {}",
                    c.name.name,
                    type_text(&c.predicate_type)
                );
                if self.open(c.header, c.loc, &head, c.items.is_empty()) {
                    for it in &c.items {
                        match it {
                            SetItem::Check(check) => self.leaf(check.loc, &check_text(check)),
                            SetItem::Use(u) => self.leaf(u.loc, &format!("checks {}", u.name.name)),
                        }
                    }
                    self.close(c.loc);
                }
            }
        }
    }

    fn rules(&mut self, r: &RuleBlock) {
        let head = match r.side {
            BlockSide::Materials => "materials",
            BlockSide::Products => "products",
        };
        let start = r.loc.0.start;
        let header = Loc(cairn_base::source::Span::new(start, start + head.len()));
        if self.open(header, r.loc, head, r.rules.is_empty()) {
            for rule in &r.rules {
                self.leaf(rule.loc, &rule_text(rule));
            }
            self.close(r.loc);
        }
    }

    fn attestation(&mut self, a: &AttestationDecl) {
        let head = format!("attestation {}", type_text(&a.predicate_type));
        if self.open(a.header, a.loc, &head, a.items.is_empty()) {
            for i in &a.items {
                match i {
                    AttestationItem::By(b) => self.leaf(b.loc, &by(b)),
                    AttestationItem::Rules(r) => self.rules(r),
                    AttestationItem::Check(c) => self.leaf(c.loc, &check_text(c)),
                    AttestationItem::Use(u) => self.leaf(u.loc, &format!("checks {}", u.name.name)),
                }
            }
            self.close(a.loc);
        }
    }
}

/// A string literal that reads back as `s`. Newlines stay raw so that a PEM
/// block keeps its shape.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn type_text(t: &TypeRef) -> String {
    match t {
        TypeRef::Alias(t) => t.text.clone(),
        TypeRef::Uri(s) => quote(&s.value),
    }
}

fn quotes(items: &[Str]) -> String {
    items
        .iter()
        .map(|s| quote(&s.value))
        .collect::<Vec<_>>()
        .join(" ")
}

fn by(b: &By) -> String {
    let names = b
        .names
        .iter()
        .map(|n| n.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match &b.threshold {
        Some(t) => format!("by {} of {names}", t.text),
        None => format!("by {names}"),
    }
}

fn rule_text(r: &RuleDecl) -> String {
    let mut t = format!("{} {}", r.verb.name, quote(&r.pattern.value));
    if let Some(p) = &r.src_prefix {
        t.push_str(&format!(" in {}", quote(&p.value)));
    }
    if let Some(w) = &r.with {
        t.push_str(&format!(" with {}", w.side.name));
        if let Some(p) = &w.dst_prefix {
            t.push_str(&format!(" in {}", quote(&p.value)));
        }
        t.push_str(&format!(" from {}", w.from.name));
    }
    t
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Str(s) => quote(&s.value),
        Value::Number(n) => n.text.clone(),
        Value::Bool(b, _) => b.to_string(),
        Value::Null(_) => "null".to_string(),
    }
}

fn check_text(c: &CheckDecl) -> String {
    let mut t = c.level.name.clone();
    if let TestDecl::Cel {
        expr, if_present, ..
    } = &c.test
    {
        t.push_str(&format!(" cel {}", quote(&expr.value)));
        if if_present.is_some() {
            t.push_str(" if present");
        }
        return t;
    }
    if let Some(q) = &c.quantifier {
        t.push(' ');
        t.push_str(&q.name);
    }
    t.push(' ');
    t.push_str(&c.path.text);
    t.push(' ');
    t.push_str(&match &c.test {
        TestDecl::Compare { op, value } => format!("{} {}", op.text, value_text(value)),
        TestDecl::In(vs) => format!(
            "in [{}]",
            vs.value
                .iter()
                .map(value_text)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TestDecl::Matches(s) => format!("matches {}", quote(&s.value)),
        TestDecl::Exists(_) => "exists".to_string(),
        TestDecl::IsEmpty(_) => "is empty".to_string(),
        TestDecl::IsNotEmpty(_) => "is not empty".to_string(),
        TestDecl::Cel { .. } => String::new(),
    });
    t
}
