//! Byte offsets to LSP positions and back.
//!
//! cairn's spans are byte ranges; an LSP position is a line and a character
//! offset counted in the encoding the client and server agreed on: UTF-16
//! code units unless the client offered `utf-8` (then bytes).

use cairn_base::source::Span;
use lsp_types::{Position, Range};

/// How the character of a position is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (`positionEncoding: "utf-8"`).
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
}

/// The start of every line of a text, to map offsets both ways.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'a> Lines<'a> {
    /// The line starts of `text`, positions counted in `encoding`.
    pub fn new(text: &'a str, encoding: Encoding) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text,
            starts,
            encoding,
        }
    }

    /// The position of a byte offset (clamped to the text, moved back to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = self.text.get(start..offset).unwrap_or("");
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(to_u32(line), to_u32(character))
    }

    /// The range of a byte span.
    pub fn range(&self, span: Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a position: a line past the end is the end of the
    /// text, a character past the end of its line is the end of the line, and
    /// a position inside a character is that character's start.
    pub fn offset(&self, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = self.text.get(start..end).unwrap_or("");
        let wanted = position.character as usize;
        let mut counted = 0;
        for (i, c) in line.char_indices() {
            if counted >= wanted {
                return start + i;
            }
            counted += match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if counted > wanted {
                return start + i;
            }
        }
        end
    }

    /// The byte span of a range.
    pub fn span(&self, range: Range) -> Span {
        Span::new(self.offset(range.start), self.offset(range.end))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_code_units() {
        let text = "ab\n\"é😀\" x\r\nend";
        let lines = Lines::new(text, Encoding::Utf16);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(x), Position::new(1, 6));
        assert_eq!(lines.offset(Position::new(1, 6)), x);
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(lines.offset(Position::new(1, 3)), emoji);
        assert_eq!(lines.offset(Position::new(9, 0)), text.len());
        assert_eq!(lines.offset(Position::new(0, 99)), 2);
        assert_eq!(lines.position(text.len()), Position::new(2, 3));
    }

    #[test]
    fn utf8_counts_bytes() {
        let text = "é x";
        let lines = Lines::new(text, Encoding::Utf8);
        assert_eq!(lines.position(3), Position::new(0, 3));
        assert_eq!(lines.offset(Position::new(0, 3)), 3);
        assert_eq!(lines.offset(Position::new(0, 1)), 0);
        assert_eq!(lines.position(1), Position::new(0, 0));
    }
}
