//! The environment is read once, by `config`: no other module reads it, and what it says is
//! checked before anything runs.

mod support;

use std::path::Path;

use support::{Repo, action_env, add_crate, run_env, stderr};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// What of `std::env` code outside config/ may use: the arguments (main passes them on), and
/// places that are no part of the environment's variables.
const HARMLESS: [&str; 4] = ["args", "args_os", "current_dir", "temp_dir"];

/// The items of `std::env` a line names (`env::X`, `use std::env::X`), but not the crate's own
/// `config::env` module; `{` or nothing for an import of the module itself.
fn std_env_uses(line: &str) -> impl Iterator<Item = &str> {
    line.match_indices("env::")
        .filter(move |(at, _)| !line[..*at].ends_with("config::"))
        .map(move |(at, m)| {
            let rest = &line[at + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
}

#[test]
fn no_module_outside_config_reads_the_process_environment() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 20, "found only {files:?}");
    let reads = ["env::var(", "env::var_os(", "env::vars(", "env::vars_os("];
    let mut found = Vec::new();
    for file in &files {
        if file.starts_with(src.join("config")) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if std_env_uses(line).any(|item| !HARMLESS.contains(&item)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
    // Imports and renames are caught too, not only the spelled-out calls.
    for dodge in [
        "use std::env::var_os;",
        "use std::env::{self};",
        "let v = env::vars();",
    ] {
        assert!(
            std_env_uses(dodge).any(|item| !HARMLESS.contains(&item)),
            "{dodge}"
        );
    }
    assert!(
        std_env_uses("crate::config::env::Repository")
            .next()
            .is_none()
    );
    // The check can fail: config itself reads it.
    let config = std::fs::read_to_string(src.join("config/mod.rs")).unwrap();
    assert!(reads.iter().any(|r| config.contains(r)));
}

/// `plan/` is pure and imports no other layer; `error.rs` and the adapters import no job;
/// `plan/graph.rs` imports nothing of `plan/release` (the two import circles stay broken).
#[test]
fn the_layers_import_downwards_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let forbidden: &[&str] = if rel.starts_with("plan/") {
            &[
                "crate::adapters",
                "crate::jobs",
                "crate::config",
                "std::fs",
                "std::process",
                "std::net",
                "Instant::now",
                "SystemTime::now",
            ]
        } else if rel == "error.rs" || rel.starts_with("adapters/") {
            &["crate::jobs"]
        } else {
            &[]
        };
        let forbidden: Vec<&str> = if rel == "plan/graph.rs" {
            [forbidden, &["release::", "super::release"]].concat()
        } else {
            forbidden.to_vec()
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f)) {
                found.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert_eq!(found, Vec::<String>::new());
    // The check can fail: the jobs import the adapters and the plan.
    let jobs = std::fs::read_to_string(src.join("jobs/mod.rs")).unwrap();
    assert!(jobs.contains("crate::adapters") && jobs.contains("crate::plan"));
}

/// A one-crate workspace in a repository, and a runner directory beside it.
fn workspace() -> (Repo, tempfile::TempDir) {
    let repo = Repo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"core\"]\n");
    add_crate(&repo, "core", "core", "0.1.0", "");
    repo.lock();
    repo.commit("feat: first");
    (repo, tempfile::tempdir().unwrap())
}

#[test]
fn a_malformed_repository_or_event_stops_before_anything_runs() {
    let (repo, runner) = workspace();
    let event = runner.path().join("event.json");
    std::fs::write(&event, "{\"ref\": ").unwrap();
    let event = event.display().to_string();
    for (vars, needle) in [
        (
            vec![("GITHUB_REPOSITORY", "acme/../../x")],
            "GITHUB_REPOSITORY \"acme/../../x\" is not owner/name",
        ),
        (
            vec![
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_EVENT_PATH", event.as_str()),
            ],
            "the push event payload cannot be read",
        ),
    ] {
        let mut set = vec![("INPUT_ACTION", "prepare"), ("INPUT_TOKEN", "ghs_x")];
        set.extend(vars);
        let env = action_env(repo.path(), runner.path(), &set);
        let out = run_env(repo.path(), &[], &env);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
        // Not even the runner's files were opened.
        for file in ["output", "summary"] {
            assert!(!runner.path().join(file).exists(), "{file} was written");
        }
        assert_eq!(repo.status(), "");
    }
}
