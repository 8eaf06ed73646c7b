//! The features a crate's API is documented with, on both sides of a comparison: what
//! cargo-semver-checks itself enables by default (0.51.0, `FeaturesGroup::Heuristic` in its
//! `src/rustdoc_gen.rs`) — the default features and every other feature, those of `[features]`
//! and the implicit ones of optional dependencies, except the names that look unstable,
//! nightly-only, for benchmarks, for `no_std` or internal. Each side takes the features its own
//! manifest declares. A break behind a feature is then found as the tool would find it.

use std::collections::BTreeSet;

use cargo_metadata::{DependencyKind, Package};

/// Feature names cargo-semver-checks leaves off by default.
const LEFT_OFF: [&str; 4] = ["unstable", "nightly", "bench", "no_std"];
/// Feature name prefixes it leaves off by default.
const LEFT_OFF_PREFIXES: [&str; 3] = ["_", "unstable-", "unstable_"];

/// The features of `package` to enable besides its default ones, sorted.
pub(super) fn checked_features(package: &Package) -> Vec<String> {
    let mut all: BTreeSet<String> = package.features.keys().cloned().collect();
    // An optional dependency is a feature of its own name unless `dep:` names it somewhere
    // (cargo metadata lists those implicit features too; a registry's index may not).
    let named_by_dep: BTreeSet<&str> = package
        .features
        .values()
        .flatten()
        .filter_map(|f| f.strip_prefix("dep:"))
        .collect();
    for dep in &package.dependencies {
        let name = dep.rename.as_deref().unwrap_or(&dep.name);
        if dep.optional && dep.kind == DependencyKind::Normal && !named_by_dep.contains(name) {
            all.insert(name.to_owned());
        }
    }
    all.into_iter().filter(|f| is_checked(f)).collect()
}

/// Whether cargo-semver-checks enables the feature `name` by default.
fn is_checked(name: &str) -> bool {
    !LEFT_OFF.contains(&name) && !LEFT_OFF_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// `--features` values enabling `features` of the workspace member `package`.
pub(super) fn member_features(package: &str, features: &[String]) -> Vec<String> {
    features.iter().map(|f| format!("{package}/{f}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(manifest: serde_json::Value) -> Package {
        let mut json = serde_json::json!({
            "name": "widgets", "version": "1.0.0", "id": "widgets 1.0.0",
            "source": null, "dependencies": [], "targets": [], "features": {},
            "manifest_path": "/w/Cargo.toml", "license": null, "license_file": null,
            "description": null, "authors": [], "categories": [], "keywords": [],
            "readme": null, "repository": null, "homepage": null, "documentation": null,
            "edition": "2021", "links": null, "publish": null, "metadata": null,
        });
        for (k, v) in manifest.as_object().unwrap() {
            json[k] = v.clone();
        }
        serde_json::from_value(json).unwrap()
    }

    fn dep(name: &str, optional: bool, kind: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "name": name, "source": null, "req": "^1", "kind": kind, "rename": null,
            "optional": optional, "uses_default_features": true, "features": [],
            "target": null, "registry": null,
        })
    }

    #[test]
    fn every_feature_but_the_ones_cargo_semver_checks_leaves_off_is_checked() {
        let p = package(serde_json::json!({
            "features": {
                "default": ["std"], "std": [], "serde": ["dep:serde"], "extra": [],
                "unstable": [], "nightly": [], "bench": [], "no_std": [],
                "_internal": [], "unstable-api": [], "unstable_api": [], "stable_api": [],
            },
            "dependencies": [
                dep("serde", true, None),
                dep("itoa", true, None),
                dep("libc", false, None),
                dep("cc", true, Some("build")),
            ],
        }));
        assert_eq!(
            checked_features(&p),
            ["default", "extra", "itoa", "serde", "stable_api", "std"]
        );
        assert_eq!(
            member_features("widgets", &["extra".into(), "std".into()]),
            ["widgets/extra", "widgets/std"]
        );
    }
}
