//! Import of an attestation-verifier YAML layout (ITE-10/11,
//! `reference/in-toto.md` 8.3) as `.cairn` source text.
//!
//! Each step becomes a step whose `by` is every functionary it names, and
//! each `expectedPredicates` entry an `attestation` block with its own
//! functionaries and threshold, the step's artifact rules (products only for
//! transformational predicates, as ITE-10 says) and its `expectedAttributes`
//! translated to native checks where cairn can express them (comparisons of
//! a path into the Statement, `predicate.…`, `subject…`, `predicateType`,
//! with a literal, `size(…) == 0`, `has(…)` and `in [...]`), and to a
//! `cel "…"` check of the rule itself otherwise. Every construct that cannot
//! be translated (CEL cairn does not accept, `allowIfNoClaim` on a rule only
//! CEL can say) is an error naming it; nothing is dropped silently. This
//! module does no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;

use super::source::{ident, quote};
use cairn_evidence::keyfile::keyids;
use cairn_evidence::keys::PublicKey;
use cairn_evidence::predicates::{artifact_model, by_alias, ArtifactModel};

/// What cannot be imported from an attestation-verifier layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum Ite10Error {
    /// Not YAML of the expected shape.
    #[error("not an attestation-verifier layout: {reason}")]
    #[diagnostic(code(E550), help("see the layout format of in-toto/attestation-verifier (`expires`, `functionaries`, `steps`)"))]
    Yaml {
        /// serde_yaml_ng's message, with line and column.
        reason: String,
    },
    /// A functionary key cairn cannot use, or whose keyid is not its hash.
    #[error("functionary `{keyid}`: {reason}")]
    #[diagnostic(code(E551), help("give `keyType`, `scheme` and `keyVal.public` of an ed25519, ECDSA (P-256, P-384, P-521) or RSA key, under its securesystemslib keyid"))]
    Key {
        /// The map key.
        keyid: String,
        /// What is wrong.
        reason: String,
    },
    /// `--param` values that name each other in a cycle.
    #[error("the parameters refer to each other in a cycle: {cycle}")]
    #[diagnostic(
        code(E553),
        help("give each parameter a value that does not lead back to itself")
    )]
    ParamCycle {
        /// The names, first to last, the first repeated at the end.
        cycle: String,
    },
    /// A construct with no cairn equivalent.
    #[error("step `{step}`: {what} cannot be expressed in cairn")]
    #[diagnostic(
        code(E552),
        help("rewrite it by hand in the imported policy, or remove it from the layout")
    )]
    Unsupported {
        /// The step.
        step: String,
        /// The construct, e.g. ``the attribute rule `predicate.x.exists(...)` ``.
        what: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Yaml {
    expires: String,
    #[serde(default, deserialize_with = "unique_keys")]
    functionaries: BTreeMap<String, YamlKey>,
    #[serde(default)]
    steps: Vec<YamlStep>,
    #[serde(default)]
    subjects: Vec<serde_yaml_ng::Value>,
    #[serde(default)]
    inspections: Vec<serde_yaml_ng::Value>,
}

/// A map whose keys must be distinct: a keyid given twice is refused, not
/// overwritten.
fn unique_keys<'de, D>(deserializer: D) -> Result<BTreeMap<String, YamlKey>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = BTreeMap<String, YamlKey>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map from keyid to key")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, YamlKey>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!(
                        "the functionary `{k}` is given twice"
                    )));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Visitor)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct YamlKey {
    key_type: String,
    scheme: String,
    key_val: KeyVal,
}

#[derive(Debug, Deserialize)]
struct KeyVal {
    public: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct YamlStep {
    name: String,
    #[serde(default)]
    command: String,
    #[serde(default)]
    expected_materials: Vec<String>,
    #[serde(default)]
    expected_products: Vec<String>,
    #[serde(default)]
    expected_predicates: Vec<Predicate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Predicate {
    predicate_type: String,
    #[serde(default)]
    functionaries: Vec<String>,
    #[serde(default)]
    threshold: u32,
    #[serde(default)]
    expected_attributes: Vec<Attribute>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Attribute {
    rule: String,
    #[serde(default)]
    allow_if_no_claim: bool,
    #[serde(default)]
    warn: bool,
    #[serde(default)]
    debug: String,
}

/// Translates the YAML text of an attestation-verifier layout into `.cairn`
/// source named `name` (not yet formatted). Also returns notes about parts
/// the attestation-verifier itself ignores (`subjects`, `inspections`).
pub fn to_cairn(text: &str, name: &str) -> Result<(String, Vec<String>), Vec<Ite10Error>> {
    to_cairn_with(text, name, &BTreeMap::new())
}

/// [`to_cairn`] with parameters substituted as the attestation-verifier's
/// `--substitute-parameters` does: every `{NAME}` of a given parameter is
/// replaced in the steps' strings (commands, artifact rules, predicate types,
/// attribute rules), and a value naming other parameters is expanded first.
/// A placeholder left without a value becomes a `param` of the policy, to be
/// given to `cairn verify --param`.
pub fn to_cairn_with(
    text: &str,
    name: &str,
    params: &BTreeMap<String, String>,
) -> Result<(String, Vec<String>), Vec<Ite10Error>> {
    let mut yaml: Yaml = serde_yaml_ng::from_str(text).map_err(|e| {
        vec![Ite10Error::Yaml {
            reason: e.to_string(),
        }]
    })?;
    let mut sub = Substitution {
        params: expand(params).map_err(|e| vec![e])?,
        used: BTreeSet::new(),
        open: BTreeSet::new(),
    };
    for step in &mut yaml.steps {
        sub.step(step);
    }
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    // A parameter used only inside another's value is used too.
    let mut grew = true;
    while grew {
        grew = false;
        for name in params.keys() {
            if !sub.used.contains(name)
                && sub.used.iter().any(|u| {
                    params
                        .get(u)
                        .is_some_and(|v| v.contains(&format!("{{{name}}}")))
                })
            {
                sub.used.insert(name.clone());
                grew = true;
            }
        }
    }
    for name in sub.params.keys().filter(|n| !sub.used.contains(*n)) {
        notes.push(format!(
            "the parameter `{name}` is used nowhere in the layout"
        ));
    }
    if !yaml.subjects.is_empty() {
        notes.push("`subjects` is ignored, as the attestation-verifier ignores it".to_string());
    }
    if !yaml.inspections.is_empty() {
        notes.push("`inspections` is ignored, as the attestation-verifier ignores it".to_string());
    }
    unspellable(name, &yaml, &mut errors);
    let mut out = String::new();
    let _ = writeln!(out, "layout {} {{", quote(name));
    let _ = writeln!(out, "expires {}", yaml.expires);
    for param in &sub.open {
        if ident(param) == *param {
            let _ = writeln!(out, "param {param}");
            notes.push(format!(
                "`{{{param}}}` has no value: it is the policy's parameter `{param}` (give it with `--param {param}=VALUE`)"
            ));
        } else {
            errors.push(Ite10Error::Unsupported {
                step: "(layout)".to_string(),
                what: format!("the placeholder `{{{param}}}`, which is not a parameter name,"),
            });
        }
    }
    let mut names = BTreeMap::new();
    for (keyid, key) in &yaml.functionaries {
        match key_line(keyid, key) {
            Ok(line) => {
                let short: String = keyid.chars().take(8).collect();
                let key_name = format!("key-{short}");
                let _ = writeln!(out, "key {key_name} = {line}");
                names.insert(keyid.clone(), key_name);
            }
            Err(reason) => errors.push(Ite10Error::Key {
                keyid: keyid.clone(),
                reason,
            }),
        }
    }
    for step in &yaml.steps {
        self::step(&mut out, step, &names, &mut errors);
    }
    out.push_str("}\n");
    if errors.is_empty() {
        Ok((out, notes))
    } else {
        Err(errors)
    }
}

/// The parameters with each value's own `{NAME}` placeholders of other
/// parameters replaced, as the attestation-verifier's replacer repeated to a
/// fixpoint does; a parameter that reaches itself is refused.
fn expand(params: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, Ite10Error> {
    let mut done: BTreeMap<String, String> = BTreeMap::new();
    for name in params.keys() {
        let mut path = Vec::new();
        expand_one(name, params, &mut done, &mut path)?;
    }
    Ok(done)
}

fn expand_one(
    name: &str,
    params: &BTreeMap<String, String>,
    done: &mut BTreeMap<String, String>,
    path: &mut Vec<String>,
) -> Result<String, Ite10Error> {
    if let Some(value) = done.get(name) {
        return Ok(value.clone());
    }
    if path.iter().any(|p| p == name) {
        path.push(name.to_string());
        return Err(Ite10Error::ParamCycle {
            cycle: path.join(" -> "),
        });
    }
    let Some(raw) = params.get(name) else {
        return Ok(format!("{{{name}}}"));
    };
    path.push(name.to_string());
    // Braces of a value are literal in the policy (`{{`, `}}`).
    let mut value = raw.replace('{', "{{").replace('}', "}}");
    for other in params.keys() {
        let placeholder = format!("{{{{{other}}}}}");
        if value.contains(&placeholder) {
            let expanded = expand_one(other, params, done, path)?;
            value = value.replace(&placeholder, &expanded);
        }
    }
    path.pop();
    done.insert(name.to_string(), value.clone());
    Ok(value)
}

/// Parameter substitution over a layout's strings: the values, the
/// parameters used, and the placeholders left without a value.
struct Substitution {
    params: BTreeMap<String, String>,
    used: BTreeSet<String>,
    open: BTreeSet<String>,
}

impl Substitution {
    /// Replaces each `{NAME}` of a parameter in `text`, and records the
    /// placeholders that are left.
    fn apply(&mut self, text: &mut String) {
        for (name, value) in &self.params {
            let placeholder = format!("{{{name}}}");
            if text.contains(&placeholder) {
                *text = text.replace(&placeholder, value);
                self.used.insert(name.clone());
            }
        }
        if let Err(missing) = cairn_lang::ir::substitute(text, &BTreeMap::new()) {
            self.open.extend(missing);
        }
    }

    fn step(&mut self, step: &mut YamlStep) {
        self.apply(&mut step.command);
        for rule in step
            .expected_materials
            .iter_mut()
            .chain(&mut step.expected_products)
        {
            self.apply(rule);
        }
        for p in &mut step.expected_predicates {
            self.apply(&mut p.predicate_type);
            for a in &mut p.expected_attributes {
                self.apply(&mut a.rule);
            }
        }
    }
}

/// Refuses (E552) every string the layout would print that no policy can
/// spell (a control or invisible character, see
/// [`super::source::spellable`]), naming it and its step.
fn unspellable(name: &str, yaml: &Yaml, errors: &mut Vec<Ite10Error>) {
    let mut refuse = |step: &str, what: &str, text: &str| {
        if !super::source::spellable(text) {
            errors.push(Ite10Error::Unsupported {
                step: cairn_base::escape::escape_controls(step),
                what: format!(
                    "{what} `{}`, with a control or invisible character a policy cannot spell,",
                    cairn_base::escape::escape_controls(text)
                ),
            });
        }
    };
    refuse("(layout)", "the layout name", name);
    refuse("(layout)", "`expires`", &yaml.expires);
    for key in yaml.functionaries.values() {
        refuse("(layout)", "the key", &key.key_val.public);
        refuse("(layout)", "the key scheme", &key.scheme);
    }
    for step in &yaml.steps {
        refuse(&step.name, "the step name", &step.name);
        refuse(&step.name, "the command", &step.command);
        for rule in step
            .expected_materials
            .iter()
            .chain(&step.expected_products)
        {
            refuse(&step.name, "the artifact rule", rule);
        }
        for p in &step.expected_predicates {
            refuse(&step.name, "the predicate type", &p.predicate_type);
            for a in &p.expected_attributes {
                refuse(&step.name, "the attribute rule", &a.rule);
            }
        }
    }
}

fn key_line(keyid: &str, key: &YamlKey) -> Result<String, String> {
    let public = if key.key_type == "ed25519" && !key.key_val.public.contains('-') {
        PublicKey::from_ed25519_hex(&key.key_val.public)
    } else {
        PublicKey::from_pem(&key.key_val.public)
    }
    .map_err(|e| e.to_string())?;
    if !keyids(&public, &key.scheme).iter().any(|k| k == keyid) {
        return Err("the keyid is not the securesystemslib hash of this key".into());
    }
    Ok(
        if key.key_type == "ed25519" && !key.key_val.public.contains('-') {
            format!("ed25519 {}", quote(&key.key_val.public))
        } else if key.key_type == "rsa" {
            format!(
                "pem {} scheme {}",
                quote(&key.key_val.public),
                quote(&key.scheme)
            )
        } else {
            format!("pem {}", quote(&key.key_val.public))
        },
    )
}

fn step(
    out: &mut String,
    step: &YamlStep,
    names: &BTreeMap<String, String>,
    errors: &mut Vec<Ite10Error>,
) {
    let unsupported = |what: String| Ite10Error::Unsupported {
        step: step.name.clone(),
        what,
    };
    let mut everyone = BTreeSet::new();
    let mut blocks = String::new();
    if step.expected_predicates.is_empty() {
        errors.push(unsupported("a step without `expectedPredicates`".into()));
    }
    for p in &step.expected_predicates {
        let mut who = Vec::new();
        for keyid in &p.functionaries {
            match names.get(keyid) {
                Some(name) => {
                    who.push(name.clone());
                    everyone.insert(name.clone());
                }
                None => errors.push(unsupported(format!(
                    "the functionary `{keyid}` (not in `functionaries`)"
                ))),
            }
        }
        let threshold = p.threshold.max(1);
        let kind = if by_alias(&p.predicate_type).is_some() {
            p.predicate_type.clone()
        } else {
            quote(&p.predicate_type)
        };
        let _ = writeln!(blocks, "attestation {kind} {{");
        let _ = writeln!(blocks, "by {threshold} of {}", who.join(", "));
        rules(
            &mut blocks,
            "materials",
            &step.expected_materials,
            errors,
            &step.name,
        );
        if artifact_model(&p.predicate_type) != ArtifactModel::Informational {
            rules(
                &mut blocks,
                "products",
                &step.expected_products,
                errors,
                &step.name,
            );
        }
        for a in &p.expected_attributes {
            match attribute(a) {
                Ok(line) => {
                    let _ = writeln!(blocks, "{line}");
                }
                Err(why) => errors.push(unsupported(format!(
                    "the attribute rule `{}` ({why})",
                    a.rule
                ))),
            }
        }
        blocks.push_str("}\n");
    }
    let _ = writeln!(out, "step {} {{", ident(&step.name));
    let everyone: Vec<String> = everyone.into_iter().collect();
    let _ = writeln!(out, "by 1 of {}", everyone.join(", "));
    let argv: Vec<String> = step.command.split_whitespace().map(quote).collect();
    if !argv.is_empty() {
        let _ = writeln!(out, "command {}", argv.join(" "));
    }
    out.push_str(&blocks);
    out.push_str("}\n");
}

/// A rule list; like a classic import, it ends with `allow "*"` unless its
/// last rule is a `disallow`, since the attestation-verifier allows whatever
/// is left. An empty list is no block at all (accept anything).
fn rules(out: &mut String, side: &str, list: &[String], errors: &mut Vec<Ite10Error>, step: &str) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "{side} {{");
    let mut last_disallow = false;
    for rule in list {
        match rule_text(rule) {
            Some(text) => {
                last_disallow = text.starts_with("disallow ");
                let _ = writeln!(out, "{text}");
            }
            None => errors.push(Ite10Error::Unsupported {
                step: step.to_string(),
                what: format!("the artifact rule `{rule}`"),
            }),
        }
    }
    if !last_disallow {
        out.push_str("allow \"*\"\n");
    }
    out.push_str("}\n");
}

/// One artifact rule (tokens separated by single spaces, keywords in any case).
fn rule_text(rule: &str) -> Option<String> {
    let tokens: Vec<&str> = rule.split(' ').collect();
    let upper: Vec<String> = tokens.iter().map(|t| t.to_ascii_uppercase()).collect();
    let words: Vec<&str> = upper.iter().map(String::as_str).collect();
    let simple = |verb: &str| Some(format!("{verb} {}", quote(tokens.get(1)?)));
    match words.as_slice() {
        [verb, _] => match *verb {
            "CREATE" | "DELETE" | "MODIFY" | "ALLOW" | "DISALLOW" | "REQUIRE" => {
                simple(&verb.to_ascii_lowercase())
            }
            _ => None,
        },
        ["MATCH", _, rest @ ..] => {
            let pattern = quote(tokens.get(1)?);
            let (src, rest) = match rest {
                ["IN", _, tail @ ..] => (Some(quote(tokens.get(3)?)), tail),
                tail => (None, tail),
            };
            let at = tokens.len() - rest.len();
            let (side, dst, from) = match rest {
                ["WITH", side, "IN", _, "FROM", _] => {
                    (*side, Some(quote(tokens.get(at + 3)?)), tokens.get(at + 5)?)
                }
                ["WITH", side, "FROM", _] => (*side, None, tokens.get(at + 3)?),
                _ => return None,
            };
            let side = match side {
                "MATERIALS" => "materials",
                "PRODUCTS" => "products",
                _ => return None,
            };
            let mut s = format!("match {pattern}");
            if let Some(src) = src {
                let _ = write!(s, " in {src}");
            }
            let _ = write!(s, " with {side}");
            if let Some(dst) = dst {
                let _ = write!(s, " in {dst}");
            }
            let _ = write!(s, " from {}", ident(from));
            Some(s)
        }
        _ => None,
    }
}

/// One CEL attribute rule as checks (one per line), or why it cannot be:
/// native checks where [`native`] translates it, else a `cel` check of the
/// rule itself, which cairn evaluates as the attestation-verifier does (an
/// evaluation error fails the rule, `false` fails it or, with `warn`,
/// warns). The rule must then compile under cairn's CEL bounds; with
/// `allowIfNoClaim` it is `cel "RULE" if present`, which passes when the
/// rule reads a field the Statement lacks.
fn attribute(a: &Attribute) -> Result<String, String> {
    let why = match native(a) {
        Ok(lines) => return Ok(lines),
        Err(why) => why,
    };
    let rule = a.rule.trim();
    if cairn_lang::ir::substitute(rule, &BTreeMap::new()).is_err() {
        return Err(format!(
            "{why}; as a CEL check it would keep a parameter placeholder, which CEL text never substitutes: give its value with `--param`"
        ));
    }
    // A parameter's value was written with `{{` and `}}` for a template:
    // CEL text is none.
    let text = rule.replace("{{", "{").replace("}}", "}");
    if let Err(e) = cairn_lang::cel::compile(&text) {
        return Err(format!("not a CEL expression cairn accepts: {}", e.message));
    }
    let level = if a.warn { "warn" } else { "require" };
    // `allowIfNoClaim`: the rule passes when what it reads is absent.
    let when = if a.allow_if_no_claim {
        " if present"
    } else {
        ""
    };
    Ok(format!("{level} cel {}{when}", quote(&text)))
}

/// One CEL attribute rule as native checks (one per line), or why it
/// cannot be. The attestation-verifier fails a rule on an absent field unless it has
/// `allowIfNoClaim`, even a `warn` rule (whose false result only warns): a
/// `warn` rule without it becomes `require PATH exists` and a `warn` check.
/// With it, only a `warn` rule is translated (a warning never fails); a
/// failing rule that skips absent fields has no equivalent.
fn native(a: &Attribute) -> Result<String, &'static str> {
    if a.allow_if_no_claim && !a.warn {
        return Err(
            "`allowIfNoClaim` without `warn` has no equivalent: cairn fails on an absent field",
        );
    }
    let level = if a.warn { "warn" } else { "require" };
    let rule = a.rule.trim();
    let _ = &a.debug;
    if let Some(inner) = call(rule, "has") {
        // False, not an error, on an absent field.
        return Ok(format!("{level} {} exists", path(inner)?));
    }
    let (p, checks) = comparison(rule, level)?;
    if a.warn && !a.allow_if_no_claim {
        return Ok(format!("require {p} exists\n{checks}"));
    }
    Ok(checks)
}

/// A CEL comparison as the path it reads and the checks (one per line).
fn comparison(rule: &str, level: &str) -> Result<(String, String), &'static str> {
    for op in ["==", "!=", "<=", ">=", "<", ">", " in "] {
        let Some((lhs, rhs)) = rule.split_once(op) else {
            continue;
        };
        let (lhs, rhs) = (lhs.trim(), rhs.trim());
        if let Some(inner) = call(lhs, "size") {
            let p = path(inner)?;
            let check = match (op, rhs) {
                ("==", "0") => format!("{level} {p} is empty"),
                ("!=" | ">", "0") => format!("{level} {p} is not empty"),
                _ => return Err("only `size(...) == 0`, `!= 0` and `> 0` are translated"),
            };
            return Ok((p, check));
        }
        let p = path(lhs)?;
        if op == " in " {
            let check = format!("{level} {p} in [{}]", literal_list(rhs)?.join(", "));
            return Ok((p, check));
        }
        if op == "==" && rhs.starts_with('[') {
            // A list of literals: its length, then each element in turn.
            let values = literal_list(rhs)?;
            if values.is_empty() {
                return Err("a comparison with `[]` is not translated: cairn has no array test");
            }
            let mut checks = vec![format!("{level} count {p}[*] == {}", values.len())];
            for (i, v) in values.iter().enumerate() {
                checks.push(format!("{level} {p}[{i}] == {v}"));
            }
            return Ok((p, checks.join("\n")));
        }
        let check = format!("{level} {p} {op} {}", literal(rhs)?);
        return Ok((p, check));
    }
    Err("only comparisons with a literal, `size`, `has` and `in` are translated")
}

/// A CEL list of literals (`[L, L, ...]`, a trailing comma allowed) as
/// cairn literals.
fn literal_list(text: &str) -> Result<Vec<String>, &'static str> {
    let items = text
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .ok_or("the right-hand side is not a list of literals")?
        .trim();
    let items = items.strip_suffix(',').unwrap_or(items);
    if items.trim().is_empty() {
        return Ok(Vec::new());
    }
    items.split(',').map(|s| literal(s.trim())).collect()
}

fn call<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.strip_prefix(name)?
        .trim_start()
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// `predicate.a.b['c-d']` as the JSONPath `$.a.b['c-d']`; a path into the
/// rest of the Statement (`subject[0].name`, `predicateType`, `_type`) as
/// one rooted at `statement`.
fn path(text: &str) -> Result<String, &'static str> {
    let (root, rest) = ["predicate", "subject", "predicateType", "_type"]
        .iter()
        .find_map(|root| {
            let rest = text.strip_prefix(root)?;
            // `predicateType` is no path into `predicate`.
            let whole = rest.is_empty() || rest.starts_with('.') || rest.starts_with('[');
            whole.then_some((*root, rest))
        })
        .ok_or("only paths into the Statement (`predicate`, `subject`, `predicateType`, `_type`) are translated")?;
    let plain = rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '\'' | '-'));
    if !plain || !(rest.is_empty() || rest.starts_with('.') || rest.starts_with('[')) {
        return Err("the path uses more than field names and quoted keys");
    }
    Ok(match root {
        "predicate" => format!("${rest}"),
        _ => format!("statement.{root}{rest}"),
    })
}

/// A CEL literal (string in either quote, finite number, bool) as a cairn
/// literal.
fn literal(text: &str) -> Result<String, &'static str> {
    for q in ['"', '\''] {
        if let Some(s) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            if s.contains('\\') || s.contains(q) {
                return Err("escapes and quotes in string literals are not translated");
            }
            return Ok(quote(s));
        }
    }
    let number = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        && text.parse::<f64>().is_ok_and(f64::is_finite);
    if text == "true" || text == "false" || number {
        return Ok(text.to_string());
    }
    Err("the right-hand side is not a literal")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(rule: &str) -> Result<String, String> {
        attribute(&Attribute {
            rule: rule.into(),
            allow_if_no_claim: false,
            warn: false,
            debug: String::new(),
        })
    }

    #[test]
    fn translates_simple_cel() {
        for (rule, checks) in [
            (
                "predicate.result == 'PASSED'",
                "require $.result == \"PASSED\"",
            ),
            (
                "size(predicate.monitorLog.network) == 0",
                "require $.monitorLog.network is empty",
            ),
            (
                "predicate.byproducts['return-value'] == 0",
                "require $.byproducts['return-value'] == 0",
            ),
            (
                "predicate.level in ['a', \"b\"]",
                "require $.level in [\"a\", \"b\"]",
            ),
            ("has(predicate.x)", "require $.x exists"),
            ("predicate.x == \"it's\"", "require $.x == \"it's\""),
            ("predicate.x >= -1.5e3", "require $.x >= -1.5e3"),
            // A list of literals: its length, then each element.
            (
                "predicate.command == ['git', 'clone', \"u\",]",
                concat!(
                    "require count $.command[*] == 3\n",
                    "require $.command[0] == \"git\"\n",
                    "require $.command[1] == \"clone\"\n",
                    "require $.command[2] == \"u\""
                ),
            ),
            // The rest of the Statement.
            (
                "size(subject) != 0",
                "require statement.subject is not empty",
            ),
            (
                "subject[0].name == 'x'",
                "require statement.subject[0].name == \"x\"",
            ),
            (
                "predicateType == 'https://slsa.dev/provenance/v1'",
                "require statement.predicateType == \"https://slsa.dev/provenance/v1\"",
            ),
        ] {
            assert_eq!(attr(rule), Ok(checks.to_string()), "{rule}");
        }
    }

    #[test]
    fn the_rest_becomes_a_cel_check() {
        for rule in [
            "predicate.p.exists(p, p['Name'] == 'connect')",
            "predicate.x == []",
            "predicate.x != ['a']",
            "predicate.x == ['a'] + ['b']",
            "predicate.x == 'a' || predicate.y == 'b'",
            "predicate.x in ['a', 'b'] || true",
            "predicate.x == 1u",
            "predicate.x == \"a\\\"b\"",
        ] {
            let text = attr(rule).unwrap();
            assert_eq!(text, format!("require cel {}", quote(rule)), "{rule}");
        }
        // A `warn` rule: `false` warns, an error (an absent field) fails.
        let warned = attribute(&Attribute {
            rule: "predicate.x.exists(y, y == 1)".into(),
            allow_if_no_claim: false,
            warn: true,
            debug: String::new(),
        });
        assert_eq!(
            warned.as_deref(),
            Ok("warn cel \"predicate.x.exists(y, y == 1)\"")
        );
    }

    #[test]
    fn refuses_what_it_cannot_translate() {
        for refused in [
            // Not CEL, or not CEL cairn accepts.
            "predicate.x == [a]",
            "predicate.x == [,'a']",
            "predicate.x == ['a',,]",
            "predicate.x == inf",
            "predicate.x < NaN",
            "subjects == 1",
            "predicate.a.all(x, x.b.all(y, y.c.all(z, z)))",
            // A placeholder left open.
            "predicate.x.exists(y, y == '{version}')",
        ] {
            assert!(attr(refused).is_err(), "{refused}");
        }
        // `allowIfNoClaim` on a rule only CEL can say: a CEL check that
        // passes when what it reads is absent.
        let skipped = attribute(&Attribute {
            rule: "predicate.x.exists(y, y == 1)".into(),
            allow_if_no_claim: true,
            warn: true,
            debug: String::new(),
        });
        assert_eq!(
            skipped,
            Ok("warn cel \"predicate.x.exists(y, y == 1)\" if present".into())
        );
    }

    #[test]
    fn allow_if_no_claim_only_with_warn() {
        let with = |rule: &str, allow_if_no_claim, warn| {
            attribute(&Attribute {
                rule: rule.into(),
                allow_if_no_claim,
                warn,
                debug: String::new(),
            })
        };
        let rule = "predicate.result == 'PASSED'";
        assert_eq!(
            with(rule, true, true),
            Ok("warn $.result == \"PASSED\"".into())
        );
        // Without `allowIfNoClaim` an absent field fails even a `warn` rule.
        assert_eq!(
            with(rule, false, true),
            Ok("require $.result exists\nwarn $.result == \"PASSED\"".into())
        );
        assert_eq!(
            with("size(predicate.a.b) == 0", false, true),
            Ok("require $.a.b exists\nwarn $.a.b is empty".into())
        );
        // `has` is false, not an error, on an absent field.
        assert_eq!(
            with("has(predicate.x)", false, true),
            Ok("warn $.x exists".into())
        );
        // A failing rule that skips absent fields: the same as CEL.
        assert_eq!(
            with(rule, true, false),
            Ok("require cel \"predicate.result == 'PASSED'\" if present".into())
        );
    }

    #[test]
    fn translates_rules() {
        assert_eq!(
            rule_text("MATCH src/* IN src WITH PRODUCTS IN out FROM build").as_deref(),
            Some("match \"src/*\" in \"src\" with products in \"out\" from build")
        );
        assert_eq!(rule_text("allow *").as_deref(), Some("allow \"*\""));
        assert_eq!(rule_text("MATCH a WITH THINGS FROM b"), None);
        assert_eq!(rule_text("CREATE"), None);
    }
}
