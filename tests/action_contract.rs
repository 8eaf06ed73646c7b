//! The contract between action.yml, the binary and the README: every input the action declares
//! is read by the binary, every default it declares is one the binary accepts, and the README's
//! Inputs and Outputs tables say what action.yml says. Each test fails when one side changes
//! without the others. The same checks hold for the action.yml a release's tags carry, which
//! `scripts/pin-action-image.sh` points at the prebuilt image.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde::Deserialize;
use support::*;

/// The parts of action.yml this contract is about.
#[derive(Debug, Deserialize)]
struct ActionYml {
    inputs: serde_norway::Mapping,
    outputs: serde_norway::Mapping,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    image: String,
}

#[derive(Debug, Deserialize)]
struct InputSpec {
    description: String,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OutputSpec {
    description: String,
}

/// One declared input or output, in action.yml's order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    name: String,
    /// Outputs have none.
    default: Option<String>,
    description: String,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action_yml(path: &Path) -> ActionYml {
    let text = std::fs::read_to_string(path).expect("action.yml");
    serde_norway::from_str(&text).expect("action.yml parses")
}

fn declared<T: serde::de::DeserializeOwned>(
    map: &serde_norway::Mapping,
    to: impl Fn(String, T) -> Declared,
) -> Vec<Declared> {
    map.iter()
        .map(|(key, value)| {
            let name = key.as_str().expect("a name").to_owned();
            let spec: T = serde_norway::from_value(value.clone())
                .unwrap_or_else(|e| panic!("action.yml entry {name}: {e}"));
            to(name, spec)
        })
        .collect()
}

fn inputs(action: &Path) -> Vec<Declared> {
    declared(&action_yml(action).inputs, |name, spec: InputSpec| {
        Declared {
            name,
            default: Some(spec.default.unwrap_or_default()),
            description: collapse(&spec.description),
        }
    })
}

fn outputs_declared(action: &Path) -> Vec<Declared> {
    declared(&action_yml(action).outputs, |name, spec: OutputSpec| {
        Declared {
            name,
            default: None,
            description: collapse(&spec.description),
        }
    })
}

/// A folded (`>-`) description reads as one line: runs of whitespace become one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn variable(input: &str) -> String {
    format!("INPUT_{}", input.to_uppercase())
}

/// ```text
///   repository root
///   ├── Cargo.toml        workspace: crates/alpha
///   ├── crates/alpha      the crate every stage sees by default
///   └── rust/             a second workspace: rust/inner (found only with `workspace: rust`)
/// ```
fn fixture() -> Repo {
    let repo = Repo::new();
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"rust\"]\nresolver = \"2\"\n",
    );
    add_crate(&repo, "crates/alpha", "alpha", "1.0.0", "");
    repo.write(
        "rust/Cargo.toml",
        "[workspace]\nmembers = [\"inner\"]\nresolver = \"2\"\n",
    );
    add_crate(&repo, "rust/inner", "inner", "0.4.0", "");
    repo.lock();
    let lock = std::process::Command::new("cargo")
        .args(["generate-lockfile", "--offline"])
        .current_dir(repo.path().join("rust"))
        .output()
        .unwrap();
    assert!(lock.status.success(), "{}", stderr(&lock));
    repo.commit("feat: first version");
    repo
}

/// The binary as a Docker action declared by `action` runs it: every input declared, `set` on
/// top.
fn run_action(action: &Path, repo: &Repo, runner: &Path, set: &[(&str, &str)]) -> Output {
    // The contract is about inputs, not the registry: cargo's own switch keeps it offline.
    let mut set = set.to_vec();
    set.push(("CARGO_NET_OFFLINE", "true"));
    let env = action_env_for(action, repo.path(), runner, &set);
    run_env(repo.path(), &[], &env)
}

/// What proves the binary read an input.
#[derive(Debug)]
enum Proof {
    /// Refused before anything was done: exit code 2, and stderr has this text.
    Refused(&'static str),
    /// Accepted: exit code 0, and stdout has this text.
    Printed(&'static str),
}

struct Row {
    input: &'static str,
    /// On top of `action: plan`; includes the input's own variable.
    set: &'static [(&'static str, &'static str)],
    proof: Proof,
}

/// One row per input action.yml declares.
const ROWS: &[Row] = &[
    Row {
        input: "action",
        set: &[("INPUT_ACTION", "ship")],
        proof: Proof::Refused("invalid value \"ship\" for input action"),
    },
    Row {
        input: "dry_run",
        set: &[("INPUT_DRY_RUN", "maybe")],
        proof: Proof::Refused("invalid value \"maybe\" for input dry_run"),
    },
    Row {
        input: "force_prepare",
        set: &[("INPUT_FORCE_PREPARE", "maybe")],
        proof: Proof::Refused("invalid value \"maybe\" for input force_prepare"),
    },
    Row {
        input: "group",
        set: &[("INPUT_GROUP", "nope")],
        proof: Proof::Refused("group nope is not configured"),
    },
    Row {
        input: "bump_type",
        set: &[("INPUT_BUMP_TYPE", "huge")],
        proof: Proof::Refused("invalid value \"huge\" for input bump_type"),
    },
    Row {
        input: "prerelease",
        set: &[("INPUT_PRERELEASE", "1")],
        proof: Proof::Refused("invalid value \"1\" for input prerelease"),
    },
    Row {
        input: "skip_publish",
        set: &[("INPUT_SKIP_PUBLISH", "maybe")],
        proof: Proof::Refused("invalid value \"maybe\" for input skip_publish"),
    },
    Row {
        input: "concurrency",
        set: &[("INPUT_CONCURRENCY", "-1")],
        proof: Proof::Refused("invalid value \"-1\" for input concurrency"),
    },
    Row {
        input: "max_retries",
        set: &[("INPUT_MAX_RETRIES", "x")],
        proof: Proof::Refused("invalid value \"x\" for input max_retries"),
    },
    Row {
        input: "token",
        set: &[("INPUT_TOKEN", "ghs_contract_token")],
        proof: Proof::Printed("::add-mask::ghs_contract_token"),
    },
    Row {
        // `plan` here runs offline; `publish` resolves the registry before anything else.
        input: "registry",
        set: &[
            ("INPUT_ACTION", "publish"),
            ("INPUT_DRY_RUN", "true"),
            ("INPUT_REGISTRY", "nope"),
        ],
        proof: Proof::Refused("no registry named `nope`"),
    },
    Row {
        input: "workspace",
        set: &[("INPUT_WORKSPACE", "rust")],
        proof: Proof::Printed("inner"),
    },
    Row {
        input: "config",
        set: &[("INPUT_CONFIG", "ci/missing.toml")],
        proof: Proof::Refused("ci/missing.toml does not exist"),
    },
    Row {
        input: "toolchain",
        set: &[("INPUT_TOOLCHAIN", "-nightly")],
        proof: Proof::Refused("invalid value \"-nightly\" for input toolchain"),
    },
];

#[test]
fn every_input_in_action_yml_is_read_by_the_binary() {
    check_every_input_is_read(&action_yml_path());
}

fn check_every_input_is_read(action: &Path) {
    let declared: Vec<String> = inputs(action).into_iter().map(|i| i.name).collect();
    let rows: Vec<&str> = ROWS.iter().map(|r| r.input).collect();
    let missing: Vec<&String> = declared
        .iter()
        .filter(|d| !rows.contains(&d.as_str()))
        .collect();
    let extra: Vec<&&str> = rows
        .iter()
        .filter(|r| !declared.iter().any(|d| d == *r))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "action.yml and this table disagree: inputs without a row {missing:?}, rows without an \
         input {extra:?}"
    );
    assert_eq!(
        rows.iter().collect::<BTreeSet<_>>().len(),
        rows.len(),
        "one row per input"
    );

    let repo = fixture();
    let mut failures = Vec::new();
    for row in ROWS {
        let own = variable(row.input);
        assert!(
            row.set.iter().any(|(k, _)| *k == own),
            "the row for {} must set {own}",
            row.input
        );
        let runner = tempfile::tempdir().unwrap();
        let mut set = vec![("INPUT_ACTION", "plan")];
        set.extend_from_slice(row.set);
        let out = run_action(action, &repo, runner.path(), &set);
        let (code, text, stream, wanted) = match row.proof {
            Proof::Refused(text) => (2, text, stderr(&out), "stderr"),
            Proof::Printed(text) => (0, text, stdout(&out), "stdout"),
        };
        if out.status.code() != Some(code) || !stream.contains(text) {
            failures.push(format!(
                "{}: expected exit {code} and {wanted} containing {text:?}; got exit {:?}\n\
                 stdout: {}\nstderr: {}",
                row.input,
                out.status.code(),
                stdout(&out),
                stderr(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_default_in_action_yml_is_valid_for_the_binary() {
    check_every_default_is_valid(&action_yml_path());
}

fn check_every_default_is_valid(action: &Path) {
    let repo = fixture();
    let runner = tempfile::tempdir().unwrap();
    // `action` defaults to auto, which needs an event: a dispatch that asks for a plan.
    let event = runner.path().join("event.json");
    std::fs::write(&event, r#"{"inputs": {"action": "plan"}}"#).unwrap();
    let defaults: Vec<(String, String)> = inputs(action)
        .into_iter()
        .map(|i| {
            let value = i.default.unwrap_or_default();
            let value = if value.contains("${{") {
                "ghs_dummy_default_token".to_owned()
            } else {
                value
            };
            (variable(&i.name), value)
        })
        .collect();
    let mut set: Vec<(&str, &str)> = defaults
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let event_path = event.to_str().unwrap();
    set.extend([
        ("GITHUB_EVENT_NAME", "workflow_dispatch"),
        ("GITHUB_EVENT_PATH", event_path),
    ]);
    let out = run_action(action, &repo, runner.path(), &set);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the defaults {defaults:?} were refused:\nstdout: {}\nstderr: {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("alpha"),
        "it planned: {}",
        stdout(&out)
    );
}

/// A README table cell for a text: `|` would end the cell and `<name>` would vanish as an
/// HTML tag.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;")
}

/// The README row for an input or output, as it must be written.
fn readme_row(item: &Declared) -> String {
    match &item.default {
        Some(default) => {
            let default = if default.is_empty() { "\"\"" } else { default };
            format!(
                "| `{}` | `{default}` | {} |",
                item.name,
                cell(&item.description)
            )
        }
        None => format!("| `{}` | {} |", item.name, cell(&item.description)),
    }
}

/// The cells of a table row, split at every `|` not escaped as `\|`, trimmed.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push_str("\\|");
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_owned()).collect()
}

/// The body rows of the first table under `## {heading}` (header and separator left out).
fn readme_table(readme: &str, heading: &str) -> Vec<String> {
    let title = format!("## {heading}");
    let mut lines = readme.lines().skip_while(|l| l.trim_end() != title).skip(1);
    let table: Vec<String> = lines
        .by_ref()
        .take_while(|l| !l.starts_with("## "))
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect();
    assert!(table.len() >= 2, "README has no table under {title}");
    table[2..].to_vec()
}

fn check_table(readme: &str, heading: &str, header: &str, items: &[Declared]) {
    let rows = readme_table(readme, heading);
    let expected: Vec<String> = items.iter().map(readme_row).collect();
    let got: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let want: Vec<Vec<String>> = expected.iter().map(|r| cells(r)).collect();
    if got != want {
        let wrong: Vec<String> = want
            .iter()
            .zip(&expected)
            .enumerate()
            .filter(|(i, (w, _))| got.get(*i) != Some(w))
            .map(|(_, (_, line))| line.clone())
            .collect();
        panic!(
            "the README's {heading} table differs from action.yml; first rows to fix:\n{}\n\n\
             the whole table to paste under `## {heading}`:\n\n{header}\n{}\n{}\n",
            wrong.join("\n"),
            separator(header),
            expected.join("\n")
        );
    }
    let head = readme
        .lines()
        .skip_while(|l| l.trim_end() != format!("## {heading}"))
        .find(|l| l.starts_with('|'))
        .unwrap();
    assert_eq!(cells(head), cells(header), "{heading} table header");
}

fn separator(header: &str) -> String {
    let n = cells(header).len();
    format!("|{}", "---|".repeat(n))
}

#[test]
fn readme_tables_match_action_yml() {
    check_readme_tables(&action_yml_path());
}

fn check_readme_tables(action: &Path) {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).expect("README.md");
    check_table(
        &readme,
        "Inputs",
        "| Input | Default | Description |",
        &inputs(action),
    );
    check_table(
        &readme,
        "Outputs",
        "| Output | Description |",
        &outputs_declared(action),
    );
}

#[test]
fn readme_rows_follow_one_rule_for_defaults_and_descriptions() {
    let item = |default: Option<&str>, description: &str| Declared {
        name: "x".into(),
        default: default.map(str::to_owned),
        description: collapse(description),
    };
    let cases = [
        (
            item(Some(""), "Empty  means\n all."),
            "| `x` | `\"\"` | Empty means all. |",
        ),
        (item(Some("auto"), "One."), "| `x` | `auto` | One. |"),
        (
            item(Some("${{ github.token }}"), "A [groups.<name>] or a|b."),
            "| `x` | `${{ github.token }}` | A [groups.&lt;name>] or a\\|b. |",
        ),
        (item(None, "An output."), "| `x` | An output. |"),
    ];
    for (item, row) in cases {
        assert_eq!(readme_row(&item), row);
        assert_eq!(cells(row).len(), if item.default.is_some() { 3 } else { 2 });
    }
}

/// `scripts/pin-action-image.sh` on a copy of this clone's action.yml.
fn pin(version: &str, owner: &str, file: &Path) -> Output {
    std::process::Command::new("bash")
        .arg(manifest_dir().join("scripts/pin-action-image.sh"))
        .args([version, owner])
        .arg(file)
        .output()
        .expect("bash runs")
}

#[test]
fn main_builds_the_action_from_the_dockerfile() {
    let runs = action_yml(&action_yml_path()).runs;
    assert_eq!(
        (runs.using.as_str(), runs.image.as_str()),
        ("docker", "Dockerfile")
    );
}

#[test]
fn a_release_action_yml_names_its_exact_image_and_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let pinned = dir.path().join("action.yml");
    let original = std::fs::read_to_string(action_yml_path()).unwrap();
    std::fs::write(&pinned, &original).unwrap();

    let out = pin("v1.4.0-rc.2", "ReleaseKit", &pinned);

    assert!(out.status.success(), "{}", stderr(&out));
    let image = "docker://ghcr.io/releasekit/releasekit-cargo:v1.4.0-rc.2";
    assert_eq!(
        std::fs::read_to_string(&pinned).unwrap(),
        original.replace("\n  image: Dockerfile\n", &format!("\n  image: {image}\n")),
        "only the image line changes"
    );
    let runs = action_yml(&pinned).runs;
    assert_eq!(
        (runs.using.as_str(), runs.image.as_str()),
        ("docker", image)
    );
    check_every_input_is_read(&pinned);
    check_every_default_is_valid(&pinned);
    check_readme_tables(&pinned);
}

#[test]
fn the_pin_script_refuses_bad_arguments_and_a_pinned_file_leaving_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("action.yml");
    std::fs::copy(action_yml_path(), &file).unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    for (version, owner, message) in [
        ("1.4", "releasekit", "invalid version \"1.4\""),
        (
            "1.4.0+build.5",
            "releasekit",
            "invalid version \"1.4.0+build.5\"",
        ),
        ("1.4.0;ls", "releasekit", "invalid version \"1.4.0;ls\""),
        ("1.4.0", "release/kit", "invalid owner \"release/kit\""),
        ("1.4.0", "-releasekit", "invalid owner \"-releasekit\""),
        // SemVer forbids leading zeros in numbers and numeric prerelease identifiers.
        ("1.0.0-01", "releasekit", "invalid version \"1.0.0-01\""),
        (
            "1.0.0-rc.01",
            "releasekit",
            "invalid version \"1.0.0-rc.01\"",
        ),
        ("01.0.0", "releasekit", "invalid version \"01.0.0\""),
        // GitHub names have no double hyphen.
        ("1.4.0", "a--b", "invalid owner \"a--b\""),
        // A Docker tag has at most 128 characters: v + 128 is one too many.
        (
            &format!("1.0.0-{}", "x".repeat(122)),
            "releasekit",
            "the image tag v<version> would be 129 characters long, Docker allows 128",
        ),
    ] {
        let out = pin(version, owner, &file);
        assert_eq!(out.status.code(), Some(2), "{version} {owner}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    }

    // The longest tag Docker takes, and identifiers that only look numeric, are fine.
    for version in [
        format!("1.0.0-{}", "x".repeat(121)),
        "1.0.0-0a.x-y.10".into(),
    ] {
        let copy = dir.path().join("copy.yml");
        std::fs::copy(action_yml_path(), &copy).unwrap();
        let out = pin(&version, "a-b", &copy);
        assert!(out.status.success(), "{version}: {}", stderr(&out));
    }

    assert!(pin("1.4.0", "releasekit", &file).status.success());
    let pinned = std::fs::read_to_string(&file).unwrap();
    let again = pin("1.5.0", "releasekit", &file);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("expected exactly one line `  image: Dockerfile`"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), pinned);
}
