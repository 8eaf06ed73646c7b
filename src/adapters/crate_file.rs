//! A packaged `.crate` file turned into the body of a registry upload: the metadata JSON cargo
//! sends (`NewCrate` of cargo's `crates-io` crate) and the file itself.
//!
//! The metadata is read from the normalized `Cargo.toml` inside the file — the manifest cargo
//! wrote when it packaged (and we verified) the crate, which is also what `cargo publish`
//! builds its metadata from — so the registry's index entry describes exactly the bytes
//! uploaded. Effects and translation only: which file to upload and when is the publish job's.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Serialize;

/// crates.io's index in cargo's own spelling: a dependency without `registry-index` is from it.
const CRATES_IO_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

#[derive(Debug, thiserror::Error)]
pub enum CrateFileError {
    #[error("could not read the package {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("the package {} holds no {member}", path.display())]
    Missing { path: PathBuf, member: String },
    #[error("the manifest in the package {} is not what cargo writes: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
}

/// A packaged crate ready to upload.
#[derive(Debug, Clone)]
pub struct CrateFile {
    pub name: String,
    pub version: String,
    /// The metadata as JSON, as cargo sends it.
    pub metadata: String,
    bytes: Vec<u8>,
}

impl CrateFile {
    /// Read `path` (`<name>-<version>.crate`) for upload to the registry whose index is
    /// `registry_index` (`None`: crates.io).
    pub fn read(path: &Path, registry_index: Option<&str>) -> Result<CrateFile, CrateFileError> {
        let bytes = std::fs::read(path).map_err(|e| CrateFileError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let members = unpack_text(&bytes).map_err(|message| CrateFileError::Read {
            path: path.to_owned(),
            message,
        })?;
        let manifest = members
            .iter()
            .find(|(p, _)| p.split_once('/').map(|(_, rest)| rest) == Some("Cargo.toml"))
            .map(|(p, text)| (p.split_once('/').map_or("", |(top, _)| top), text))
            .ok_or_else(|| CrateFileError::Missing {
                path: path.to_owned(),
                member: "Cargo.toml".into(),
            })?;
        let (top, manifest) = manifest;
        let readme_of = |rel: &str| {
            members
                .iter()
                .find(|(p, _)| *p == format!("{top}/{rel}"))
                .map(|(_, text)| text.clone())
        };
        let krate = new_crate(manifest, registry_index, readme_of).map_err(|message| {
            CrateFileError::Manifest {
                path: path.to_owned(),
                message,
            }
        })?;
        Ok(CrateFile {
            name: krate.name.clone(),
            version: krate.vers.clone(),
            metadata: serde_json::to_string(&krate).expect("metadata serialises"),
            bytes,
        })
    }

    /// The upload body: the metadata's length (u32, little endian), the metadata, the file's
    /// length, the file.
    pub fn body(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(8 + self.metadata.len() + self.bytes.len());
        body.extend((self.metadata.len() as u32).to_le_bytes());
        body.extend(self.metadata.as_bytes());
        body.extend((self.bytes.len() as u32).to_le_bytes());
        body.extend(&self.bytes);
        body
    }

    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Every UTF-8 text member of a `.crate` file (a gzipped tar) with its path; binary members
/// are passed over (only the manifest and the readme are read).
fn unpack_text(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = Vec::new();
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).map_err(|e| e.to_string())?;
        if let Ok(text) = String::from_utf8(content) {
            out.push((path, text));
        }
    }
    Ok(out)
}

/// cargo's `NewCrate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct NewCrate {
    name: String,
    vers: String,
    deps: Vec<NewDependency>,
    features: BTreeMap<String, Vec<String>>,
    authors: Vec<String>,
    description: Option<String>,
    documentation: Option<String>,
    homepage: Option<String>,
    readme: Option<String>,
    readme_file: Option<String>,
    keywords: Vec<String>,
    categories: Vec<String>,
    license: Option<String>,
    license_file: Option<String>,
    repository: Option<String>,
    badges: BTreeMap<String, BTreeMap<String, String>>,
    links: Option<String>,
    rust_version: Option<String>,
}

/// cargo's `NewCrateDependency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct NewDependency {
    optional: bool,
    default_features: bool,
    name: String,
    features: Vec<String>,
    version_req: String,
    target: Option<String>,
    kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    registry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explicit_name_in_toml: Option<String>,
}

/// The metadata cargo sends for the normalized manifest `text`; `readme_of` reads a file of
/// the package by its path in it.
fn new_crate(
    text: &str,
    registry_index: Option<&str>,
    readme_of: impl Fn(&str) -> Option<String>,
) -> Result<NewCrate, String> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    let package = doc
        .get("package")
        .and_then(toml::Value::as_table)
        .ok_or("no [package] table")?;
    let string = |key: &str| {
        package
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let strings = |key: &str| -> Vec<String> {
        package
            .get(key)
            .and_then(toml::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let name = string("name").ok_or("no package.name")?;
    let vers = string("version").ok_or("no package.version")?;
    // `readme = false` (no readme) is not a path.
    let readme_file = string("readme");
    let readme = match &readme_file {
        Some(rel) => Some(readme_of(rel).ok_or_else(|| format!("no readme file {rel}"))?),
        None => None,
    };

    let mut deps = Vec::new();
    collect_deps(&doc, None, registry_index, &mut deps)?;
    if let Some(targets) = doc.get("target").and_then(toml::Value::as_table) {
        for (platform, table) in targets {
            let platform = cargo_platform::Platform::from_str(platform)
                .map_err(|e| format!("target `{platform}`: {e}"))?
                .to_string();
            let table = table.as_table().ok_or("a target that is no table")?;
            collect_deps(table, Some(&platform), registry_index, &mut deps)?;
        }
    }

    let features = doc
        .get("features")
        .and_then(toml::Value::as_table)
        .map(|t| {
            t.iter()
                .map(|(k, v)| {
                    let values = v
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), values)
                })
                .collect()
        })
        .unwrap_or_default();
    let badges = doc
        .get("badges")
        .and_then(toml::Value::as_table)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| {
                    let fields = v
                        .as_table()?
                        .iter()
                        .filter_map(|(fk, fv)| Some((fk.clone(), fv.as_str()?.to_owned())));
                    Some((k.clone(), fields.collect()))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(NewCrate {
        name,
        vers,
        deps,
        features,
        authors: strings("authors"),
        description: string("description"),
        documentation: string("documentation"),
        homepage: string("homepage"),
        readme,
        readme_file,
        keywords: strings("keywords"),
        categories: strings("categories"),
        license: string("license"),
        license_file: string("license-file"),
        repository: string("repository"),
        badges,
        links: string("links"),
        rust_version: string("rust-version"),
    })
}

/// The dependencies of one table (the manifest's top level, or one `[target.…]`).
fn collect_deps(
    table: &toml::Table,
    target: Option<&str>,
    registry_index: Option<&str>,
    out: &mut Vec<NewDependency>,
) -> Result<(), String> {
    for (keys, kind) in [
        (&["dependencies"][..], "normal"),
        (&["build-dependencies", "build_dependencies"][..], "build"),
        (&["dev-dependencies", "dev_dependencies"][..], "dev"),
    ] {
        for key in keys {
            let Some(deps) = table.get(*key).and_then(toml::Value::as_table) else {
                continue;
            };
            for (name_in_toml, spec) in deps {
                out.push(dependency(
                    name_in_toml,
                    spec,
                    kind,
                    target,
                    registry_index,
                )?);
            }
        }
    }
    Ok(())
}

fn dependency(
    name_in_toml: &str,
    spec: &toml::Value,
    kind: &str,
    target: Option<&str>,
    registry_index: Option<&str>,
) -> Result<NewDependency, String> {
    let empty = toml::Table::new();
    let (version, table) = match spec {
        toml::Value::String(version) => (Some(version.as_str()), &empty),
        toml::Value::Table(table) => (table.get("version").and_then(|v| v.as_str()), table),
        _ => {
            return Err(format!(
                "dependency `{name_in_toml}` is neither a string nor a table"
            ));
        }
    };
    let version_req = match version {
        Some(v) => semver::VersionReq::parse(v)
            .map_err(|e| format!("dependency `{name_in_toml}` version {v:?}: {e}"))?
            .to_string(),
        None => "*".to_owned(),
    };
    let flag = |keys: &[&str], default: bool| {
        keys.iter()
            .find_map(|k| table.get(*k).and_then(toml::Value::as_bool))
            .unwrap_or(default)
    };
    let package = table.get("package").and_then(toml::Value::as_str);
    let features = table
        .get("features")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // In a manifest no registry means crates.io; in the web API it means "the registry
    // published to".
    let dep_index = table
        .get("registry-index")
        .and_then(toml::Value::as_str)
        .unwrap_or(CRATES_IO_INDEX);
    let published_to = registry_index.unwrap_or(CRATES_IO_INDEX);
    let registry = (canonical(dep_index) != canonical(published_to)).then(|| dep_index.to_owned());
    Ok(NewDependency {
        optional: flag(&["optional"], false),
        default_features: flag(&["default-features", "default_features"], true),
        name: package.unwrap_or(name_in_toml).to_owned(),
        features,
        version_req,
        target: target.map(str::to_owned),
        kind: kind.to_owned(),
        registry,
        explicit_name_in_toml: package.map(|_| name_in_toml.to_owned()),
    })
}

/// An index URL as cargo compares them: no `sparse+`, no final `/`.
fn canonical(url: &str) -> &str {
    url.strip_prefix("sparse+")
        .unwrap_or(url)
        .trim_end_matches('/')
}

#[cfg(test)]
mod tests;
