//! The metadata of an upload from a normalized manifest, and the body around a real `.crate`.

use std::io::Write;

use super::*;

/// What cargo 1.95 writes into a package of a crate with every kind of dependency.
const NORMALIZED: &str = r#"
[package]
edition = "2021"
rust-version = "1.80"
name = "rk-app"
version = "0.2.0"
authors = ["Dev <dev@example.com>"]
build = "build.rs"
publish = ["test"]
description = "rk-app, generated for registry tests"
homepage = "https://example.com"
readme = "README.md"
keywords = ["release", "cargo"]
categories = ["development-tools"]
license = "MIT"
repository = "https://github.com/acme/widgets"
links = "z"

[badges.maintenance]
status = "actively-developed"

[features]
default = ["extra"]
extra = ["dep:rk-extra"]

[lib]
name = "rk_app"
path = "src/lib.rs"

[dependencies.rk-extra]
version = "0.2.0"
optional = true
registry-index = "sparse+http://127.0.0.1:4000/"

[dependencies.serde]
version = "1.0.100"
default-features = false
features = ["derive", "std"]

[dependencies.other-registry]
version = "=3.1.4"
registry-index = "sparse+https://other.example/index/"

[dev-dependencies.rk-testkit]
version = "0.2"
registry-index = "sparse+http://127.0.0.1:4000"

[build-dependencies.rk-gen]
version = "0.2.0"
registry-index = "sparse+http://127.0.0.1:4000/"

[target."cfg(unix)".dependencies.utility]
version = "0.2.0"
package = "rk-util"
registry-index = "sparse+http://127.0.0.1:4000/"

[target.'cfg(all(unix,target_os="linux"))'.dev-dependencies.tempfile]
version = "3"
"#;

fn metadata(registry: Option<&str>) -> serde_json::Value {
    let krate = new_crate(NORMALIZED, registry, |rel| {
        (rel == "README.md").then(|| "# rk-app\n".to_owned())
    })
    .unwrap();
    serde_json::to_value(krate).unwrap()
}

#[test]
fn metadata_follows_what_cargo_sends_for_an_alternative_registry() {
    insta::assert_json_snapshot!(metadata(Some("http://127.0.0.1:4000/")));
}

#[test]
fn publishing_to_crates_io_names_the_registry_of_every_dependency_from_elsewhere() {
    let json = metadata(None);
    let registry_of = |name: &str| {
        json["deps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["registry"].clone())
            .unwrap()
    };
    assert_eq!(registry_of("serde"), serde_json::Value::Null);
    assert_eq!(registry_of("rk-extra"), "sparse+http://127.0.0.1:4000/");
    assert_eq!(json["readme"], "# rk-app\n");
    assert_eq!(json["readme_file"], "README.md");
}

#[test]
fn a_manifest_without_readme_or_package_is_read_or_refused() {
    let plain = "[package]\nname = \"a\"\nversion = \"1.0.0\"\nreadme = false\n";
    let krate = new_crate(plain, None, |_| None).unwrap();
    assert_eq!((krate.readme, krate.readme_file), (None, None));
    assert_eq!(krate.deps, vec![]);
    let missing = "[package]\nname = \"a\"\nversion = \"1.0.0\"\nreadme = \"README.md\"\n";
    assert_eq!(
        new_crate(missing, None, |_| None).unwrap_err(),
        "no readme file README.md"
    );
    assert_eq!(
        new_crate("[lib]\n", None, |_| None).unwrap_err(),
        "no [package] table"
    );
    assert!(
        new_crate("[package]\nname = \"a\"\nversion = \"1\"\n[dependencies]\nx = { version = \"latest\" }\n", None, |_| None)
            .unwrap_err()
            .starts_with("dependency `x` version \"latest\"")
    );
}

/// A `.crate` as cargo lays it out: a gzipped tar of `<name>-<version>/…`.
fn crate_file(dir: &Path, manifest: &str, readme: Option<&str>) -> PathBuf {
    let path = dir.join("rk-app-0.2.0.crate");
    let file = std::fs::File::create(&path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut add = |name: &str, text: &str| {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("rk-app-0.2.0/{name}"), text.as_bytes())
            .unwrap();
    };
    add("Cargo.toml", manifest);
    add("Cargo.toml.orig", "[package]\nname = \"rk-app\"\n");
    if let Some(readme) = readme {
        add("README.md", readme);
    }
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    path
}

#[test]
fn the_upload_body_frames_the_metadata_and_the_file_as_cargo_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = crate_file(dir.path(), NORMALIZED, Some("# rk-app\n"));
    let file = CrateFile::read(&path, Some("sparse+http://127.0.0.1:4000/")).unwrap();
    assert_eq!(
        (file.name.as_str(), file.version.as_str()),
        ("rk-app", "0.2.0")
    );
    let body = file.body();
    let json_len = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
    let json: serde_json::Value = serde_json::from_slice(&body[4..4 + json_len]).unwrap();
    assert_eq!(json, metadata(Some("http://127.0.0.1:4000")));
    let rest = &body[4 + json_len..];
    let file_len = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
    assert_eq!(&rest[4..], std::fs::read(&path).unwrap().as_slice());
    assert_eq!(file_len as u64, file.len());

    let no_readme = crate_file(dir.path(), NORMALIZED, None);
    let err = CrateFile::read(&no_readme, None).unwrap_err();
    assert!(
        err.to_string().contains("no readme file README.md"),
        "{err}"
    );
    std::fs::write(&no_readme, b"not gzip").unwrap();
    let err = CrateFile::read(&no_readme, None).unwrap_err();
    assert!(
        err.to_string().starts_with("could not read the package"),
        "{err}"
    );
}
