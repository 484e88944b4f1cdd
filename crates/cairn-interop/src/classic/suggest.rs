//! "Did you mean": the closest known name within a small edit distance.

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let above = row.get(j + 1).copied().unwrap_or(0);
            let left = row.get(j).copied().unwrap_or(0);
            let value = (prev + cost).min(above + 1).min(left + 1);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// A help line for an unknown step or inspection name.
pub(crate) fn help<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> String {
    let known: Vec<&str> = known.collect();
    let best = known
        .iter()
        .map(|k| (distance(unknown, k), *k))
        .filter(|(d, k)| *d <= k.chars().count().div_ceil(3))
        .min();
    match best {
        Some((_, k)) => format!("did you mean `{k}`? in-toto would silently consume nothing; cairn refuses the rule"),
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
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "ab"), 2);
        let known = ["build", "package"];
        assert!(help("biuld", known.into_iter()).contains("did you mean `build`"));
        assert!(help("zzz", known.into_iter()).starts_with("known steps"));
    }
}
