//! JSONPath over a predicate's text, without a tree of it.
//!
//! A predicate read from a signed payload is kept as its text, checked by
//! the strict reader (see `evidence::Predicate`). The paths checks use most
//! (member names, `[*]`, indexes, and filters comparing a member with a
//! literal or testing that one exists) are answered here by walking the
//! text once, depth first, each value visited once: only the values a path
//! selects are read into values, one at a time. The answer is the one
//! `jsonpath-rust` gives on the predicate's value, in the same order
//! (members of an object in key order, as `serde_json` keeps them); any
//! other path gives `None`, and the caller asks `jsonpath-rust`.

use std::borrow::Cow;
use std::ops::Range;

use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment, Test,
};
use serde_json::Value;

/// The values `path` selects in `text` (strict JSON), as where they are in
/// it, in `jsonpath-rust`'s order; `None` when the path is not one of those
/// answered here (or does not parse).
pub fn select(path: &str, text: &str) -> Option<Vec<Range<usize>>> {
    plan(path)?.select(text)
}

/// [`select`], except that an object or an array selected where nothing
/// after it is read (`$.a.b`, not `$.a[*]`) is given as the empty range at
/// its start, without finding its end: enough to tell its kind.
pub fn select_starts(path: &str, text: &str) -> Option<Vec<Range<usize>>> {
    plan(path)?.select_starts(text)
}

/// [`select`] for several paths over the same text, walking it once for
/// all of them: element `k` of the answer is what `select(paths[k], text)`
/// gives.
pub fn select_many(paths: &[&str], text: &str) -> Vec<Option<Vec<Range<usize>>>> {
    let plans: Vec<Option<Plan>> = paths.iter().map(|p| plan(p)).collect();
    let plans: Vec<Option<&Plan>> = plans.iter().map(Option::as_ref).collect();
    select_many_plans(&plans, text)
}

/// A path made ready to walk a text with, once: what [`select`] makes of
/// its path every time.
#[derive(Debug)]
pub struct Plan(Vec<Step>);

impl Plan {
    /// The plan of a parsed path; `None` when the path is not one of those
    /// answered here.
    pub fn new(query: &JpQuery) -> Option<Plan> {
        query
            .segments
            .iter()
            .map(step)
            .collect::<Option<_>>()
            .map(Plan)
    }

    /// [`select`] with this plan.
    pub fn select(&self, text: &str) -> Option<Vec<Range<usize>>> {
        self.select_in(text, false)
    }

    /// [`select_starts`] with this plan.
    pub fn select_starts(&self, text: &str) -> Option<Vec<Range<usize>>> {
        self.select_in(text, true)
    }

    fn select_in(&self, text: &str, starts: bool) -> Option<Vec<Range<usize>>> {
        let doc = Doc {
            bytes: text.as_bytes(),
            text,
            starts,
        };
        let mut out = Vec::new();
        let start = doc.ws(0);
        doc.walk(start, &self.0, &mut out, false)?;
        Some(out)
    }
}

/// [`select_many`] with plans made already (`None` for a path not answered
/// here): element `k` of the answer is what `plans[k]` selects.
pub fn select_many_plans(plans: &[Option<&Plan>], text: &str) -> Vec<Option<Vec<Range<usize>>>> {
    let each = || {
        plans
            .iter()
            .map(|p| p.and_then(|p| p.select(text)))
            .collect()
    };
    let active: Vec<(&[Step], usize)> = plans
        .iter()
        .enumerate()
        .filter_map(|(k, p)| p.map(|plan| (plan.0.as_slice(), k)))
        .collect();
    if active.len() < 2 {
        return each();
    }
    let doc = Doc {
        bytes: text.as_bytes(),
        text,
        starts: false,
    };
    let mut outs: Vec<Vec<Range<usize>>> = vec![Vec::new(); plans.len()];
    let start = doc.ws(0);
    if doc.walk_many(start, &active, &mut outs).is_none() {
        // Not expected on text the strict reader accepted; each path is
        // then asked on its own, as `select` answers it.
        return each();
    }
    plans
        .iter()
        .zip(outs)
        .map(|(plan, out)| plan.map(|_| out))
        .collect()
}

/// One step of a path.
#[derive(Debug)]
enum Step {
    Name(String),
    Wildcard,
    Index(i64),
    Filter(Cond),
}

/// A filter's condition.
#[derive(Debug)]
enum Cond {
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Exists(Vec<Single>),
    Compare(Op, Operand, Operand),
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug)]
enum Operand {
    Literal(Value),
    Current(Vec<Single>),
}

/// A step of a singular query (`@.a[0]`).
#[derive(Debug)]
enum Single {
    Name(String),
    Index(i64),
}

/// Indexes beyond this are left to `jsonpath-rust`.
const MAX_INDEX: i64 = 1 << 53;

fn plan(path: &str) -> Option<Plan> {
    Plan::new(&jsonpath_rust::parser::parse_json_path(path).ok()?)
}

fn step(segment: &Segment) -> Option<Step> {
    let selector = match segment {
        Segment::Selector(s) => s,
        Segment::Selectors(list) => match list.as_slice() {
            [s] => s,
            _ => return None,
        },
        Segment::Descendant(_) => return None,
    };
    Some(match selector {
        Selector::Name(name) => Step::Name(name.clone()),
        Selector::Wildcard => Step::Wildcard,
        Selector::Index(i) if i.abs() < MAX_INDEX => Step::Index(*i),
        Selector::Filter(f) => Step::Filter(cond(f)?),
        Selector::Index(_) | Selector::Slice(..) => return None,
    })
}

fn cond(filter: &Filter) -> Option<Cond> {
    Some(match filter {
        Filter::Or(list) => Cond::Or(list.iter().map(cond).collect::<Option<_>>()?),
        Filter::And(list) => Cond::And(list.iter().map(cond).collect::<Option<_>>()?),
        Filter::Atom(FilterAtom::Filter { expr, not }) => negated(cond(expr)?, *not),
        Filter::Atom(FilterAtom::Test { expr, not }) => match expr.as_ref() {
            Test::RelQuery(segments) => negated(Cond::Exists(singles(segments)?), *not),
            Test::AbsQuery(_) | Test::Function(_) => return None,
        },
        Filter::Atom(FilterAtom::Comparison(c)) => {
            let (op, (l, r)) = match c.as_ref() {
                Comparison::Eq(..) => (Op::Eq, c.vals()),
                Comparison::Ne(..) => (Op::Ne, c.vals()),
                Comparison::Lt(..) => (Op::Lt, c.vals()),
                Comparison::Lte(..) => (Op::Le, c.vals()),
                Comparison::Gt(..) => (Op::Gt, c.vals()),
                Comparison::Gte(..) => (Op::Ge, c.vals()),
            };
            Cond::Compare(op, operand(l)?, operand(r)?)
        }
    })
}

fn negated(c: Cond, not: bool) -> Cond {
    if not {
        Cond::Not(Box::new(c))
    } else {
        c
    }
}

fn singles(segments: &[Segment]) -> Option<Vec<Single>> {
    segments
        .iter()
        .map(|s| match step(s)? {
            Step::Name(n) => Some(Single::Name(n)),
            Step::Index(i) => Some(Single::Index(i)),
            Step::Wildcard | Step::Filter(_) => None,
        })
        .collect()
}

fn operand(c: &Comparable) -> Option<Operand> {
    Some(match c {
        Comparable::Literal(l) => Operand::Literal(match l {
            Literal::Int(i) => Value::from(*i),
            Literal::Float(f) => Value::from(*f),
            Literal::String(s) => Value::String(s.clone()),
            Literal::Bool(b) => Value::Bool(*b),
            Literal::Null => Value::Null,
        }),
        Comparable::SingularQuery(SingularQuery::Current(segments)) => Operand::Current(
            segments
                .iter()
                .map(|s| match s {
                    SingularQuerySegment::Name(n) => Some(Single::Name(n.clone())),
                    SingularQuerySegment::Index(i) if i.abs() < MAX_INDEX => {
                        Some(Single::Index(*i))
                    }
                    SingularQuerySegment::Index(_) => None,
                })
                .collect::<Option<_>>()?,
        ),
        Comparable::SingularQuery(SingularQuery::Root(_)) | Comparable::Function(_) => return None,
    })
}

/// A byte in every lane of a word.
const ONES: u64 = 0x0101_0101_0101_0101;

/// Whether a lane of `v` holds `b` (non-zero then; exact for the first
/// such lane, which is all the loops here need: they stop and look).
fn has(v: u64, b: u8) -> u64 {
    let x = v ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & (ONES * 0x80)
}

/// Strict JSON text, walked by byte offsets.
struct Doc<'t> {
    bytes: &'t [u8],
    text: &'t str,
    /// See [`select_starts`].
    starts: bool,
}

impl<'t> Doc<'t> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn ws(&self, mut i: usize) -> usize {
        while matches!(self.at(i), b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// The end of the string whose opening quote is at `i`: eight bytes
    /// at a time to the first `"` or `\\` (most strings are short, where a
    /// search function's setup would cost more than the string).
    fn string_end(&self, i: usize) -> Option<usize> {
        let mut i = i + 1;
        loop {
            while let Some(chunk) = self.bytes.get(i..i + 8) {
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                if has(word, b'"') | has(word, b'\\') != 0 {
                    break;
                }
                i += 8;
            }
            match self.bytes.get(i)? {
                b'"' => return Some(i + 1),
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
    }

    /// The end of the value at `i`.
    fn skip(&self, i: usize) -> Option<usize> {
        match self.at(i) {
            b'"' => self.string_end(i),
            b'{' | b'[' => {
                let mut depth = 0usize;
                let mut i = i;
                loop {
                    match self.bytes.get(i)? {
                        b'"' => {
                            i = self.string_end(i)?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some(i + 1);
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            0 => None,
            _ => {
                let mut i = i;
                while !matches!(
                    self.at(i),
                    b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' | 0
                ) {
                    i += 1;
                }
                Some(i)
            }
        }
    }

    /// Calls `member` with each member of the object at `i` (its key as
    /// written between the quotes, and where its value starts); `member`
    /// gives the value's end when it read the value, `None` to have it
    /// skipped. Gives the object's end; with `stop` set by `member`, the
    /// members after that one are not read, and the object's start is
    /// given.
    fn members(
        &self,
        i: usize,
        stop: &std::cell::Cell<bool>,
        mut member: impl FnMut(&'t str, usize) -> Option<Option<usize>>,
    ) -> Option<usize> {
        let open = i;
        let mut i = self.ws(i + 1);
        if self.at(i) == b'}' {
            return Some(i + 1);
        }
        loop {
            let key_end = self.string_end(i)?;
            let key = self.text.get(i + 1..key_end - 1)?;
            let value = self.ws(self.ws(key_end) + 1);
            let read = member(key, value)?;
            if stop.get() {
                return Some(open);
            }
            let end = match read {
                Some(end) => end,
                None => self.skip(value)?,
            };
            i = self.ws(end);
            match self.at(i) {
                b',' => i = self.ws(i + 1),
                b'}' => return Some(i + 1),
                _ => return None,
            }
        }
    }

    /// [`Doc::members`] for the elements of the array at `i`.
    fn elements(
        &self,
        i: usize,
        mut element: impl FnMut(usize) -> Option<Option<usize>>,
    ) -> Option<usize> {
        let mut i = self.ws(i + 1);
        if self.at(i) == b']' {
            return Some(i + 1);
        }
        loop {
            let end = match element(i)? {
                Some(end) => end,
                None => self.skip(i)?,
            };
            i = self.ws(end);
            match self.at(i) {
                b',' => i = self.ws(i + 1),
                b']' => return Some(i + 1),
                _ => return None,
            }
        }
    }

    /// The starts of the elements of the array at `i`.
    fn element_starts(&self, i: usize) -> Option<Vec<usize>> {
        let mut starts = Vec::new();
        self.elements(i, |start| {
            starts.push(start);
            Some(None)
        })?;
        Some(starts)
    }

    /// The members of the object at `i` in key order (unescaped keys), as
    /// `serde_json` keeps them.
    fn sorted_members(&self, i: usize) -> Option<Vec<(Cow<'t, str>, usize)>> {
        let mut members = Vec::new();
        self.members(i, &std::cell::Cell::new(false), |key, value| {
            members.push((self.key(key)?, value));
            Some(None)
        })?;
        members.sort_by(|a, b| a.0.cmp(&b.0));
        Some(members)
    }

    /// A key as written, unescaped.
    fn key(&self, raw: &'t str) -> Option<Cow<'t, str>> {
        if !raw.contains('\\') {
            return Some(Cow::Borrowed(raw));
        }
        match serde_json::from_str::<Value>(&format!("\"{raw}\"")).ok()? {
            Value::String(s) => Some(Cow::Owned(s)),
            _ => None,
        }
    }

    /// The value at `i` read into a value.
    fn value(&self, i: usize) -> Option<Value> {
        let end = self.skip(i)?;
        read(self.text.get(i..end)?)
    }

    /// Applies `steps` to the value at `i`, pushing what they select to
    /// `out`; gives the value's end, or, when `to_end` is false (nothing
    /// after the value is read), where reading it stopped.
    fn walk(
        &self,
        i: usize,
        steps: &[Step],
        out: &mut Vec<Range<usize>>,
        to_end: bool,
    ) -> Option<usize> {
        let Some((step, rest)) = steps.split_first() else {
            if self.starts && !to_end && matches!(self.at(i), b'{' | b'[') {
                out.push(i..i);
                return Some(i);
            }
            let end = self.skip(i)?;
            out.push(i..end);
            return Some(end);
        };
        let kind = self.at(i);
        match step {
            Step::Name(name) if kind == b'{' => {
                // Keys are distinct: after the one named, the rest is
                // read only for the object's end.
                let stop = std::cell::Cell::new(false);
                self.members(i, &stop, |key, value| {
                    if self.key(key)? == name.as_str() {
                        let end = self.walk(value, rest, out, to_end)?;
                        stop.set(!to_end);
                        Some(Some(end))
                    } else {
                        Some(None)
                    }
                })
            }
            Step::Wildcard | Step::Filter(_) if kind == b'[' => self.elements(i, |element| {
                let take = match step {
                    Step::Filter(c) => self.test(c, element)?,
                    _ => true,
                };
                if take {
                    Some(Some(self.walk(element, rest, out, true)?))
                } else {
                    Some(None)
                }
            }),
            Step::Wildcard | Step::Filter(_) if kind == b'{' => {
                for (_, value) in self.sorted_members(i)? {
                    let take = match step {
                        Step::Filter(c) => self.test(c, value)?,
                        _ => true,
                    };
                    if take {
                        self.walk(value, rest, out, false)?;
                    }
                }
                if to_end {
                    self.skip(i)
                } else {
                    Some(i)
                }
            }
            Step::Index(index) if kind == b'[' => {
                if let Some(element) = self.index(i, *index)? {
                    self.walk(element, rest, out, false)?;
                }
                if to_end {
                    self.skip(i)
                } else {
                    Some(i)
                }
            }
            _ if to_end => self.skip(i),
            _ => Some(i),
        }
    }

    /// [`Doc::walk`] for several paths at once (each with the index of its
    /// answer in `outs`), reading the value at `i` once for all of them
    /// where their steps are member names, `[*]` or filters over an array;
    /// gives the value's end.
    fn walk_many(
        &self,
        i: usize,
        active: &[(&[Step], usize)],
        outs: &mut [Vec<Range<usize>>],
    ) -> Option<usize> {
        if let [(steps, k)] = active {
            return self.walk(i, steps, outs.get_mut(*k)?, true);
        }
        let kind = self.at(i);
        let mut finished = Vec::new();
        let mut names: Vec<(&str, &[Step], usize)> = Vec::new();
        let mut each: Vec<(&Step, &[Step], usize)> = Vec::new();
        for &(steps, k) in active {
            match steps.split_first() {
                None => finished.push(k),
                Some((Step::Name(name), rest)) if kind == b'{' => {
                    names.push((name.as_str(), rest, k));
                }
                Some((step @ (Step::Wildcard | Step::Filter(_)), rest)) if kind == b'[' => {
                    each.push((step, rest, k));
                }
                Some((Step::Index(_), _)) if kind == b'[' => {
                    self.walk(i, steps, outs.get_mut(k)?, false)?;
                }
                Some((Step::Wildcard | Step::Filter(_), _)) if kind == b'{' => {
                    self.walk(i, steps, outs.get_mut(k)?, false)?;
                }
                Some(_) => {}
            }
        }
        let end = if !names.is_empty() {
            self.members(i, &std::cell::Cell::new(false), |key, value| {
                let key = self.key(key)?;
                let sub: Vec<(&[Step], usize)> = names
                    .iter()
                    .filter(|(name, _, _)| *name == key)
                    .map(|&(_, rest, k)| (rest, k))
                    .collect();
                if sub.is_empty() {
                    Some(None)
                } else {
                    Some(Some(self.walk_many(value, &sub, outs)?))
                }
            })?
        } else if !each.is_empty() {
            self.elements(i, |element| {
                // Without an allocation for each element, for a few paths.
                let mut few: [(&[Step], usize); 8] = [(&[], 0); 8];
                let mut more = Vec::new();
                let mut taken = 0;
                for &(step, rest, k) in &each {
                    let take = match step {
                        Step::Filter(c) => self.test(c, element)?,
                        _ => true,
                    };
                    if take {
                        match few.get_mut(taken) {
                            Some(slot) => *slot = (rest, k),
                            None => more.push((rest, k)),
                        }
                        taken += 1;
                    }
                }
                let sub = if more.is_empty() {
                    few.get(..taken)?
                } else {
                    more.splice(0..0, few);
                    &more[..]
                };
                if sub.is_empty() {
                    Some(None)
                } else {
                    Some(Some(self.walk_many(element, sub, outs)?))
                }
            })?
        } else {
            self.skip(i)?
        };
        for k in finished {
            outs.get_mut(k)?.push(i..end);
        }
        Some(end)
    }

    /// The start of element `index` of the array at `i` (negative: from
    /// the end), if it has one.
    fn index(&self, i: usize, index: i64) -> Option<Option<usize>> {
        if index >= 0 {
            let mut at = self.ws(i + 1);
            if self.at(at) == b']' {
                return Some(None);
            }
            for _ in 0..index {
                at = self.ws(self.skip(at)?);
                match self.at(at) {
                    b',' => at = self.ws(at + 1),
                    _ => return Some(None),
                }
            }
            return Some(Some(at));
        }
        let starts = self.element_starts(i)?;
        let len = i64::try_from(starts.len()).ok()?;
        let at = len + index;
        if at < 0 {
            return Some(None);
        }
        Some(starts.get(usize::try_from(at).ok()?).copied())
    }

    /// Where a singular query from the value at `i` leads, if anywhere.
    fn single(&self, i: usize, path: &[Single]) -> Option<Option<usize>> {
        let mut at = i;
        for s in path {
            let next = match s {
                Single::Name(name) if self.at(at) == b'{' => {
                    let mut found = None;
                    let stop = std::cell::Cell::new(false);
                    self.members(at, &stop, |key, value| {
                        if self.key(key)? == name.as_str() {
                            found = Some(value);
                            stop.set(true);
                        }
                        Some(None)
                    })?;
                    found
                }
                Single::Index(index) if self.at(at) == b'[' => self.index(at, *index)?,
                _ => None,
            };
            match next {
                Some(n) => at = n,
                None => return Some(None),
            }
        }
        Some(Some(at))
    }

    /// Whether the value at `i` passes the filter condition `c`, as
    /// `jsonpath-rust` decides it.
    fn test(&self, c: &Cond, i: usize) -> Option<bool> {
        Some(match c {
            Cond::Or(list) => {
                for c in list {
                    if self.test(c, i)? {
                        return Some(true);
                    }
                }
                false
            }
            Cond::And(list) => {
                for c in list {
                    if !self.test(c, i)? {
                        return Some(false);
                    }
                }
                true
            }
            Cond::Not(c) => !self.test(c, i)?,
            Cond::Exists(path) => self.single(i, path)?.is_some(),
            Cond::Compare(op, l, r) => {
                if let (Op::Eq | Op::Ne, Some(eq)) = (op, self.string_eq(l, r, i)?) {
                    return Some(eq == matches!(op, Op::Eq));
                }
                let l = self.operand(l, i)?;
                let r = self.operand(r, i)?;
                let (l, r) = (l.as_deref(), r.as_deref());
                match op {
                    Op::Eq => eq(l, r),
                    Op::Ne => !eq(l, r),
                    Op::Lt => lt(l, r),
                    Op::Gt => lt(r, l),
                    Op::Le => lt(l, r) || eq(l, r),
                    Op::Ge => lt(r, l) || eq(l, r),
                }
            }
        })
    }

    /// `==` between a query from the candidate at `i` and a string literal,
    /// decided on the text where that is plain: `None` inside when the
    /// operands are other than those, or the string found has escapes.
    fn string_eq(&self, l: &Operand, r: &Operand, i: usize) -> Option<Option<bool>> {
        let (path, literal) = match (l, r) {
            (Operand::Current(path), Operand::Literal(Value::String(s)))
            | (Operand::Literal(Value::String(s)), Operand::Current(path)) => (path, s),
            _ => return Some(None),
        };
        // Nothing, and any value but a string, differs from a string.
        let Some(at) = self.single(i, path)? else {
            return Some(Some(false));
        };
        if self.at(at) != b'"' {
            return Some(Some(false));
        }
        let end = self.string_end(at)?;
        let raw = self.text.get(at + 1..end.checked_sub(1)?)?;
        if raw.contains('\\') {
            return Some(None);
        }
        Some(Some(raw == literal.as_str()))
    }

    /// An operand's value for the candidate at `i`; `None` inside when a
    /// query leads nowhere.
    fn operand<'o>(&self, o: &'o Operand, i: usize) -> Option<Option<Cow<'o, Value>>> {
        Some(match o {
            Operand::Literal(v) => Some(Cow::Borrowed(v)),
            Operand::Current(path) => match self.single(i, path)? {
                Some(at) => Some(Cow::Owned(self.value(at)?)),
                None => None,
            },
        })
    }
}

/// `==` as `jsonpath-rust` compares (numbers within `f64::EPSILON`, else
/// `serde_json` equality; nothing equals nothing).
fn eq(l: Option<&Value>, r: Option<&Value>) -> bool {
    match (l, r) {
        (Some(l), Some(r)) => match (l.as_f64(), r.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < f64::EPSILON,
            _ => l == r,
        },
        (None, None) => true,
        _ => false,
    }
}

/// `<` as `jsonpath-rust` compares: numbers, or strings; else false.
fn lt(l: Option<&Value>, r: Option<&Value>) -> bool {
    let (Some(l), Some(r)) = (l, r) else {
        return false;
    };
    if let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) {
        a < b
    } else if let (Some(a), Some(b)) = (l.as_str(), r.as_str()) {
        a < b
    } else {
        false
    }
}

/// One selected value read as the strict reader reads it (its text was
/// checked by that reader, as part of the whole).
pub fn read(text: &str) -> Option<Value> {
    // Most values selected are short strings without escapes.
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        if inner.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
            return Some(Value::String(inner.to_owned()));
        }
    }
    cairn_json::parse(text.as_bytes(), usize::MAX).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonpath_rust::JsonPath;
    use proptest::prelude::*;

    /// What `select` gives, read into values; `None` when it declines.
    fn ours(path: &str, text: &str) -> Option<Vec<Value>> {
        let ranges = select(path, text)?;
        Some(
            ranges
                .into_iter()
                .map(|r| read(&text[r]).unwrap())
                .collect(),
        )
    }

    fn theirs(path: &str, text: &str) -> Vec<Value> {
        let value = cairn_json::parse(text.as_bytes(), 128).unwrap();
        value.query(path).unwrap().into_iter().cloned().collect()
    }

    const DOC: &str = r#" {"z": 1, "components": [
        {"name": "a", "licenses": [{"license": {"id": "MIT"}}], "n": 3, "tags": ["x", "y"]},
        {"licenses": [{"license": {"id": "GPL-3.0-only"}}, {"license": {"name": "custom"}}], "name": "b", "n": 3.0},
        {"name": "c\u0041", "licenses": [], "n": -2, "ok": true, "nil": null},
        {"name": "d", "n": "3", "k\"ey": {"b": 2, "a": 1, "c\u00e9": [1, {"x": "}"}]}},
        "str", 7, [1, 2]
      ],
      "bomFormat" : "CycloneDX", "meta": {"b": [1], "a": {"y": 2}, "\u0061a": 0}} "#;

    const PATHS: &[&str] = &[
        "$",
        "$.bomFormat",
        "$.z",
        "$.missing",
        "$.components",
        "$.components[*]",
        "$.components.*",
        "$.components[*].name",
        "$.components[*].licenses[*].license.id",
        "$.components[*].licenses[0].license.id",
        "$.components[*].licenses[-1].license",
        "$.components[0]",
        "$.components[-1]",
        "$.components[-7]",
        "$.components[-8]",
        "$.components[6][1]",
        "$.components[99]",
        "$.meta.*",
        "$.meta[*]",
        "$.meta.a.y",
        "$['meta']['aa']",
        "$.components[3]['k\"ey'].*",
        "$.components[3]['k\"ey']['cé'][1].x",
        "$.components[?@.licenses[0].license.id == 'GPL-3.0-only']",
        "$.components[?@.licenses[0].license.id != 'GPL-3.0-only']",
        "$.components[?@.n == 3]",
        "$.components[?@.n == 3.0]",
        "$.components[?@.n > 0]",
        "$.components[?@.n <= 3]",
        "$.components[?@.n >= 3]",
        "$.components[?@.n < '4']",
        "$.components[?@.name > 'b']",
        "$.components[?@.name]",
        "$.components[?!@.name]",
        "$.components[?@.ok == true]",
        "$.components[?@.nil == null]",
        "$.components[?@.missing == @.other]",
        "$.components[?@.n == @.n]",
        "$.components[?@.tags == @.tags]",
        "$.components[?@.licenses[0]]",
        "$.components[?@.name == 'a' || @.name == 'd']",
        "$.components[?@.n == 3 && !(@.name == 'a')]",
        "$.components[?@ == 7]",
        "$.components[?@ == 'str']",
        "$.meta[?@.y == 2]",
        "$.meta[?@ == 0]",
        "$[?@ == 1]",
        "$.components[*].licenses[?@.license.id].license.id",
        "$..name",
        "$.components[0:2]",
        "$.components[0,1]",
        "$.components[?length(@.name) == 1]",
        "$.components[?@.n == $.z]",
    ];

    #[test]
    fn agrees_with_jsonpath_rust() {
        let mut answered = 0;
        for path in PATHS {
            if let Some(values) = ours(path, DOC) {
                answered += 1;
                assert_eq!(values, theirs(path, DOC), "{path}");
            }
        }
        // Descendants, slices, lists, functions and the root in a filter
        // are left to `jsonpath-rust`.
        let declined: Vec<&str> = PATHS
            .iter()
            .copied()
            .filter(|p| ours(p, DOC).is_none())
            .collect();
        assert_eq!(declined.len() + answered, PATHS.len());
        assert_eq!(declined, PATHS[PATHS.len() - 5..].to_vec(), "declined");
    }

    #[test]
    fn starts_are_where_the_values_start() {
        for path in PATHS {
            let all = select(path, DOC);
            let starts = select_starts(path, DOC);
            assert_eq!(
                all.as_ref()
                    .map(|v| v.iter().map(|r| r.start).collect::<Vec<_>>()),
                starts
                    .as_ref()
                    .map(|v| v.iter().map(|r| r.start).collect::<Vec<_>>()),
                "{path}"
            );
            for (a, s) in all.iter().flatten().zip(starts.iter().flatten()) {
                let container = matches!(DOC.as_bytes()[a.start], b'{' | b'[');
                assert!(s == a || (container && s.is_empty()), "{path}");
            }
        }
        assert_eq!(select_starts("$.components", DOC).unwrap()[0].len(), 0);
    }

    #[test]
    fn one_walk_for_many_paths_answers_as_each_alone() {
        let each: Vec<_> = PATHS.iter().map(|p| select(p, DOC)).collect();
        assert_eq!(select_many(PATHS, DOC), each);
        for pair in PATHS.windows(3) {
            let each: Vec<_> = pair.iter().map(|p| select(p, DOC)).collect();
            assert_eq!(select_many(pair, DOC), each, "{pair:?}");
        }
    }

    /// Small JSON values of the shapes predicates have.
    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (-3i64..4).prop_map(Value::from),
            prop_oneof![Just(1.0), Just(2.5), Just(-0.0)].prop_map(Value::from),
            "[abx\"é]{0,3}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[abx]{1,2}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn path() -> impl Strategy<Value = String> {
        let step = prop_oneof![
            "[abx]{1,2}".prop_map(|n| format!(".{n}")),
            Just("[*]".to_string()),
            Just(".*".to_string()),
            (-3i64..4).prop_map(|i| format!("[{i}]")),
            (
                "[abx]",
                "(==|!=|<|<=|>|>=)",
                prop_oneof![
                    Just("1"),
                    Just("2.5"),
                    Just("'a'"),
                    Just("true"),
                    Just("null"),
                    Just("@.b")
                ]
            )
                .prop_map(|(n, op, lit)| format!("[?@.{n} {op} {lit}]")),
            ("[abx]", any::<bool>())
                .prop_map(|(n, not)| format!("[?{}@.{n}]", if not { "!" } else { "" })),
            Just("[?@ > 0 || @[0]]".to_string()),
        ];
        prop::collection::vec(step, 0..4).prop_map(|steps| format!("${}", steps.concat()))
    }

    proptest! {
        /// On any value, written compactly or with spaces, every path
        /// answered here selects what `jsonpath-rust` selects.
        #[test]
        fn agrees_on_any_value(value in json(), path in path(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                value.to_string()
            };
            if let Some(values) = ours(&path, &text) {
                prop_assert_eq!(values, theirs(&path, &text), "{} on {}", path, text);
            }
        }

        /// Several paths walked together select what each selects alone.
        #[test]
        fn many_agree_with_each(value in json(), paths in prop::collection::vec(path(), 1..5)) {
            let text = value.to_string();
            let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
            let each: Vec<_> = paths.iter().map(|p| select(p, &text)).collect();
            prop_assert_eq!(select_many(&paths, &text), each, "{:?} on {}", paths, text);
        }
    }
}
