//! The crates' top-level modules depend on each other in layers, never in
//! a circle: `api/` and `cli/` are adapters over `node/` and `domain/` and
//! meet only in `service/`; the runtime never reaches up into them; in the
//! protocol crate, entries sit above their bodies and below validation.
//! (docs/architecture.md draws the layers.)
//!
//! A module depends on another when its code (not its comments, not its
//! tests) names `crate::<other>`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments and its test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level module -> the top-level modules its code names.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let top = |path: &Path| -> String {
        let rel = path.strip_prefix(src).expect("under src");
        let first = rel.components().next().expect("a component");
        let name = first.as_os_str().to_string_lossy();
        name.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files
        .iter()
        .map(|p| top(p))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for path in &files {
        let from = top(path);
        if !modules.contains(&from) {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("readable source");
        let code = code_of(&text);
        let mut named = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            if rest.starts_with('{') {
                // `use crate::{a, b::c}`: every first segment in the list.
                let list = &rest[1..rest.find('}').unwrap_or(rest.len())];
                for item in list.split(',') {
                    named.insert(first_segment(item.trim()));
                }
            } else {
                named.insert(first_segment(rest));
            }
        }
        let deps = graph.entry(from.clone()).or_default();
        for m in named {
            if m != from && modules.contains(&m) {
                deps.insert(m);
            }
        }
    }
    graph
}

fn first_segment(path: &str) -> String {
    path.chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The strongly connected components of more than one module (Tarjan).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a Graph,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in &graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

fn assert_layered(src: &Path) {
    let graph = graph(src);
    let found = circles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|c| {
            let edges: Vec<String> = c
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| c.contains(b))
                        .map(move |b| format!("{a} -> {b}"))
                })
                .collect();
            format!("{c:?}: {}", edges.join(", "))
        })
        .collect();
    assert!(
        found.is_empty(),
        "module circles in {}:\n{}",
        src.display(),
        described.join("\n")
    );
}

#[test]
fn the_node_crates_modules_form_no_circle() {
    assert_layered(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
}

#[test]
fn the_protocol_crates_modules_form_no_circle() {
    assert_layered(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol/src"));
}

#[test]
fn a_circle_is_found_and_named() {
    let mut graph = Graph::new();
    for (a, b) in [
        ("api", "cli"),
        ("cli", "node"),
        ("node", "api"),
        ("node", "store"),
    ] {
        graph.entry(a.into()).or_default().insert(b.into());
        graph.entry(b.into()).or_default();
    }
    assert_eq!(circles(&graph), vec![vec!["api", "cli", "node"]]);
}
