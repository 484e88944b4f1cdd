//! Architecture rules checked on the source itself: no import cycle between the
//! files of one crate.
//!
//! Every crate of the workspace is checked on its own: the root package
//! (`src/lib.rs`, `src/main.rs`) and each `crates/*/src/{lib,main}.rs`. Each
//! file is a module (`foo.rs` or `foo/mod.rs`; inline `mod x { }` blocks belong
//! to their file). File A depends on file B when A names an item that B
//! defines, through a `use` or through a path in code (`crate::x::f()`,
//! `super::Thing`, `child::Item`). A path is resolved to the file that
//! defines the item: module segments are walked to the deepest module, and a
//! re-export there (`pub use child::Item;`, globs included) is followed to its
//! source, so a `mod.rs` that only declares and re-exports is no hub. A `mod`
//! declaration is not a dependency, nor is a path that does not resolve inside
//! the crate (std, other crates, macros). Code under `#[cfg(test)]` is left
//! out: tests may reach anywhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// Reads a file given by its path relative to the package root.
type Reader<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// The module tree of one crate and the paths its files name.
struct Crate {
    /// Paths of the files, relative to the package root, by file id.
    files: Vec<PathBuf>,
    modules: Vec<Module>,
    refs: Vec<Ref>,
    /// Declared module files that are missing or do not parse.
    errors: Vec<String>,
}

#[derive(Default)]
struct Module {
    file: usize,
    parent: Option<usize>,
    children: BTreeMap<String, usize>,
    /// Names of the items defined here (not modules, not imports).
    defs: BTreeSet<String>,
    /// Imported names and the paths they import (relative to this module).
    uses: BTreeMap<String, Vec<Vec<String>>>,
    /// Paths of glob imports.
    globs: Vec<Vec<String>>,
}

/// A path named in a module.
struct Ref {
    module: usize,
    path: Vec<String>,
    /// A `use` leaf: a name that is a module there is taken as the module.
    is_use: bool,
}

#[derive(Clone, PartialEq, Debug)]
enum Target {
    Module(usize),
    /// The module that defines an item, and the item's name there.
    Item(usize, String),
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        if !attr.path().is_ident("cfg") {
            return false;
        }
        match attr.parse_args::<syn::Meta>() {
            Ok(syn::Meta::Path(path)) => path.is_ident("test"),
            Ok(syn::Meta::List(list)) if list.path.is_ident("all") => list
                .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
                .map(|metas| {
                    metas
                        .iter()
                        .any(|meta| matches!(meta, syn::Meta::Path(p) if p.is_ident("test")))
                })
                .unwrap_or(false),
            _ => false,
        }
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::ExternCrate(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::ForeignMod(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::TraitAlias(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Union(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// The leaves of a `use` tree: `(name bound, path)` for named imports, `None`
/// as the name for globs.
fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Option<String>, Vec<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((Some(last.clone()), prefix.clone()));
                }
            } else {
                let mut path = prefix.clone();
                path.push(name.clone());
                out.push((Some(name), path));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            let ident = r.ident.to_string();
            if ident != "self" {
                path.push(ident);
            }
            out.push((Some(r.rename.to_string()), path));
        }
        syn::UseTree::Glob(_) => out.push((None, prefix.clone())),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// Collects the paths named by code (not `use` items of the module itself,
/// not nested modules, not code under `#[cfg(test)]`).
struct PathCollector<'a> {
    module: usize,
    refs: &'a mut Vec<Ref>,
}

impl<'ast> Visit<'ast> for PathCollector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_cfg_test(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        // A `use` inside a block: its leaves are named from this module.
        if item.leading_colon.is_some() {
            return;
        }
        let mut leaves = Vec::new();
        use_leaves(&item.tree, &mut Vec::new(), &mut leaves);
        for (name, path) in leaves {
            if name.is_some() {
                self.refs.push(Ref {
                    module: self.module,
                    path,
                    is_use: true,
                });
            }
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Const(i) => &i.attrs,
            syn::ImplItem::Fn(i) => &i.attrs,
            syn::ImplItem::Type(i) => &i.attrs,
            syn::ImplItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        if !is_cfg_test(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.refs.push(Ref {
                module: self.module,
                path: segments,
                is_use: false,
            });
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // The macro's own name is not followed; arguments that parse as
        // expressions (`format!`, `write!`, `assert!`, ...) are.
        let parser = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = mac.parse_body_with(parser) {
            for expr in &args {
                self.visit_expr(expr);
            }
        }
    }
}

impl Crate {
    /// Loads the crate whose root file is `root` (relative to the package).
    fn load(root: &Path, read: Reader) -> Crate {
        let mut krate = Crate {
            files: Vec::new(),
            modules: Vec::new(),
            refs: Vec::new(),
            errors: Vec::new(),
        };
        match read(root).map(|text| syn::parse_file(&text)) {
            Some(Ok(file)) => {
                krate.files.push(root.to_path_buf());
                krate.modules.push(Module::default());
                let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
                krate.items(0, &file.items, &dir, root, read);
            }
            Some(Err(e)) => krate.errors.push(format!("{}: {e}", root.display())),
            None => krate
                .errors
                .push(format!("{}: cannot read", root.display())),
        }
        krate
    }

    /// Records the items of module `module`; `dir` is where its child module
    /// files are, `file` the file the items are in.
    fn items(&mut self, module: usize, items: &[syn::Item], dir: &Path, file: &Path, read: Reader) {
        for item in items {
            if is_cfg_test(item_attrs(item)) {
                continue;
            }
            let name = match item {
                syn::Item::Mod(m) => {
                    self.module(module, m, dir, file, read);
                    continue;
                }
                syn::Item::Use(u) => {
                    if u.leading_colon.is_none() {
                        let mut leaves = Vec::new();
                        use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                        for (name, path) in leaves {
                            match name {
                                Some(name) => {
                                    self.modules[module]
                                        .uses
                                        .entry(name)
                                        .or_default()
                                        .push(path.clone());
                                    self.refs.push(Ref {
                                        module,
                                        path,
                                        is_use: true,
                                    });
                                }
                                None => self.modules[module].globs.push(path),
                            }
                        }
                    }
                    continue;
                }
                syn::Item::Const(i) => Some(&i.ident),
                syn::Item::Enum(i) => Some(&i.ident),
                syn::Item::Fn(i) => Some(&i.sig.ident),
                syn::Item::Static(i) => Some(&i.ident),
                syn::Item::Struct(i) => Some(&i.ident),
                syn::Item::Trait(i) => Some(&i.ident),
                syn::Item::TraitAlias(i) => Some(&i.ident),
                syn::Item::Type(i) => Some(&i.ident),
                syn::Item::Union(i) => Some(&i.ident),
                syn::Item::ForeignMod(f) => {
                    for foreign in &f.items {
                        match foreign {
                            syn::ForeignItem::Fn(i) => {
                                self.modules[module].defs.insert(i.sig.ident.to_string());
                            }
                            syn::ForeignItem::Static(i) => {
                                self.modules[module].defs.insert(i.ident.to_string());
                            }
                            _ => {}
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(name) = name {
                self.modules[module].defs.insert(name.to_string());
            }
            PathCollector {
                module,
                refs: &mut self.refs,
            }
            .visit_item(item);
        }
    }

    fn module(&mut self, parent: usize, m: &syn::ItemMod, dir: &Path, file: &Path, read: Reader) {
        let name = m.ident.to_string();
        let id = self.modules.len();
        let child_dir = dir.join(&name);
        if let Some((_, items)) = &m.content {
            self.modules.push(Module {
                file: self.modules[parent].file,
                parent: Some(parent),
                ..Module::default()
            });
            self.modules[parent].children.insert(name, id);
            self.items(id, items, &child_dir, file, read);
            return;
        }
        let explicit = m
            .attrs
            .iter()
            .find(|a| a.path().is_ident("path"))
            .and_then(|a| match &a.meta {
                syn::Meta::NameValue(syn::MetaNameValue {
                    value:
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }),
                    ..
                }) => Some(file.parent().unwrap_or(Path::new("")).join(s.value())),
                _ => None,
            });
        let candidates = match explicit {
            Some(path) => vec![path],
            None => vec![dir.join(format!("{name}.rs")), child_dir.join("mod.rs")],
        };
        let Some((path, text)) = candidates
            .iter()
            .find_map(|c| read(c).map(|t| (c.clone(), t)))
        else {
            self.errors
                .push(format!("{}: no file for `mod {name};`", file.display()));
            return;
        };
        let parsed = match syn::parse_file(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.errors.push(format!("{}: {e}", path.display()));
                return;
            }
        };
        let file_id = self.files.len();
        self.files.push(path.clone());
        self.modules.push(Module {
            file: file_id,
            parent: Some(parent),
            ..Module::default()
        });
        self.modules[parent].children.insert(name, id);
        // `x.rs` and `x/mod.rs` both keep their children in `x/`.
        let child_dir = if keeps_children_beside(&path) {
            path.parent().unwrap_or(Path::new("")).to_path_buf()
        } else {
            child_dir
        };
        self.items(id, &parsed.items, &child_dir, &path, read);
    }

    /// Resolves `path` named in module `from`. `want_module`: when its last
    /// segment names both a module and an item, take the module.
    fn resolve(
        &self,
        from: usize,
        path: &[String],
        want_module: bool,
        depth: usize,
    ) -> Option<Target> {
        if depth > 48 {
            return None;
        }
        let mut current = from;
        let mut rest = path;
        while let Some((first, tail)) = rest.split_first() {
            match first.as_str() {
                "crate" if rest.len() == path.len() => current = 0,
                "self" if rest.len() == path.len() => {}
                "super" => current = self.modules[current].parent?,
                _ => break,
            }
            rest = tail;
        }
        let count = rest.len();
        for (i, segment) in rest.iter().enumerate() {
            let last = i + 1 == count;
            match self.lookup(current, segment, !last || want_module, depth + 1)? {
                Target::Module(m) => current = m,
                // `Type::Variant`, `Type::method`: the item is the type.
                item @ Target::Item(..) => return Some(item),
            }
        }
        Some(Target::Module(current))
    }

    /// What `name` means in module `module`.
    fn lookup(&self, module: usize, name: &str, want_module: bool, depth: usize) -> Option<Target> {
        let m = &self.modules[module];
        let mut found = Vec::new();
        if let Some(&child) = m.children.get(name) {
            found.push(Target::Module(child));
        }
        if m.defs.contains(name) {
            found.push(Target::Item(module, name.to_string()));
        }
        for path in m.uses.get(name).into_iter().flatten() {
            found.extend(self.resolve(module, path, want_module, depth));
        }
        if found.is_empty() {
            for glob in &m.globs {
                if let Some(Target::Module(g)) = self.resolve(module, glob, true, depth) {
                    if g != module {
                        found.extend(self.lookup(g, name, want_module, depth + 1));
                    }
                }
            }
        }
        let is_module = |t: &&Target| matches!(t, Target::Module(_));
        let preferred = if want_module {
            found.iter().find(is_module)
        } else {
            found.iter().find(|t| !is_module(t))
        };
        preferred.or(found.first()).cloned()
    }

    /// File-level edges: `(from file, to file) -> names of the items`.
    fn edges(&self) -> BTreeMap<(usize, usize), BTreeSet<String>> {
        let mut edges: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
        for r in &self.refs {
            let Some(Target::Item(defining, name)) = self.resolve(r.module, &r.path, r.is_use, 0)
            else {
                continue;
            };
            let (from, to) = (self.modules[r.module].file, self.modules[defining].file);
            if from == to {
                continue;
            }
            edges.entry((from, to)).or_default().insert(name);
        }
        edges
    }
}

/// `x/mod.rs`, `lib.rs`, `main.rs` keep their children beside them.
fn keeps_children_beside(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("mod.rs" | "lib.rs" | "main.rs")
    )
}

/// Strongly connected components of more than one node (Tarjan).
fn components(nodes: usize, edges: &BTreeMap<(usize, usize), BTreeSet<String>>) -> Vec<Vec<usize>> {
    struct State<'a> {
        adjacency: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn connect(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.adjacency[v] {
            match s.index[w] {
                None => {
                    connect(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                s.out.push(component);
            }
        }
    }
    let mut adjacency = vec![Vec::new(); nodes];
    for &(from, to) in edges.keys() {
        adjacency[from].push(to);
    }
    let mut state = State {
        adjacency: &adjacency,
        index: vec![None; nodes],
        low: vec![0; nodes],
        on_stack: vec![false; nodes],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..nodes {
        if state.index[v].is_none() {
            connect(&mut state, v);
        }
    }
    let mut out = state.out;
    out.sort();
    out
}

/// Each component as its files and a set of cycles that covers every edge
/// inside it (for each edge, the shortest way back), one line per cycle:
/// `a.rs -> b.rs (Item) -> a.rs (other)`.
fn describe(krate: &Crate) -> Vec<String> {
    let edges = krate.edges();
    let name = |f: usize| krate.files[f].display().to_string();
    let mut out = Vec::new();
    for component in components(krate.files.len(), &edges) {
        let inside: BTreeSet<usize> = component.iter().copied().collect();
        let mut text = format!(
            "cycle among {} files: {}",
            component.len(),
            component
                .iter()
                .map(|&f| name(f))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut seen = BTreeSet::new();
        for &(from, to) in edges
            .keys()
            .filter(|(f, t)| inside.contains(f) && inside.contains(t))
        {
            // Shortest path to -> from inside the component.
            let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
            let mut queue = VecDeque::from([to]);
            while let Some(v) = queue.pop_front() {
                if v == from {
                    break;
                }
                for &(_, w) in edges.range((v, 0)..(v + 1, 0)).map(|(k, _)| k) {
                    if inside.contains(&w) && w != to && !previous.contains_key(&w) {
                        previous.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
            let mut cycle = vec![from];
            let mut v = from;
            while v != to {
                v = previous[&v];
                cycle.push(v);
            }
            cycle.push(from);
            cycle.reverse(); // from -> to -> ... -> from
            cycle.pop();
            // One rotation per cycle: start at the smallest file.
            let start = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, f)| **f)
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(start);
            if !seen.insert(cycle.clone()) {
                continue;
            }
            let mut line = name(cycle[0]);
            for (i, &to) in cycle
                .iter()
                .enumerate()
                .skip(1)
                .chain([(cycle.len(), &cycle[0])])
            {
                let items = &edges[&(cycle[i - 1], to)];
                line.push_str(&format!(
                    " -> {} ({})",
                    name(to),
                    items.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            text.push_str("\n    ");
            text.push_str(&line);
        }
        out.push(text);
    }
    out
}

/// The crate roots of the workspace: `src/{lib,main}.rs` and
/// `crates/*/src/{lib,main}.rs`, relative to the package root.
fn crate_roots(package: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("src")];
    if let Ok(entries) = std::fs::read_dir(package.join("crates")) {
        let mut crates: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| Path::new("crates").join(e.file_name()).join("src"))
            .collect();
        crates.sort();
        dirs.extend(crates);
    }
    let mut roots = Vec::new();
    for dir in dirs {
        for root in ["lib.rs", "main.rs"] {
            if package.join(&dir).join(root).is_file() {
                roots.push(dir.join(root));
            }
        }
    }
    roots
}

fn rs_files(dir: &Path, out: &mut usize) {
    for entry in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            *out += 1;
        }
    }
}

#[test]
fn no_file_level_import_cycles() {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &Path| std::fs::read_to_string(package.join(p)).ok();
    let mut scanned = 0;
    let mut errors = Vec::new();
    let mut cycles = Vec::new();
    for root in crate_roots(package) {
        let krate = Crate::load(&root, &read);
        let mut on_disk = 0;
        rs_files(&package.join(root.parent().unwrap()), &mut on_disk);
        println!(
            "{}: {} files checked ({} .rs files in its directory; the others are test-only or of another root)",
            root.display(),
            krate.files.len(),
            on_disk
        );
        scanned += krate.files.len();
        errors.extend(krate.errors.iter().cloned());
        cycles.extend(describe(&krate));
    }
    assert!(
        errors.is_empty(),
        "module files not read:\n{}",
        errors.join("\n")
    );
    assert!(
        scanned > 10,
        "only {scanned} files scanned: the crates were not found"
    );
    assert!(
        cycles.is_empty(),
        "{} import cycles between files:\n{}",
        cycles.len(),
        cycles.join("\n")
    );
}

mod resolver {
    use super::*;

    fn cycles(files: &[(&str, &str)]) -> (Vec<String>, usize) {
        let files: BTreeMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
            .collect();
        let read = |p: &Path| files.get(p).cloned();
        let krate = Crate::load(Path::new("src/lib.rs"), &read);
        assert!(krate.errors.is_empty(), "{:?}", krate.errors);
        (describe(&krate), krate.files.len())
    }

    #[test]
    fn a_cycle_through_use_is_found() {
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod a; mod b;"),
            ("src/a.rs", "use crate::b::B; pub struct A(B);"),
            (
                "src/b.rs",
                "use super::a::A as Other; pub struct B; pub fn f(_: Other) {}",
            ),
        ]);
        assert_eq!(
            found,
            ["cycle among 2 files: src/a.rs, src/b.rs\n    src/a.rs -> src/b.rs (B) -> src/a.rs (A)"]
        );
    }

    #[test]
    fn a_reexporting_mod_rs_is_no_hub() {
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod m; use m::{X, Y, Z};"),
            (
                "src/m/mod.rs",
                "mod x; mod y; mod z; pub use x::X; pub(crate) use y::*; pub use self::z::Z as Zed;\n\
                 pub use z::Z; pub fn g(_: X) {}",
            ),
            ("src/m/x.rs", "use super::{Y, Zed}; pub struct X(Y, Zed);"),
            ("src/m/y.rs", "pub struct Y; pub fn h() -> crate::m::Z { super::Zed }"),
            ("src/m/z.rs", "pub struct Z;"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_reexport_followed_to_its_source_closes_a_cycle() {
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod m; mod n;"),
            ("src/m/mod.rs", "mod x; pub use x::*;"),
            ("src/m/x.rs", "pub struct X(crate::n::N);"),
            (
                "src/n.rs",
                "use crate::m; pub struct N; fn f() -> m::X { todo!() }",
            ),
        ]);
        assert_eq!(
            found,
            ["cycle among 2 files: src/m/x.rs, src/n.rs\n    src/m/x.rs -> src/n.rs (N) -> src/m/x.rs (X)"]
        );
    }

    #[test]
    fn test_code_is_ignored() {
        let (found, files) = cycles(&[
            ("src/lib.rs", "mod a; mod b; #[cfg(test)] mod tests;"),
            (
                "src/a.rs",
                "pub fn a() {}\n\
                 #[cfg(test)] use crate::b::b;\n\
                 #[cfg(test)] mod tests { use crate::b::b; }\n\
                 #[cfg(all(test, unix))] fn only_in_tests() { crate::b::b() }\n\
                 pub struct S; impl S { #[cfg(test)] fn t() { crate::b::b() } }",
            ),
            ("src/b.rs", "pub fn b() { crate::a::a() }"),
            ("src/tests.rs", "use crate::a::a; use crate::b::b;"),
        ]);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(files, 3, "the test-only file is not read");
    }

    #[test]
    fn inline_paths_in_code_count() {
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod a; mod b;"),
            (
                "src/a.rs",
                "pub fn f() { println!(\"{}\", crate::b::g()); }",
            ),
            ("src/b.rs", "pub fn g() -> u8 { crate::a::f(); 0 }"),
        ]);
        assert_eq!(
            found,
            ["cycle among 2 files: src/a.rs, src/b.rs\n    src/a.rs -> src/b.rs (g) -> src/a.rs (f)"]
        );
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod a; mod b;"),
            (
                "src/a.rs",
                "use crate::b; pub enum Kind { One } pub fn f() -> u8 { b::g() }",
            ),
            ("src/b.rs", "pub fn g() -> u8 { super::a::Kind::One as u8 }"),
        ]);
        assert_eq!(
            found,
            ["cycle among 2 files: src/a.rs, src/b.rs\n    src/a.rs -> src/b.rs (g) -> src/a.rs (Kind)"]
        );
    }

    #[test]
    fn other_crates_std_and_mod_declarations_are_no_edges() {
        let (found, files) = cycles(&[
            ("src/lib.rs", "pub mod a; mod b; pub fn top() {}"),
            ("src/a.rs", "mod inner { pub fn x() {} } use cairn_base::top; pub fn f() { inner::x(); top() }"),
            ("src/b.rs", "use std::fmt; use crate::a::f; pub fn g() { f(); cairn_eval::top(); fmt::format(format_args!(\"\")); }"),
        ]);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(files, 3);
    }

    #[test]
    fn three_files_in_a_ring_are_one_component() {
        let (found, _) = cycles(&[
            ("src/lib.rs", "mod a; mod b; mod c;"),
            ("src/a.rs", "pub struct A(crate::b::B);"),
            ("src/b.rs", "pub struct B(crate::c::C);"),
            ("src/c.rs", "pub struct C(Box<crate::a::A>);"),
        ]);
        assert_eq!(
            found,
            ["cycle among 3 files: src/a.rs, src/b.rs, src/c.rs\n    \
              src/a.rs -> src/b.rs (B) -> src/c.rs (C) -> src/a.rs (A)"]
        );
    }
}
