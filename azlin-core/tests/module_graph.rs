//! The module graph of azlin-core has no cycle, and its leaf utilities import nothing
//! above them (DESIGN.md, Layout; README, For contributors).
//!
//! The graph is read from the source itself: every `crate::module` a file of `src/`
//! names outside comments and its unit tests (`use crate::{a, b}` and paths written
//! inline alike) is an edge from the file's top-level module to that module. One edge is
//! not counted: `crate::Error` and the exit statuses re-exported at the crate root. The
//! error type wraps every module's error and is what the core returns at its boundary
//! (the inventory load, tag changes, the run), so the modules that orchestrate others
//! name it by design; it holds no rule of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules that import no other module but these: the utilities everything else builds
/// on. A new utility that needs more is no leaf.
const LEAVES: &[&str] = &[
    "cache_file",
    "duration",
    "fingerprint",
    "interrupt",
    "parallel",
    "paths",
    "quote",
    "suggest",
    "text",
];

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = graph();
    assert!(graph.len() > 10, "the source was not read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "azlin-core's modules import each other in a cycle: {}; move what both need \
             into a module below them (README, For contributors: the module layers)",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn leaf_modules_import_only_leaves() {
    let graph = graph();
    for leaf in LEAVES {
        let deps = graph
            .get(*leaf)
            .unwrap_or_else(|| panic!("leaf module `{leaf}` not found in src/"));
        let above: Vec<&String> = deps
            .iter()
            .filter(|d| !LEAVES.contains(&d.as_str()))
            .collect();
        assert!(
            above.is_empty(),
            "leaf module `{leaf}` imports {above:?}, which are not leaves"
        );
    }
}

/// The checker itself finds a cycle, and names it.
#[test]
fn a_cycle_is_found() {
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    graph.entry("c".into()).or_default().insert("a".into());
    graph.entry("d".into()).or_default().insert("a".into());
    let cycle = find_cycle(&graph).expect("a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    graph.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&graph), None);
    assert_eq!(
        deps_of(
            "use crate::{name, ssh::Target};\nlet x = crate::text::Escaped(y); // crate::gone\n"
        ),
        ["name", "ssh", "text"].map(String::from).into()
    );
}

/// Top-level module → the top-level modules it names.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&src).unwrap();
            let file = rel.file_name().unwrap().to_string_lossy();
            // The crate root declares modules; `tests.rs` files are unit tests.
            if !file.ends_with(".rs") || rel == Path::new("lib.rs") || file == "tests.rs" {
                continue;
            }
            let first = rel
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy();
            let module = first.trim_end_matches(".rs").to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let deps = graph.entry(module.clone()).or_default();
            deps.extend(deps_of(&text).into_iter().filter(|d| *d != module));
        }
    }
    graph
}

/// The lower-case `crate::…` names in `text`, outside comments and the unit tests at its
/// end (`#[cfg(test)] mod tests`).
fn deps_of(text: &str) -> BTreeSet<String> {
    let mut code = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("#[cfg(")
            && line.contains("test")
            && lines
                .peek()
                .is_some_and(|next| next.starts_with("mod tests"))
        {
            break;
        }
        let line = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    let mut deps = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            deps.extend(group.split(',').filter_map(|part| module_word(part.trim())));
        } else {
            deps.extend(module_word(rest));
        }
    }
    deps
}

/// The module a path starts with (`ssh::Target` → `ssh`); `None` for `self` and the
/// root's re-exports (`Error`).
fn module_word(path: &str) -> Option<String> {
    let word: String = path
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let lower = word.starts_with(|c: char| c.is_ascii_lowercase());
    (lower && word != "self").then_some(word)
}

/// A cycle of `graph` as `a -> b -> … -> a`, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &Graph,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|n| n == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_string());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_string(), Mark::Open);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_string(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut marks, &mut Vec::new()))
}
