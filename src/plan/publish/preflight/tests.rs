//! Unit tests of `preflight`.

use super::*;

fn package(deps: Vec<DepFacts>) -> PackageFacts {
    PackageFacts {
        name: "core".into(),
        manifest: "crates/core/Cargo.toml".into(),
        description: true,
        license: true,
        license_file: false,
        deps,
    }
}

fn dep(name: &str, dev: bool, wildcard: bool, path: bool) -> DepFacts {
    DepFacts {
        name: name.into(),
        dev,
        wildcard,
        path,
    }
}

/// ```text
///   serde ──optional──▶ derive ──dev "1.0" (1.0.0 published)──▶ serde
///   core ──dev "0.1" (nothing published: an edge)──▶ testkit
///   tool ──dev, path only──▶ serde
/// ```
#[test]
fn only_dev_dependencies_the_registry_satisfies_are_unordered() {
    use crate::plan::graph::publish_edges;
    use crate::plan::workspace::{Member, MemberDep};
    let member = |name: &str, deps: Vec<MemberDep>| Member::plain(name, "1.0.1", deps);
    let mut optional = MemberDep::plain("derive", DepKind::Normal, Some("=1.0.1"));
    optional.optional = true;
    let ws = Workspace {
        members: vec![
            member(
                "core",
                vec![MemberDep::plain("testkit", DepKind::Dev, Some("0.1"))],
            ),
            member(
                "derive",
                vec![MemberDep::plain("serde", DepKind::Dev, Some("1.0"))],
            ),
            member("serde", vec![optional]),
            member("testkit", vec![]),
            member("tool", vec![MemberDep::plain("serde", DepKind::Dev, None)]),
        ],
        ..Workspace::default()
    };
    let published = [("serde".to_owned(), vec![semver::Version::new(1, 0, 0)])].into();
    let edges = publish_edges(&ws, None, &published);
    let all: BTreeSet<String> = ws.members.iter().map(|m| m.name.clone()).collect();
    let expected: BTreeMap<String, BTreeSet<String>> = [(
        "crates/derive/Cargo.toml".to_owned(),
        ["serde".to_owned()].into(),
    )]
    .into();
    assert_eq!(unordered_dev_deps(&ws, &edges, &all), expected);
    // serde not published in this run: nothing for cargo to trip over.
    let without: BTreeSet<String> = all.iter().filter(|n| *n != "serde").cloned().collect();
    assert_eq!(unordered_dev_deps(&ws, &edges, &without), BTreeMap::new());
}

#[test]
fn complete_package_has_no_problem() {
    assert_eq!(
        manifest_problems(&package(vec![dep("util", false, false, true)])),
        vec![]
    );
}

#[test]
fn missing_description_and_license_are_one_problem_naming_both() {
    let mut p = package(vec![]);
    p.description = false;
    p.license = false;
    let problems = manifest_problems(&p);
    assert_eq!(
        problems,
        vec![Problem::MissingMetadata {
            krate: "core".into(),
            manifest: "crates/core/Cargo.toml".into(),
            fields: vec!["description", "license"],
        }]
    );
    assert_eq!(
        problems[0].to_string(),
        "core (crates/core/Cargo.toml) has no description or license"
    );
    assert!(
        problems[0]
            .hint()
            .unwrap()
            .contains("`description` and `license`")
    );
}

#[test]
fn license_file_stands_in_for_license() {
    let mut p = package(vec![]);
    p.license = false;
    p.license_file = true;
    assert_eq!(manifest_problems(&p), vec![]);
}

#[test]
fn dependency_table() {
    // (dev, wildcard, path) → problem
    let cases: &[(bool, bool, bool, Option<&str>)] = &[
        (false, true, false, Some("wildcard")),
        (true, true, false, Some("wildcard")),
        (false, true, true, Some("path")),
        // cargo strips a path-only dev-dependency: fine.
        (true, true, true, None),
        (false, false, true, None),
        (false, false, false, None),
    ];
    for &(dev, wildcard, path, expected) in cases {
        let problems = manifest_problems(&package(vec![dep("x", dev, wildcard, path)]));
        let got = problems.first().map(|p| match p {
            Problem::Wildcard { .. } => "wildcard",
            Problem::PathOnly { .. } => "path",
            _ => "other",
        });
        assert_eq!(got, expected, "dev={dev} wildcard={wildcard} path={path}");
    }
}

#[test]
fn only_build_and_verify_failures_are_not_input_problems() {
    assert!(
        Problem::NoToken {
            variable: "CARGO_REGISTRY_TOKEN".into()
        }
        .is_input()
    );
    assert!(
        !Problem::Build {
            command: "cargo build".into(),
            output: "x".into()
        }
        .is_input()
    );
    assert!(!Problem::Verify { output: "x".into() }.is_input());
}
