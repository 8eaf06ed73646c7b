//! What the registry's index lists for the workspace's crates, read a few at a time.

use std::collections::BTreeMap;

use crate::adapters::index::{Index, IndexError, index_path};
use crate::adapters::registry::RegistrySpec;
use crate::error::{Error, Result};
use crate::plan::release::Published;
use semver::Version;

use super::Context;

/// Every version of `names` the registry's index lists, or why the index could not be read:
/// prepare and notify only lose precision by it, so the reason becomes a note, not an error.
pub(crate) fn registry_listing<'a>(
    ctx: &Context<'_>,
    spec: &RegistrySpec,
    names: impl Iterator<Item = &'a str>,
) -> std::result::Result<Listed, String> {
    Index::new(&spec.index_url, spec.token.as_ref(), ctx.config.max_retries)
        .map_err(Error::from)
        .and_then(|index| published_versions(&index, names))
        .map_err(|e| {
            format!(
                "the registry index {} could not be read: {e}",
                spec.index_url
            )
        })
}

/// Per crate, every version the index lists with its yanked flag.
pub(crate) type Listed = BTreeMap<String, Vec<(Version, bool)>>;

/// Every version the index lists per crate, with its yanked flag; asked a few at a time.
pub(crate) fn published_versions<'a>(
    index: &Index,
    names: impl Iterator<Item = &'a str>,
) -> Result<Listed> {
    let names: Vec<&str> = names.collect();
    if !names.is_empty() {
        // Once, before the threads: an index that cannot be read fails here, fast.
        index.config()?;
    }
    let mut out = BTreeMap::new();
    for chunk in names.chunks(8) {
        let answers: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|name| s.spawn(move || (name.to_string(), index.versions(name))))
                .collect();
            handles
                .into_iter()
                .zip(chunk)
                .map(|(h, name)| {
                    h.join().unwrap_or_else(|_| {
                        let why = "the thread reading it stopped".to_owned();
                        (
                            name.to_string(),
                            Err(IndexError::Unreachable {
                                url: index_path(name),
                                message: why,
                            }),
                        )
                    })
                })
                .collect()
        });
        for (name, versions) in answers {
            let versions = versions?
                .into_iter()
                .map(|v| (v.version, v.yanked))
                .collect();
            out.insert(name, versions);
        }
    }
    Ok(out)
}

/// Every version the registry lists, yanked ones too: none of them can be published again.
pub(crate) fn every_version(listed: &Listed) -> Published {
    listed
        .iter()
        .map(|(name, versions)| {
            (
                name.clone(),
                versions.iter().map(|(v, _)| v.clone()).collect(),
            )
        })
        .collect()
}

/// What the registry can resolve a requirement to: yanked versions it cannot.
pub(crate) fn resolvable(listed: &Listed) -> Published {
    listed
        .iter()
        .map(|(name, versions)| {
            let ok = versions
                .iter()
                .filter(|(_, yanked)| !yanked)
                .map(|(v, _)| v.clone())
                .collect();
            (name.clone(), ok)
        })
        .collect()
}
