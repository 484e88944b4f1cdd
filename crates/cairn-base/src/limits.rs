//! The limits a policy's regular expressions and JSONPaths are held to, and
//! compiling them under those limits.
//!
//! Lowering (`cairn check`, `lint`, `compile`) and evaluation (`verify`)
//! both compile through [`LIMITS`], so a regex or a path that evaluation
//! would refuse is refused when the policy is checked, with the place of the
//! string in the policy, rather than by every verification.

use jsonpath_rust::parser::model::JpQuery;

/// The limits of one kind of compilation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternLimits {
    /// Largest compiled size of a regex, in bytes (`regex`'s `size_limit`):
    /// a counted repetition is multiplied out, so `\w{50}` (Unicode word
    /// characters, fifty times) is far larger than it reads.
    pub regex_size: usize,
    /// Longest JSONPath, in bytes.
    pub json_path_bytes: usize,
    /// Most descendant segments (`..`) in one JSONPath: each one can visit
    /// the whole predicate, and each further one multiplies that.
    pub json_path_descendants: usize,
}

/// The limits of every `matches` regex, Sigstore identity regex and check
/// path of a policy.
pub const LIMITS: PatternLimits = PatternLimits {
    regex_size: 1 << 20,
    json_path_bytes: 4096,
    json_path_descendants: 1,
};

/// Why a JSONPath is refused.
#[derive(Debug)]
pub enum JsonPathError {
    /// Longer than [`PatternLimits::json_path_bytes`].
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Not RFC 9535 syntax.
    Syntax(jsonpath_rust::parser::errors::JsonPathError),
    /// More descendant segments than [`PatternLimits::json_path_descendants`].
    TooCostly {
        /// How many it has.
        count: usize,
        /// Byte offset of the first one beyond the limit.
        at: usize,
    },
}

impl std::fmt::Display for JsonPathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonPathError::TooLong { len, limit } => {
                write!(f, "it is {len} bytes long, the limit is {limit}")
            }
            JsonPathError::Syntax(e) => write!(f, "{e}"),
            JsonPathError::TooCostly { count, .. } => {
                write!(f, "it has {count} descendant segments (`..`)")
            }
        }
    }
}

impl PatternLimits {
    /// `pattern` compiled as written (unanchored).
    pub fn regex(&self, pattern: &str) -> Result<regex::Regex, regex::Error> {
        regex::RegexBuilder::new(pattern)
            .size_limit(self.regex_size)
            .build()
    }

    /// `path` parsed, once it is within the length and descendant limits.
    pub fn json_path(&self, path: &str) -> Result<JpQuery, JsonPathError> {
        if path.len() > self.json_path_bytes {
            return Err(JsonPathError::TooLong {
                len: path.len(),
                limit: self.json_path_bytes,
            });
        }
        let query = jsonpath_rust::parser::parse_json_path(path).map_err(JsonPathError::Syntax)?;
        let descendants = descendant_segments(path);
        if let Some(&at) = descendants.get(self.json_path_descendants) {
            return Err(JsonPathError::TooCostly {
                count: descendants.len(),
                at,
            });
        }
        Ok(query)
    }
}

/// Byte offsets of the descendant segments (`..`) of a JSONPath, outside its
/// quoted names and strings (filters included: `$..a[?@..b]` has two).
fn descendant_segments(path: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut previous_dot: Option<usize> = None;
    for (i, c) in path.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                previous_dot = None;
            }
            '.' => match previous_dot.take() {
                Some(start) => out.push(start),
                None => previous_dot = Some(i),
            },
            _ => previous_dot = None,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descendant_segments_outside_quotes() {
        assert_eq!(descendant_segments("$.a.b"), Vec::<usize>::new());
        assert_eq!(descendant_segments("$..a"), vec![1]);
        assert_eq!(descendant_segments("$..*..*"), vec![1, 4]);
        assert_eq!(descendant_segments("$...a"), vec![1]);
        assert_eq!(descendant_segments("$..a[?@..b]"), vec![1, 7]);
        assert_eq!(descendant_segments("$['a..b']..c"), vec![9]);
        assert_eq!(
            descendant_segments("$[?@.x == \"..\"]"),
            Vec::<usize>::new()
        );
        assert_eq!(descendant_segments("$['it\\'s..']"), Vec::<usize>::new());
    }

    #[test]
    fn regex_size_limit_is_the_one_limit() {
        // Within `regex`'s own default (10 MiB), beyond cairn's 1 MiB.
        let big = r"^\w{50}|PASSED";
        assert!(regex::Regex::new(big).is_ok());
        assert!(matches!(
            LIMITS.regex(big),
            Err(regex::Error::CompiledTooBig(limit)) if limit == LIMITS.regex_size
        ));
        assert!(LIMITS.regex(r"^\w{5}|PASSED").is_ok());
        assert!(LIMITS.regex(r"^(?-u:\w){50}|PASSED").is_ok());
        assert!(LIMITS.regex(r"^[A-Za-z0-9_]{50}|PASSED").is_ok());
        assert!(matches!(LIMITS.regex("^("), Err(regex::Error::Syntax(_))));
        // A tighter set of limits refuses what these accept.
        let tight = PatternLimits {
            regex_size: 1 << 10,
            ..LIMITS
        };
        assert!(tight.regex(r"^\w{5}|PASSED").is_err());
    }

    #[test]
    fn json_path_limits() {
        let at_limit = format!("$.{}", "a".repeat(LIMITS.json_path_bytes - 2));
        assert!(LIMITS.json_path(&at_limit).is_ok());
        let beyond = format!("{at_limit}a");
        assert!(matches!(
            LIMITS.json_path(&beyond),
            Err(JsonPathError::TooLong { len, limit })
                if len == LIMITS.json_path_bytes + 1 && limit == LIMITS.json_path_bytes
        ));
        assert!(LIMITS.json_path("$..a").is_ok());
        assert!(matches!(
            LIMITS.json_path("$..a..b"),
            Err(JsonPathError::TooCostly { count: 2, at: 4 })
        ));
        assert!(matches!(
            LIMITS.json_path("$.a["),
            Err(JsonPathError::Syntax(_))
        ));
    }
}
