//! "Did you mean" for a classic layout's `MATCH ... FROM` naming no step or
//! inspection: the closest known name ([`cairn_base::suggest::closest`]).

/// A help line for an unknown step or inspection name.
pub(crate) fn help<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    match cairn_base::suggest::closest(unknown, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`? in-toto would silently consume nothing; cairn refuses the rule"),
        None if known.is_empty() => "the layout has no steps or inspections".to_string(),
        None => format!(
            "known steps and inspections: {}; in-toto would silently consume nothing, cairn refuses the rule",
            known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["build", "package"];
        assert!(help("biuld", known.into_iter()).contains("did you mean `build`"));
        assert!(help("zzz", known.into_iter()).starts_with("known steps"));
    }
}
