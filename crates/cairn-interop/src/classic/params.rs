//! Parameter substitution in classic layouts, as in-toto 3.1.0 does it
//! (`reference/in-toto.md` 3.9): after the layout's signatures are verified,
//! every element of `expected_command`, of each rule of `expected_materials`
//! and `expected_products` of every step, and of `run` and the rules of every
//! inspection, is formatted with the parameters: `{name}` is replaced, `{{`
//! and `}}` are literal braces, and a name without a value is an error.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::InteropError;
use cairn_lang::ir::substitute;

/// Substitutes `params` into the signed layout object in place, collecting
/// every placeholder that has no value.
pub fn substitute_parameters(
    signed: &mut Value,
    params: &BTreeMap<String, String>,
) -> Result<(), Vec<InteropError>> {
    let mut errors = Vec::new();
    for (list, members) in [
        (
            "steps",
            &[
                "expected_command",
                "expected_materials",
                "expected_products",
            ][..],
        ),
        (
            "inspect",
            &["run", "expected_materials", "expected_products"][..],
        ),
    ] {
        let Some(items) = signed.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for (i, item) in items.iter_mut().enumerate() {
            for member in members {
                if let Some(value) = item.get_mut(*member) {
                    let field = format!("{list}[{i}].{member}");
                    substitute_strings(value, &field, params, &mut errors);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn substitute_strings(
    value: &mut Value,
    field: &str,
    params: &BTreeMap<String, String>,
    errors: &mut Vec<InteropError>,
) {
    match value {
        Value::String(text) => match substitute(text, params) {
            Ok(done) => *text = done,
            Err(missing) => {
                errors.extend(
                    missing
                        .into_iter()
                        .map(|name| InteropError::MissingParameter {
                            field: field.to_string(),
                            name,
                        }),
                )
            }
        },
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                substitute_strings(item, &format!("{field}[{i}]"), params, errors);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_commands_and_rules_only() {
        let mut layout = json!({
            "readme": "{untouched}",
            "steps": [{"expected_command": ["git", "clone", "{repo}"],
                       "expected_products": [["CREATE", "{name}.tar.gz"]]}],
            "inspect": [{"run": ["tar", "xf", "{name}.tar.gz", "{{x}}"]}]
        });
        let params = BTreeMap::from([
            ("repo".to_string(), "r".to_string()),
            ("name".to_string(), "foo".to_string()),
        ]);
        substitute_parameters(&mut layout, &params).unwrap();
        assert_eq!(layout["readme"], "{untouched}");
        assert_eq!(layout["steps"][0]["expected_command"][2], "r");
        assert_eq!(layout["steps"][0]["expected_products"][0][1], "foo.tar.gz");
        assert_eq!(layout["inspect"][0]["run"][3], "{x}");
    }

    #[test]
    fn a_missing_parameter_names_its_field() {
        let mut layout = json!({"steps": [{"expected_command": ["{nope}"]}]});
        let errors = substitute_parameters(&mut layout, &BTreeMap::new()).unwrap_err();
        assert_eq!(
            errors,
            vec![InteropError::MissingParameter {
                field: "steps[0].expected_command[0]".into(),
                name: "nope".into()
            }]
        );
    }
}
