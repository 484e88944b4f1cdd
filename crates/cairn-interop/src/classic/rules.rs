//! Artifact rules in their classic form: parsing a rule array exactly as
//! python's `rulelib.unpack_rule` does (keywords case-insensitive, fixed
//! array lengths, `materials|products` plural only), and writing one back.

use serde_json::Value;

use cairn_lang::ir::{RuleKind, Side};

/// A parsed classic rule; the `FROM` target is still a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Classic {
    /// Any rule but MATCH, in its IR form.
    Simple(RuleKind),
    /// A MATCH rule.
    Match {
        pattern: String,
        src_prefix: Option<String>,
        side: Side,
        dst_prefix: Option<String>,
        from: String,
    },
}

impl Classic {
    /// The IR rule, the MATCH target resolved by `resolve` (for tests that
    /// build IR by hand from classic rule arrays).
    #[doc(hidden)]
    pub fn into_kind(self, resolve: impl Fn(&str) -> cairn_lang::ir::Target) -> RuleKind {
        match self {
            Classic::Simple(kind) => kind,
            Classic::Match {
                pattern,
                src_prefix,
                side,
                dst_prefix,
                from,
            } => RuleKind::Match {
                pattern,
                src_prefix,
                side,
                dst_prefix,
                from: resolve(&from),
            },
        }
    }
}

fn side(token: &str) -> Result<Side, String> {
    match token.to_ascii_lowercase().as_str() {
        "materials" => Ok(Side::Materials),
        "products" => Ok(Side::Products),
        _ => Err(format!(
            "expected `MATERIALS` or `PRODUCTS` after `WITH`, found `{token}`"
        )),
    }
}

fn keyword(tokens: &[&str], index: usize, expected: &str) -> Result<(), String> {
    let found = tokens.get(index).copied().unwrap_or("");
    if found.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(format!(
            "expected `{expected}` at position {index}, found `{found}`"
        ))
    }
}

/// An `IN` prefix: python treats an empty prefix as none.
fn prefix(p: &str) -> Option<String> {
    (!p.is_empty()).then(|| p.to_string())
}

/// Parses one rule array. Errors are the reason only; the caller names the field.
pub fn unpack(rule: &Value) -> Result<Classic, String> {
    let Value::Array(items) = rule else {
        return Err("a rule must be an array of strings".into());
    };
    let mut tokens = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => tokens.push(s.as_str()),
            _ => return Err("a rule must be an array of strings".into()),
        }
    }
    let Some(first) = tokens.first() else {
        return Err("the rule is empty".into());
    };
    let lower = first.to_ascii_lowercase();
    let arg = |kind: &str| -> Result<String, String> {
        match tokens.as_slice() {
            [_, a] => Ok((*a).to_string()),
            _ => Err(format!(
                "`{kind}` takes exactly one argument, found {}",
                tokens.len().saturating_sub(1)
            )),
        }
    };
    let simple = match lower.as_str() {
        "create" => RuleKind::Create { pattern: arg("CREATE")? },
        "delete" => RuleKind::Delete { pattern: arg("DELETE")? },
        "modify" => RuleKind::Modify { pattern: arg("MODIFY")? },
        "allow" => RuleKind::Allow { pattern: arg("ALLOW")? },
        "disallow" => RuleKind::Disallow { pattern: arg("DISALLOW")? },
        "require" => RuleKind::Require { name: arg("REQUIRE")? },
        "match" => return unpack_match(&tokens),
        _ => {
            return Err(format!(
                "unknown rule `{first}`, expected one of CREATE, DELETE, MODIFY, ALLOW, DISALLOW, REQUIRE, MATCH"
            ))
        }
    };
    Ok(Classic::Simple(simple))
}

fn unpack_match(t: &[&str]) -> Result<Classic, String> {
    let get = |i: usize| t.get(i).copied().unwrap_or("");
    let pattern = get(1).to_string();
    // The four shapes of python's `unpack_rule`, told apart by length and
    // by the keyword at position 2.
    let (src, dst_side, dst, from) = match t.len() {
        6 => {
            keyword(t, 2, "WITH")?;
            keyword(t, 4, "FROM")?;
            (None, get(3), None, get(5))
        }
        8 if get(2).eq_ignore_ascii_case("IN") => {
            keyword(t, 4, "WITH")?;
            keyword(t, 6, "FROM")?;
            (prefix(get(3)), get(5), None, get(7))
        }
        8 => {
            keyword(t, 2, "WITH")?;
            keyword(t, 4, "IN")?;
            keyword(t, 6, "FROM")?;
            (None, get(3), prefix(get(5)), get(7))
        }
        10 => {
            keyword(t, 2, "IN")?;
            keyword(t, 4, "WITH")?;
            keyword(t, 6, "IN")?;
            keyword(t, 8, "FROM")?;
            (prefix(get(3)), get(5), prefix(get(7)), get(9))
        }
        n => return Err(format!("`MATCH` rules have 6, 8 or 10 elements, found {n}")),
    };
    Ok(Classic::Match {
        pattern,
        src_prefix: src,
        side: side(dst_side)?,
        dst_prefix: dst,
        from: from.to_string(),
    })
}

/// Writes a rule as a classic array; `target` is the `FROM` name of a MATCH.
pub(crate) fn pack(kind: &RuleKind, target: &str) -> Vec<String> {
    let two = |k: &str, p: &str| vec![k.to_string(), p.to_string()];
    match kind {
        RuleKind::Create { pattern } => two("CREATE", pattern),
        RuleKind::Delete { pattern } => two("DELETE", pattern),
        RuleKind::Modify { pattern } => two("MODIFY", pattern),
        RuleKind::Allow { pattern } => two("ALLOW", pattern),
        RuleKind::Disallow { pattern } => two("DISALLOW", pattern),
        RuleKind::Require { name } => two("REQUIRE", name),
        RuleKind::Match {
            pattern,
            src_prefix,
            side,
            dst_prefix,
            ..
        } => {
            let mut out = vec!["MATCH".to_string(), pattern.clone()];
            if let Some(p) = src_prefix {
                out.extend(["IN".to_string(), p.clone()]);
            }
            out.push("WITH".into());
            out.push(match side {
                Side::Materials => "MATERIALS".into(),
                Side::Products => "PRODUCTS".into(),
            });
            if let Some(p) = dst_prefix {
                out.extend(["IN".to_string(), p.clone()]);
            }
            out.extend(["FROM".to_string(), target.to_string()]);
            out
        }
    }
}

/// True for a pattern made of stars only: it matches every name.
pub(crate) fn matches_all(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.chars().all(|c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(pattern: &str, src: Option<&str>, side: Side, dst: Option<&str>, from: &str) -> Classic {
        Classic::Match {
            pattern: pattern.into(),
            src_prefix: src.map(Into::into),
            side,
            dst_prefix: dst.map(Into::into),
            from: from.into(),
        }
    }

    #[test]
    fn unpacks_every_shape_case_insensitively() {
        assert_eq!(
            unpack(&json!(["cReAtE", "a*"])),
            Ok(Classic::Simple(RuleKind::Create {
                pattern: "a*".into()
            }))
        );
        assert_eq!(
            unpack(&json!(["require", "Foo"])),
            Ok(Classic::Simple(RuleKind::Require { name: "Foo".into() }))
        );
        assert_eq!(
            unpack(&json!(["match", "*", "with", "Products", "from", "Build"])),
            Ok(m("*", None, Side::Products, None, "Build"))
        );
        assert_eq!(
            unpack(&json!([
                "MATCH",
                "*",
                "IN",
                "dist",
                "WITH",
                "MATERIALS",
                "FROM",
                "s"
            ])),
            Ok(m("*", Some("dist"), Side::Materials, None, "s"))
        );
        assert_eq!(
            unpack(&json!([
                "MATCH",
                "*",
                "WITH",
                "MATERIALS",
                "IN",
                "b/",
                "FROM",
                "s"
            ])),
            Ok(m("*", None, Side::Materials, Some("b/"), "s"))
        );
        assert_eq!(
            unpack(&json!([
                "MATCH", "*", "IN", "", "WITH", "PRODUCTS", "IN", "x", "FROM", "s"
            ])),
            Ok(m("*", None, Side::Products, Some("x"), "s"))
        );
    }

    #[test]
    fn refuses_what_python_refuses() {
        for bad in [
            json!([]),
            json!("CREATE foo"),
            json!(["CREATE"]),
            json!(["CREATE", "a", "b"]),
            json!(["CREATE", 1]),
            json!(["COPY", "a"]),
            json!(["MATCH", "*", "WITH", "PRODUCT", "FROM", "s"]),
            json!(["MATCH", "*", "WITH", "PRODUCTS", "IN", "s"]),
            json!(["MATCH", "*", "IN", "x", "WITH", "PRODUCTS", "TO", "s"]),
            json!(["MATCH", "*", "WITH", "PRODUCTS", "FROM", "s", "x"]),
        ] {
            assert!(unpack(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pack_inverts_unpack() {
        let rule = json!(["MATCH", "*", "IN", "a", "WITH", "PRODUCTS", "IN", "b", "FROM", "s"]);
        let Ok(Classic::Match {
            pattern,
            src_prefix,
            side,
            dst_prefix,
            from,
        }) = unpack(&rule)
        else {
            panic!("unpack failed");
        };
        let kind = RuleKind::Match {
            pattern,
            src_prefix,
            side,
            dst_prefix,
            from: cairn_lang::ir::Target::Step(cairn_lang::ir::StepId(0)),
        };
        assert_eq!(json!(pack(&kind, &from)), rule);
        assert!(matches_all("**") && !matches_all("*a") && !matches_all(""));
    }

    fn token() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("[a-z*?/.!\\[\\]-]{1,8}").unwrap()
    }

    proptest::proptest! {
        #[test]
        fn unpack_inverts_pack(
            verb in 0usize..7,
            pattern in token(),
            src in proptest::option::of(token()),
            dst in proptest::option::of(token()),
            products: bool,
            from in "[a-z][a-z0-9-]{0,6}",
        ) {
            let side = if products { Side::Products } else { Side::Materials };
            let kind = match verb {
                0 => RuleKind::Create { pattern: pattern.clone() },
                1 => RuleKind::Delete { pattern: pattern.clone() },
                2 => RuleKind::Modify { pattern: pattern.clone() },
                3 => RuleKind::Allow { pattern: pattern.clone() },
                4 => RuleKind::Disallow { pattern: pattern.clone() },
                5 => RuleKind::Require { name: pattern.clone() },
                _ => RuleKind::Match {
                    pattern: pattern.clone(),
                    src_prefix: src.clone(),
                    side,
                    dst_prefix: dst.clone(),
                    from: cairn_lang::ir::Target::Step(cairn_lang::ir::StepId(0)),
                },
            };
            let unpacked = unpack(&json!(pack(&kind, &from))).unwrap();
            let expected = match kind {
                RuleKind::Match { .. } => Classic::Match {
                    pattern,
                    src_prefix: src,
                    side,
                    dst_prefix: dst,
                    from,
                },
                other => Classic::Simple(other),
            };
            proptest::prop_assert_eq!(unpacked, expected);
        }
    }
}
