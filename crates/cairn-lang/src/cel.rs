//! CEL checks (`require cel "EXPR"`): compiling an expression with the
//! `cel` crate (cel-rust) under cairn's bounds, and what evaluation needs to
//! know about it to bound its cost.
//!
//! The bounds, all checked before the expression runs:
//! - the expression is at most [`MAX_LEN`] bytes;
//! - it is parsed, and run, on a thread of its own with a [`STACK`]-byte
//!   stack: cel-rust's parser and evaluator recurse once per nesting level
//!   of the expression, and an expression of [`MAX_LEN`] bytes needs at most
//!   a few MiB of it (cel-rust itself refuses brackets and calls nested more
//!   than 96 deep);
//! - comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) nest at
//!   most [`MAX_COMPREHENSION_NESTING`] deep;
//! - every variable it reads is one cairn gives it (see [`VARIABLES`]), a
//!   comprehension's own, or a type name.
//!
//! cel-rust counts no evaluation steps; cairn estimates the cost of a run
//! before it starts instead (see [`Compiled::cost`]).

use ::cel::common::ast::{EntryExpr, Expr};

/// The longest CEL expression, in bytes.
pub const MAX_LEN: usize = 1024;

/// How deep comprehensions may nest (`a.all(x, b.exists(y, ...))` is 2).
pub const MAX_COMPREHENSION_NESTING: u32 = 2;

/// The stack of the thread an expression is parsed and run on, in bytes.
pub const STACK: usize = 64 << 20;

/// The largest estimated cost of one evaluation (see [`Compiled::cost`]).
pub const MAX_COST: u128 = 100_000_000;

/// The variables a CEL check reads: the Statement's members, as the
/// attestation-verifier names them.
pub const VARIABLES: &[&str] = &["_type", "subject", "predicateType", "predicate"];

/// Names CEL reads as types, never as variables.
const TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
];

/// Why an expression does not compile: a message and where, as a byte
/// offset into the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CelError {
    /// What is wrong, one line.
    pub message: String,
    /// A byte offset into the expression (at most its length).
    pub offset: usize,
    /// Which bound, if a bound was passed rather than the syntax broken.
    pub kind: CelErrorKind,
}

/// What kind of [`CelError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CelErrorKind {
    /// Not CEL: cel-rust's parser refuses it.
    Syntax,
    /// Longer than [`MAX_LEN`].
    TooLong,
    /// Comprehensions nested deeper than [`MAX_COMPREHENSION_NESTING`].
    TooNested,
    /// A variable cairn does not give.
    UnknownVariable,
}

/// What is known of a compiled expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compiled {
    /// The nodes of its syntax tree, macros expanded.
    pub nodes: u64,
    /// How deep its comprehensions nest (0: none).
    pub nesting: u32,
}

impl Compiled {
    /// The estimated cost of evaluating the expression over input of `size`
    /// JSON values (every object, array, string, number, boolean and null
    /// of the Statement counts one): its nodes times `size + MAX_LEN` to the
    /// power of its comprehension nesting. A list an expression can iterate
    /// holds no more elements than that (it comes from the input or is
    /// written in the expression), so the estimate bounds the iterations of
    /// every loop body; the work of one node (comparing two values, a
    /// regex match) is bounded by the input's own limits.
    pub fn cost(&self, size: u64) -> u128 {
        let width = u128::from(size) + MAX_LEN as u128;
        let mut cost = u128::from(self.nodes.max(1));
        for _ in 0..self.nesting {
            cost = cost.saturating_mul(width);
        }
        cost
    }
}

/// Compiles `expr` under the bounds above; what it gives is all evaluation
/// needs to know beforehand.
pub fn compile(expr: &str) -> Result<Compiled, CelError> {
    if expr.len() > MAX_LEN {
        let offset = (0..=MAX_LEN)
            .rev()
            .find(|i| expr.is_char_boundary(*i))
            .unwrap_or(0);
        return Err(CelError {
            message: format!(
                "the expression is {} bytes long, more than the {MAX_LEN} a CEL check may have",
                expr.len()
            ),
            offset,
            kind: CelErrorKind::TooLong,
        });
    }
    let text = expr.to_string();
    let outcome = std::thread::Builder::new()
        .name("cel-compile".into())
        .stack_size(STACK)
        .spawn(move || compile_here(&text));
    match outcome.map(|handle| handle.join()) {
        Ok(Ok(result)) => result,
        _ => Err(CelError {
            message: "the expression could not be compiled (no thread to compile it on)".into(),
            offset: 0,
            kind: CelErrorKind::Syntax,
        }),
    }
}

/// [`compile`] on the current thread (which must have a [`STACK`]-byte stack).
fn compile_here(expr: &str) -> Result<Compiled, CelError> {
    let program = ::cel::Program::compile(expr).map_err(|errors| {
        let first = errors.errors.first();
        let (line, column) = first.map_or((1, 1), |e| e.pos);
        let message =
            first.map_or_else(|| "the expression is not CEL".to_string(), |e| tidy(&e.msg));
        CelError {
            message,
            offset: offset_of(expr, line, column),
            kind: CelErrorKind::Syntax,
        }
    })?;
    let info = program.source_info();
    let at = |id: u64| {
        info.offset_for(id)
            .map_or(0, |(start, _)| char_offset(expr, start as usize))
    };
    // An explicit stack (the tree may be deep): each node with the
    // comprehension variables in scope and the comprehension depth.
    let mut nodes = 0u64;
    let mut nesting = 0u32;
    let mut stack: Vec<(&::cel::IdedExpr, Vec<&str>, u32)> =
        vec![(program.expression(), Vec::new(), 0)];
    while let Some((node, scope, depth)) = stack.pop() {
        nodes += 1;
        match &node.expr {
            Expr::Ident(name) => {
                let known = VARIABLES.contains(&name.as_str())
                    || TYPE_NAMES.contains(&name.as_str())
                    || scope.contains(&name.as_str());
                if !known {
                    return Err(CelError {
                        message: format!(
                            "`{name}` is not a variable here: a CEL check reads {}",
                            VARIABLES
                                .iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        offset: at(node.id),
                        kind: CelErrorKind::UnknownVariable,
                    });
                }
            }
            Expr::Call(call) => {
                if let Some(target) = &call.target {
                    stack.push((target, scope.clone(), depth));
                }
                for arg in &call.args {
                    stack.push((arg, scope.clone(), depth));
                }
            }
            Expr::Comprehension(c) => {
                let inner = depth + 1;
                if inner > MAX_COMPREHENSION_NESTING {
                    return Err(CelError {
                        message: format!(
                            "comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) nest {inner} deep here, more than the {MAX_COMPREHENSION_NESTING} a CEL check may have"
                        ),
                        offset: at(c.iter_range.id).min(at(node.id)),
                        kind: CelErrorKind::TooNested,
                    });
                }
                nesting = nesting.max(inner);
                stack.push((&c.iter_range, scope.clone(), depth));
                stack.push((&c.accu_init, scope.clone(), depth));
                let mut bound = scope.clone();
                bound.push(c.iter_var.as_str());
                if let Some(v) = &c.iter_var2 {
                    bound.push(v.as_str());
                }
                bound.push(c.accu_var.as_str());
                stack.push((&c.loop_cond, bound.clone(), inner));
                stack.push((&c.loop_step, bound.clone(), inner));
                stack.push((&c.result, bound, depth));
            }
            Expr::List(list) => {
                for e in &list.elements {
                    stack.push((e, scope.clone(), depth));
                }
            }
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let EntryExpr::MapEntry(e) = &entry.expr {
                        stack.push((&e.key, scope.clone(), depth));
                        stack.push((&e.value, scope.clone(), depth));
                    }
                }
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    match &entry.expr {
                        EntryExpr::StructField(f) => stack.push((&f.value, scope.clone(), depth)),
                        EntryExpr::MapEntry(e) => {
                            stack.push((&e.key, scope.clone(), depth));
                            stack.push((&e.value, scope.clone(), depth));
                        }
                    }
                }
            }
            Expr::Select(select) => stack.push((&select.operand, scope, depth)),
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }
    Ok(Compiled { nodes, nesting })
}

/// cel-rust's message without its prefix, on one line.
fn tidy(message: &str) -> String {
    let m = message.strip_prefix("Syntax error: ").unwrap_or(message);
    let m = if m.contains("Recursion limit") {
        "brackets or calls nest too deep (cel-rust allows 96 levels)"
    } else {
        m
    };
    m.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The byte offset of 1-based `line` and `column` (in characters) of `text`.
fn offset_of(text: &str, line: isize, column: isize) -> usize {
    if line < 1 || column < 1 {
        return 0;
    }
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == usize::try_from(line).unwrap_or(usize::MAX) {
            let col = usize::try_from(column - 1).unwrap_or(0);
            return start + l.char_indices().nth(col).map_or(l.len(), |(b, _)| b);
        }
        start += l.len();
    }
    text.len()
}

/// The byte offset of character `index` of `text`.
fn char_offset(text: &str, index: usize) -> usize {
    text.char_indices()
        .nth(index)
        .map_or(text.len(), |(b, _)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_measures() {
        let c = compile("size(subject) != 0").unwrap();
        assert_eq!(c.nesting, 0);
        assert!(c.nodes >= 4);
        let c = compile("predicate.p.exists(p, p['Name'] == 'connect')").unwrap();
        assert_eq!(c.nesting, 1);
        let c = compile("subject.all(s, predicate.l.exists(m, m.name == s.name))").unwrap();
        assert_eq!(c.nesting, 2);
        assert_eq!(c.cost(0), u128::from(c.nodes) * 1024 * 1024);
    }

    #[test]
    fn errors_point_into_the_expression() {
        let e = compile("predicate.x ==").unwrap_err();
        assert_eq!((e.kind, e.offset), (CelErrorKind::Syntax, 14));
        let e = compile("a +\n  )").unwrap_err();
        assert_eq!(e.offset, 6);
        let e = compile("predicate.x == bogus").unwrap_err();
        assert_eq!((e.kind, e.offset), (CelErrorKind::UnknownVariable, 15));
        // Comprehension variables and type names are known.
        assert!(compile("subject.all(s, type(s) == map)").is_ok());
        let e = compile("subject.all(a, subject.all(b, subject.all(c, true)))").unwrap_err();
        assert_eq!(e.kind, CelErrorKind::TooNested);
        assert_eq!(e.offset, "subject.all(a, subject.all(b, ".len());
        let long = format!("true{}", " && true".repeat(200));
        assert_eq!(compile(&long).unwrap_err().kind, CelErrorKind::TooLong);
        let deep = format!("{}1{}", "(".repeat(120), ")".repeat(120));
        assert_eq!(compile(&deep).unwrap_err().kind, CelErrorKind::Syntax);
    }

    #[test]
    fn deep_expressions_fit_the_stack() {
        // The shapes cel-rust recurses on most, at the length limit.
        for text in [
            vec!["1"; 255].join("+"),
            format!("{{}}{}", ".a".repeat(500)),
            format!("[1]{}", "[0]".repeat(340)),
            format!("{}1{}", "size(".repeat(95), ")".repeat(95)),
        ] {
            assert!(text.len() <= MAX_LEN);
            let _ = compile(&text);
        }
    }
}
