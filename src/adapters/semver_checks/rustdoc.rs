//! rustdoc JSON of workspace members or registry crates, through `cargo doc`: which packages
//! were documented, where their JSON is, and why the others were not.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::adapters::cargo::Cargo;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

/// The rustdoc flags cargo-semver-checks itself documents with: its lints look at hidden items,
/// and re-exports through private modules need the private ones.
const RUSTDOCFLAGS: &str = "-Z unstable-options --document-private-items --document-hidden-items --output-format=json --cap-lints=allow";

/// Per crate name, its rustdoc JSON or why there is none.
pub(super) type Documented = Vec<(String, Result<PathBuf, String>)>;

/// Document `names` (packages of the workspace at `dir`, or the `specs` given instead) as
/// rustdoc JSON into `target`.
pub(super) fn document(
    cargo: &Cargo,
    dir: &Path,
    names: &[String],
    target: &Path,
    specs: &[String],
) -> Documented {
    let mut cmd = cargo.command();
    cmd.args([
        "doc",
        "--no-deps",
        "--lib",
        "--keep-going",
        "--message-format=json",
    ])
    .arg("--target-dir")
    .arg(target)
    .env("RUSTC_BOOTSTRAP", "1")
    .env("RUSTDOCFLAGS", RUSTDOCFLAGS)
    .current_dir(dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let selected: Vec<&String> = if specs.is_empty() {
        names.iter().collect()
    } else {
        specs.iter().collect()
    };
    for spec in selected {
        cmd.arg("-p").arg(spec);
    }
    let fail = |why: String| {
        names
            .iter()
            .map(|n| (n.clone(), Err(why.clone())))
            .collect()
    };
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => return fail(format!("cargo could not be run: {e}")),
    };
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let err_reader =
        std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut docs: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    for message in Message::parse_stream(BufReader::new(stdout)).flatten() {
        match message {
            Message::CompilerArtifact(a) if a.target.is_lib() || a.target.is_proc_macro() => {
                let lib = a.target.name.replace('-', "_");
                let doc = target.join("doc");
                // cargo judges a doc unit fresh by its HTML index, which JSON output does not
                // write: without it, every run would document every crate again.
                let _ = std::fs::create_dir_all(doc.join(&lib))
                    .and_then(|()| std::fs::write(doc.join(&lib).join("index.html"), ""));
                docs.insert(
                    package_name(&a.package_id.repr),
                    doc.join(format!("{lib}.json")),
                );
            }
            Message::CompilerMessage(m)
                if matches!(
                    m.message.level,
                    DiagnosticLevel::Error | DiagnosticLevel::Ice
                ) =>
            {
                errors
                    .entry(package_name(&m.package_id.repr))
                    .or_insert_with(|| m.message.message.clone());
            }
            _ => {}
        }
    }
    let status = child.wait();
    let stderr = err_reader.join().unwrap_or_default();
    let cargo_error = stderr
        .lines()
        .find(|l| l.starts_with("error"))
        .unwrap_or_else(|| stderr.lines().last().unwrap_or("cargo doc failed"))
        .to_owned();
    names
        .iter()
        .map(|name| {
            let result = match (docs.get(name), errors.get(name)) {
                (Some(json), _) if json.is_file() => Ok(json.clone()),
                (_, Some(error)) => Err(format!("error: {error}")),
                _ if status.as_ref().is_ok_and(|s| s.success()) => {
                    Err("cargo doc wrote no rustdoc JSON for it".to_owned())
                }
                _ => Err(cargo_error.clone()),
            };
            (name.clone(), result)
        })
        .collect()
}

/// The package name in a package ID spec (`path+file:///x/widgets#1.2.3`,
/// `path+file:///x/w#widgets@1.2.3`, `registry+https://…#widgets@1.2.3`).
fn package_name(repr: &str) -> String {
    let (url, fragment) = repr.rsplit_once('#').unwrap_or((repr, ""));
    match fragment.split_once('@') {
        Some((name, _)) => name.to_owned(),
        None => url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(url)
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_come_from_every_form_of_package_id() {
        assert_eq!(
            package_name("path+file:///x/crates/widgets#1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("path+file:///x/crates/w#widgets@1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#widgets@1.2.3"),
            "widgets"
        );
        assert_eq!(
            package_name("sparse+http://127.0.0.1:1/index/#my-crate@0.3.1"),
            "my-crate"
        );
    }
}
