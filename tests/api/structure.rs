//! The shape of the source tree, read from the files themselves: no handler opens a
//! transaction (writes live in services), and the modules of the library import each other
//! without circles.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Every `.rs` file of the library under `src/`, with its module path (`src/db/mod.rs` is
/// `db`, `src/api/images.rs` is `api::images`). `main.rs` is the binary, not the library.
fn library_files() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut modules = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&root).unwrap().with_extension("");
        let mut segments: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        match segments.last().map(String::as_str) {
            Some("main") if segments.len() == 1 => continue,
            Some("lib") if segments.len() == 1 => segments.clear(),
            Some("mod") => {
                segments.pop();
            }
            _ => {}
        }
        modules.insert(segments, path);
    }
    modules
}

/// The code of a file without comments, string and character literals, and without its
/// unit tests (an inline `#[cfg(test)] mod` at the end of the file).
fn code_of(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            while i < b.len() {
                if source[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if source[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some((hashes, body)) = raw_string_start(rest).filter(|_| !prev_is_ident(b, i))
        {
            let close = format!("\"{}", "#".repeat(hashes));
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.push_str("\"\"");
            i += end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if b[i] == b'\'' && char_literal_len(rest).is_some() {
            out.push_str("' '");
            i += char_literal_len(rest).unwrap();
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    match out.find("#[cfg(test)]\nmod ") {
        Some(at) => out[..at].to_owned(),
        None => out,
    }
}

/// At a raw string (`r"…"`, `br#"…"#`): its number of `#` and where its body starts.
fn raw_string_start(s: &str) -> Option<(usize, usize)> {
    let after_b = s.strip_prefix('b').unwrap_or(s);
    let after_r = after_b.strip_prefix('r')?;
    let hashes = after_r.bytes().take_while(|c| *c == b'#').count();
    after_r[hashes..].starts_with('"').then(|| {
        let body = s.len() - after_r.len() + hashes + 1;
        (hashes, body)
    })
}

fn prev_is_ident(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')
}

/// The length of a character literal at the start of `s` (`'a'`, `'\n'`, `'\u{1F600}'`), or
/// `None` for a lifetime.
fn char_literal_len(s: &str) -> Option<usize> {
    let mut chars = s.char_indices().skip(1);
    let (_, c) = chars.next()?;
    if c == '\\' {
        return s[2..].find('\'').map(|e| e + 3);
    }
    let (at, close) = chars.next()?;
    (close == '\'').then_some(at + 1)
}

/// The paths a `use` tree names: `a::{b, c::{d, e as f}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn split_top(s: &str) -> Vec<&str> {
        let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
        for (i, c) in s.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&s[start..]);
        parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    }
    fn go(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim();
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap()];
            let base: Vec<String> = prefix.iter().cloned().chain(head).collect();
            for part in split_top(inner) {
                go(&base, part, out);
            }
        } else {
            let tree = tree.split(" as ").next().unwrap().trim();
            let mut path: Vec<String> = prefix.to_vec();
            for seg in tree.split("::").map(str::trim) {
                if seg == "self" {
                    continue;
                }
                path.push(seg.to_owned());
            }
            out.push(path);
        }
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

struct Tree {
    files: BTreeMap<Vec<String>, PathBuf>,
    code: HashMap<Vec<String>, String>,
    /// Per module: a name it re-exports (`pub use x::Y;`) → the absolute path it names.
    reexports: HashMap<Vec<String>, HashMap<String, Vec<String>>>,
}

impl Tree {
    fn read() -> Tree {
        let files = library_files();
        let code: HashMap<_, _> = files
            .iter()
            .map(|(m, p)| (m.clone(), code_of(&std::fs::read_to_string(p).unwrap())))
            .collect();
        let mut tree = Tree {
            files,
            code,
            reexports: HashMap::new(),
        };
        let mut reexports = HashMap::new();
        for (module, code) in &tree.code {
            let mut names = HashMap::new();
            for (_, tree_text) in use_trees(code).into_iter().filter(|(public, _)| *public) {
                for path in expand_use(&tree_text) {
                    if let Some(abs) = tree.absolute(module, &path) {
                        names.insert(path.last().unwrap().clone(), abs);
                    }
                }
            }
            reexports.insert(module.clone(), names);
        }
        tree.reexports = reexports;
        tree
    }

    /// `path` as written in `module`, made absolute; `None` for another crate's path.
    fn absolute(&self, module: &[String], path: &[String]) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => module.to_vec(),
            "super" => {
                let mut b = module.to_vec();
                b.pop();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    b.pop();
                    rest = &rest[1..];
                }
                b.extend(rest.iter().cloned());
                return Some(b);
            }
            child => {
                let mut b = module.to_vec();
                b.push(child.to_owned());
                if !self.files.contains_key(&b) {
                    return None;
                }
                b.pop();
                b.push(child.to_owned());
                b.extend(rest.iter().cloned());
                return Some(b);
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The file an absolute path lands in: the longest prefix that is a module, followed
    /// through that module's re-exports.
    fn file_of(&self, path: &[String], depth: usize) -> Option<Vec<String>> {
        let mut n = path.len();
        while n > 0 && !self.files.contains_key(&path[..n]) {
            n -= 1;
        }
        let module = path[..n].to_vec();
        if depth < 8
            && let Some(next) = path.get(n)
            && let Some(target) = self.reexports.get(&module).and_then(|r| r.get(next))
        {
            let mut target = target.clone();
            target.extend(path[n + 1..].iter().cloned());
            return self.file_of(&target, depth + 1);
        }
        Some(module)
    }

    /// Which library files each file reaches by a path: `use` items, and paths written in
    /// the code through `crate::`, `super::` or a module it imported. A path to an item
    /// a module re-exports leads to the file that defines it.
    fn edges(&self) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
        let mut edges = BTreeMap::new();
        for (module, code) in &self.code {
            let mut targets = BTreeSet::new();
            let mut aliases: HashMap<String, Vec<String>> = HashMap::new();
            let add = |abs: Vec<String>, targets: &mut BTreeSet<Vec<String>>| {
                if let Some(file) = self.file_of(&abs, 0)
                    && &file != module
                {
                    targets.insert(file);
                }
            };
            for (public, tree_text) in use_trees(code) {
                for path in expand_use(&tree_text) {
                    if let Some(abs) = self.absolute(module, &path) {
                        // A module re-exporting its own children is their facade, not a
                        // user of them: whoever imports through it reaches the child.
                        if public && abs.len() > module.len() && abs.starts_with(module) {
                            continue;
                        }
                        if self.files.contains_key(&abs) {
                            aliases.insert(abs.last().cloned().unwrap_or_default(), abs.clone());
                        }
                        add(abs, &mut targets);
                    }
                }
            }
            for path in inline_paths(code) {
                let abs = match path[0].as_str() {
                    "crate" | "super" | "self" => self.absolute(module, &path),
                    alias => aliases.get(alias).map(|base| {
                        base.iter()
                            .cloned()
                            .chain(path[1..].iter().cloned())
                            .collect()
                    }),
                };
                if let Some(abs) = abs {
                    add(abs, &mut targets);
                }
            }
            edges.insert(module.clone(), targets);
        }
        edges
    }
}

/// The trees of a file's `use` items, each with whether it is `pub`.
fn use_trees(code: &str) -> Vec<(bool, String)> {
    let mut trees = Vec::new();
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let before = rest[..at].trim_end();
        let public = before.ends_with("pub") || before.ends_with(')');
        let after = &rest[at + 3..];
        let end = after.find(';').unwrap_or(after.len());
        trees.push((public, after[..end].trim().to_owned()));
        rest = &after[end..];
    }
    trees
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find(word).map(|i| i + from) {
        let end = i + word.len();
        let boundary = |j: usize| !(b[j].is_ascii_alphanumeric() || b[j] == b'_');
        if (i == 0 || boundary(i - 1)) && end < b.len() && b[end].is_ascii_whitespace() {
            return Some(i);
        }
        from = end;
    }
    None
}

/// Paths of two or more segments written in the code (`crate::db::write_tx`, `db::x::y`).
fn inline_paths(code: &str) -> Vec<Vec<String>> {
    let b = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut paths = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if ident(b[i]) && (i == 0 || !(ident(b[i - 1]) || b[i - 1] == b':')) {
            let mut segments = Vec::new();
            let mut j = i;
            loop {
                let start = j;
                while j < b.len() && ident(b[j]) {
                    j += 1;
                }
                segments.push(code[start..j].to_owned());
                if code[j..].starts_with("::") && j + 2 < b.len() && ident(b[j + 2]) {
                    j += 2;
                } else {
                    break;
                }
            }
            if segments.len() > 1 {
                paths.push(segments);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    paths
}

/// The groups of files that import each other in a circle (strongly connected components
/// of two or more files), each with one circle through it.
fn circles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    let nodes: Vec<&Vec<String>> = edges.keys().collect();
    let index: HashMap<&Vec<String>, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges[*n]
                .iter()
                .filter_map(|t| index.get(t).copied())
                .collect()
        })
        .collect();
    // Tarjan's algorithm, iteratively.
    let n = nodes.len();
    let (mut idx, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut next, mut groups) = (Vec::new(), 0, Vec::new());
    for root in 0..n {
        if idx[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, k)) = work.pop() {
            if k == 0 {
                idx[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = succ[v].get(k) {
                work.push((v, k + 1));
                if idx[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(idx[w]);
                }
                continue;
            }
            if low[v] == idx[v] {
                let mut group = Vec::new();
                loop {
                    let w = stack.pop().unwrap();
                    on_stack[w] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    groups.push(group);
                }
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    let name = |i: usize| {
        if nodes[i].is_empty() {
            "lib".to_owned()
        } else {
            nodes[i].join("::")
        }
    };
    groups
        .into_iter()
        .map(|group| {
            // One circle: the shortest way from the group's first file back to itself.
            let members: BTreeSet<usize> = group.iter().copied().collect();
            let start = *members.iter().next().unwrap();
            let mut came_from: HashMap<usize, usize> = HashMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut end = start;
            'search: while let Some(v) = queue.pop_front() {
                for &w in &succ[v] {
                    if !members.contains(&w) {
                        continue;
                    }
                    if w == start {
                        end = v;
                        break 'search;
                    }
                    if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(w) {
                        e.insert(v);
                        queue.push_back(w);
                    }
                }
            }
            let mut circle = vec![name(start)];
            let mut at = end;
            while at != start {
                circle.push(name(at));
                at = came_from[&at];
            }
            circle.push(name(start));
            let last = circle.len() - 1;
            circle[1..last].reverse();
            if members.len() > last {
                let all: Vec<String> = members.iter().map(|&m| name(m)).collect();
                circle.push(format!("(a group of {}: {})", all.len(), all.join(", ")));
            }
            circle
        })
        .collect()
}

#[test]
fn no_handler_opens_a_transaction() {
    let tree = Tree::read();
    let offenders: Vec<String> = tree
        .code
        .iter()
        .filter(|(module, _)| module.first().is_some_and(|m| m == "api"))
        .filter(|(_, code)| code.contains("write_tx") || code.contains("transaction("))
        .map(|(module, _)| module.join("::"))
        .collect();
    assert!(
        offenders.is_empty(),
        "handlers open transactions (a write belongs in a service): {offenders:?}"
    );
}

#[test]
fn the_modules_import_each_other_without_circles() {
    let tree = Tree::read();
    let found = circles(&tree.edges());
    let shown: Vec<String> = found
        .iter()
        .map(|c| match c.split_last() {
            Some((group, path)) if group.starts_with('(') => {
                format!("{} {group}", path.join(" → "))
            }
            _ => c.join(" → "),
        })
        .collect();
    eprintln!("{} import circles", found.len());
    assert!(
        found.is_empty(),
        "{} import circles:\n{}",
        found.len(),
        shown.join("\n")
    );
}

#[test]
fn the_reader_sees_paths_through_braces_re_exports_and_aliases() {
    let paths = expand_use("crate::db::{self, DbConn, stock::{Ledger, record as rec}}");
    let shown: Vec<String> = paths.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        shown,
        [
            "crate::db",
            "crate::db::DbConn",
            "crate::db::stock::Ledger",
            "crate::db::stock::record"
        ]
    );
    let code =
        code_of("// crate::a::b\nlet s = \"crate::x\"; let c = '\"'; db::y::z(); r#\"crate::q\"#;");
    assert_eq!(inline_paths(&code), vec![vec!["db", "y", "z"]]);
    let tree = Tree::read();
    let db_conn: Vec<String> = ["db", "DbConn"].map(str::to_owned).to_vec();
    assert_eq!(
        tree.file_of(&db_conn, 0),
        Some(vec!["db".to_owned(), "connection".to_owned()]),
        "a re-export is followed to the file that defines the item"
    );
}
