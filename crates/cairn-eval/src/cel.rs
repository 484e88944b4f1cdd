//! Evaluation of CEL checks (`require cel "EXPR"`) with the `cel` crate
//! (cel-rust), over a Statement as JSON ([`crate::view::View::statement_value`]).
//!
//! Bounded before it starts: the expression was compiled under
//! [`cairn_lang::cel`]'s bounds, the input is held to the evidence limits,
//! and a run whose estimated cost ([`cairn_lang::cel::Compiled::cost`]) is
//! above [`cairn_lang::cel::MAX_COST`] is refused. It runs on a thread of its
//! own with a [`cairn_lang::cel::STACK`]-byte stack.

use serde_json::Value;

use cairn_lang::cel::{self as bounds, Compiled};

/// What a CEL check gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `true`.
    Passed,
    /// `false`.
    Failed,
    /// No boolean: an error (a field the input lacks, no such overload, a
    /// bound passed), or a value of another type, with why.
    Error(String),
    /// It read a field or a variable the Statement lacks, with why: an
    /// error, unless the check says `if present`.
    Absent(String),
}

/// Compiles `expr` once, for [`evaluate`].
pub fn prepare(expr: &str) -> Result<Compiled, String> {
    bounds::compile(expr).map_err(|e| e.message)
}

/// Evaluates `expr` (compiled as `compiled`) over `statement`, whose
/// members are its variables.
pub fn evaluate(expr: &str, compiled: &Compiled, statement: &Value) -> Outcome {
    let size = json_size(statement);
    let cost = compiled.cost(size);
    if cost > bounds::MAX_COST {
        return Outcome::Error(format!(
            "its estimated cost over this attestation ({} nodes, comprehensions nested {} deep, over {size} JSON values) is above the limit of {}",
            compiled.nodes,
            compiled.nesting,
            bounds::MAX_COST
        ));
    }
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("cel-evaluate".into())
            .stack_size(bounds::STACK)
            .spawn_scoped(scope, || evaluate_here(expr, statement));
        match handle.map(|h| h.join()) {
            Ok(Ok(outcome)) => outcome,
            _ => Outcome::Error("it could not be evaluated (no thread to run it on)".into()),
        }
    })
}

/// [`evaluate`] on the current thread (which has a large enough stack).
fn evaluate_here(expr: &str, statement: &Value) -> Outcome {
    let program = match cel::Program::compile(expr) {
        Ok(p) => p,
        Err(e) => return Outcome::Error(format!("it does not compile: {e}")),
    };
    let mut context = cel::Context::default();
    if let Value::Object(members) = statement {
        for name in bounds::VARIABLES {
            if let Some(value) = members.get(*name) {
                if let Err(e) = context.add_variable(*name, value) {
                    return Outcome::Error(format!("`{name}` cannot be given to CEL: {e}"));
                }
            }
        }
    }
    match program.execute(&context) {
        Ok(cel::Value::Bool(true)) => Outcome::Passed,
        Ok(cel::Value::Bool(false)) => Outcome::Failed,
        Ok(other) => Outcome::Error(format!(
            "it gives {}, not a boolean",
            short(&format!("{other:?}"))
        )),
        Err(e @ cel::ExecutionError::NoSuchKey(_)) => Outcome::Absent(short(&e.to_string())),
        // A variable of the Statement it lacks (no `predicate`) is absent
        // too; any other undeclared name was refused when it compiled.
        Err(e @ cel::ExecutionError::UndeclaredReference(_)) => {
            Outcome::Absent(short(&e.to_string()))
        }
        Err(e) => Outcome::Error(short(&e.to_string())),
    }
}

/// How many JSON values `value` holds, itself included.
pub fn json_size(value: &Value) -> u64 {
    let mut count = 0u64;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        count += 1;
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// At most 200 characters of `text`, on one line.
fn short(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 200 {
        format!("{}...", one.chars().take(200).collect::<String>())
    } else {
        one
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(expr: &str, statement: &Value) -> Outcome {
        let compiled = prepare(expr).unwrap();
        evaluate(expr, &compiled, statement)
    }

    #[test]
    fn reads_the_statement() {
        let st = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "foo", "digest": {"gitCommit": "abc"}}],
            "predicateType": "https://in-toto.io/attestation/link/v0.3",
            "predicate": {"name": "checkout", "command": ["git", "clone"], "n": 1}
        });
        assert_eq!(run("size(subject) != 0", &st), Outcome::Passed);
        assert_eq!(
            run(
                "subject.exists(s, s.name == 'foo' && has(s.digest.gitCommit))",
                &st
            ),
            Outcome::Passed
        );
        assert_eq!(run("predicate.command[0] == 'git'", &st), Outcome::Passed);
        assert_eq!(
            run("predicate.n == 1 && predicate.n == 1.0", &st),
            Outcome::Passed
        );
        assert_eq!(run("predicateType.endsWith('v0.2')", &st), Outcome::Failed);
        assert_eq!(
            run("_type.startsWith('https://in-toto.io/')", &st),
            Outcome::Passed
        );
        // A field the Statement lacks is absent (an error unless the check
        // says `if present`); so is a variable it lacks.
        match run("predicate.missing == 1", &st) {
            Outcome::Absent(e) => assert!(e.contains("missing"), "{e}"),
            other => panic!("{other:?}"),
        }
        match run("predicate.n == 1", &json!({ "subject": [] })) {
            Outcome::Absent(e) => assert!(e.contains("predicate"), "{e}"),
            other => panic!("{other:?}"),
        }
        match run("predicate.name", &st) {
            Outcome::Error(e) => assert!(e.contains("not a boolean"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_a_run_above_the_cost_bound() {
        let many: Vec<Value> = (0..20_000).map(|i| json!({ "name": i })).collect();
        let st = json!({ "subject": [], "predicate": { "l": many } });
        match run("predicate.l.all(a, predicate.l.exists(b, a == b))", &st) {
            Outcome::Error(e) => assert!(e.contains("estimated cost"), "{e}"),
            other => panic!("{other:?}"),
        }
        // One comprehension over the same input is linear: it runs.
        assert_eq!(
            run("predicate.l.exists(b, b.name == 19999)", &st),
            Outcome::Passed
        );
    }
}
