//! The routes of the app as its source registers them: every `.route("PATH", …)` under
//! src/ with the methods it answers. Read by the route inventory (tests/it/inventory.rs)
//! and the per-role benchmark (benches/roles.rs), so both see a route added tomorrow.
use std::path::{Path, PathBuf};

/// One `.route(…)` registration: its path and the methods it answers.
pub struct Route {
    pub path: String,
    pub methods: Vec<&'static str>,
    pub file: PathBuf,
}

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text up to the parenthesis closing the one just before `s` (string literals skipped).
fn up_to_closing_paren(s: &str) -> &str {
    let (mut depth, mut in_string, mut escaped) = (1, false, false);
    for (i, c) in s.char_indices() {
        match (in_string, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (true, '"') => in_string = false,
            (true, _) => {}
            (false, '"') => in_string = true,
            (false, '(') => depth += 1,
            (false, ')') => {
                depth -= 1;
                if depth == 0 {
                    return &s[..i];
                }
            }
            (false, _) => {}
        }
    }
    panic!("unbalanced .route( in the source");
}

/// Whether `args` calls the method router `m(` (as `get(`, `.post(`, `routing::put(`).
fn calls(args: &str, m: &str) -> bool {
    args.match_indices(&format!("{m}(")).any(|(at, _)| {
        args[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

pub fn routes_in_source() -> Vec<Route> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut routes = vec![];
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Paths these would add are invisible to this reading of the source.
        for other in [".nest(", ".nest_service(", ".route_service("] {
            assert!(
                !text.contains(other),
                "{}: {other} is not understood by the route inventory; teach it",
                file.display()
            );
        }
        for (at, _) in text.match_indices(".route(") {
            let args = up_to_closing_paren(&text[at + ".route(".len()..]);
            let path = args.split('"').nth(1).expect("a path literal").to_string();
            let methods: Vec<&str> = METHODS.into_iter().filter(|m| calls(args, m)).collect();
            assert!(
                !methods.is_empty(),
                "{}: no method found for {path}; teach the inventory",
                file.display()
            );
            routes.push(Route {
                path,
                methods,
                file: file.clone(),
            });
        }
    }
    routes
}
