//! Unit tests of `attribution`.

use super::test_commit as commit;
use super::*;
use crate::plan::workspace::PackageRules;

fn member(name: &str, dir: &str) -> Member {
    Member {
        dir: dir.to_owned(),
        ..Member::plain(name, "1.0.0", Vec::new())
    }
}

fn with_rules(m: Member, include: &[&str], exclude: &[&str], extra: &[&str]) -> Member {
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    Member {
        package: PackageRules {
            include: strings(include),
            exclude: strings(exclude),
            extra: strings(extra),
        },
        ..m
    }
}

/// Names of the crates whose packages hold each path.
fn owners_of(members: &[Member], package_dirs: &[&str], paths: &[&str]) -> Vec<String> {
    let refs: Vec<&Member> = members.iter().collect();
    let dirs: Vec<String> = package_dirs.iter().map(|d| d.to_string()).collect();
    let packages = Packages::new(&refs, &dirs, "Cargo.toml").unwrap();
    paths
        .iter()
        .map(|path| {
            let mut out = Vec::new();
            packages.owners(path, &mut out);
            let names: Vec<&str> = out.iter().map(|&i| members[i].name.as_str()).collect();
            format!("{path}: {}", names.join(" "))
        })
        .collect()
}

fn plan(
    history: &[RawCommit],
    members: &[Member],
    since: &[Option<&str>],
    changed: &BTreeMap<usize, Vec<RootPart>>,
) -> Vec<Vec<usize>> {
    let refs: Vec<&Member> = members.iter().collect();
    let packages = Packages::new(&refs, &[], "Cargo.toml").unwrap();
    let ancestry = Ancestry::new(history);
    let since: Vec<Option<usize>> = since
        .iter()
        .map(|s| s.and_then(|id| ancestry.position(id)))
        .collect();
    let inherits: Vec<&[RootPart]> = members.iter().map(|m| &m.inherits[..]).collect();
    commits_by_crate(
        history,
        &ancestry,
        &Attribution {
            packages: &packages,
            since: &since,
            inherits: &inherits,
            changed_parts: changed,
        },
    )
}

#[test]
fn a_path_belongs_to_the_deepest_package_directory_holding_it() {
    // root crate "" contains crates/a, which contains crates/a/nested; fuzz is no member
    let members = [
        member("root", ""),
        member("a", "crates/a"),
        member("nested", "crates/a/nested"),
    ];
    assert_eq!(
        owners_of(
            &members,
            &["", "crates/a", "crates/a/nested", "fuzz"],
            &[
                "crates/a/nested/src/lib.rs",
                "crates/a/src/lib.rs",
                "README.md",
                "fuzz/src/main.rs",
                "crates/b/src/lib.rs",
            ]
        ),
        [
            "crates/a/nested/src/lib.rs: nested",
            "crates/a/src/lib.rs: a",
            "README.md: root",
            "fuzz/src/main.rs: ",
            "crates/b/src/lib.rs: root",
        ]
    );
}

#[test]
fn include_keeps_only_its_files_and_the_manifest() {
    let root = with_rules(member("root", ""), &["src/**/*", "/build.rs"], &[], &[]);
    assert_eq!(
        owners_of(
            &[root, member("a", "crates/a")],
            &[],
            &[
                "src/lib.rs",
                "src/deep/x.rs",
                "build.rs",
                "Cargo.toml",
                "Cargo.lock",
                ".github/workflows/ci.yml",
                "tests/it.rs",
                "crates/a/Cargo.toml",
            ]
        ),
        [
            "src/lib.rs: root",
            "src/deep/x.rs: root",
            "build.rs: root",
            "Cargo.toml: root",
            "Cargo.lock: ",
            ".github/workflows/ci.yml: ",
            "tests/it.rs: ",
            "crates/a/Cargo.toml: a",
        ]
    );
}

#[test]
fn exclude_drops_its_files_and_directories_and_a_negation_keeps_one() {
    let a = with_rules(
        member("a", "crates/a"),
        &[],
        &["benches/", "*.png", "!keep.png", "/CHANGELOG.md"],
        &[],
    );
    assert_eq!(
        owners_of(
            &[a],
            &[],
            &[
                "crates/a/benches/b.rs",
                "crates/a/docs/logo.png",
                "crates/a/docs/keep.png",
                "crates/a/CHANGELOG.md",
                "crates/a/src/CHANGELOG.md",
                "crates/a/src/lib.rs",
            ]
        ),
        [
            "crates/a/benches/b.rs: ",
            "crates/a/docs/logo.png: ",
            "crates/a/docs/keep.png: a",
            "crates/a/CHANGELOG.md: ",
            "crates/a/src/CHANGELOG.md: a",
            "crates/a/src/lib.rs: a",
        ]
    );
}

#[test]
fn a_readme_outside_the_directory_belongs_to_every_package_that_copies_it() {
    let a = with_rules(member("a", "crates/a"), &[], &[], &["README.md"]);
    let b = with_rules(member("b", "crates/b"), &["src/**"], &[], &["README.md"]);
    assert_eq!(owners_of(&[a, b], &[], &["README.md"]), ["README.md: a b"]);
}

#[test]
fn an_invalid_pattern_is_an_error_naming_the_crate() {
    let a = with_rules(member("a", "crates/a"), &["src/[z-a]"], &[], &[]);
    let err = Packages::new(&[&a], &[], "Cargo.toml").err().unwrap();
    assert_eq!(
        (err.name.as_str(), err.pattern.as_str()),
        ("a", "src/[z-a]")
    );
}

#[test]
fn commits_reachable_from_the_release_commit_are_released_even_when_merged_later() {
    //   m ── merge of the side branch after the release
    //   | \
    //   r  s   r = release commit of a, s = work on a branched before r
    //   | /
    //   base
    let history = [
        commit("m", &["r", "s"], &[]),
        commit("s", &["base"], &["a/src/lib.rs"]),
        commit("r", &["base"], &["a/Cargo.toml"]),
        commit("base", &[], &["a/src/lib.rs"]),
    ];
    let got = plan(
        &history,
        &[member("a", "a")],
        &[Some("r")],
        &BTreeMap::new(),
    );
    assert_eq!(
        got[0],
        [1],
        "s is not an ancestor of r, so it is unreleased; base and r are"
    );
}

#[test]
fn a_release_commit_missing_from_history_releases_nothing() {
    let history = [commit("2", &["1"], &["a/x"]), commit("1", &[], &["a/y"])];
    let got = plan(
        &history,
        &[member("a", "a")],
        &[Some("gone")],
        &BTreeMap::new(),
    );
    assert_eq!(got[0], [0, 1]);
}

#[test]
fn a_changed_root_manifest_part_belongs_to_the_members_that_take_it_in() {
    let history = [
        commit("2", &["1"], &["Cargo.toml", "Cargo.lock"]),
        commit("1", &[], &["a/src/lib.rs", "b/src/lib.rs"]),
    ];
    let inherit = |m: Member, parts: &[RootPart]| Member {
        inherits: parts.to_vec(),
        ..m
    };
    let serde = RootPart::Dependency("serde".to_owned());
    let msrv = RootPart::PackageField("rust-version".to_owned());
    let members = [
        inherit(member("a", "a"), std::slice::from_ref(&serde)),
        inherit(
            member("b", "b"),
            &[RootPart::Dependency("tokio".to_owned())],
        ),
        member("c", "c"),
        inherit(member("d", "d"), std::slice::from_ref(&msrv)),
    ];
    let since = [Some("1"); 4];
    let changed = BTreeMap::from([(0, vec![serde])]);
    let got = plan(&history, &members, &since, &changed);
    assert_eq!(got, [vec![0], vec![], vec![], vec![]]);
    let changed = BTreeMap::from([(0, vec![msrv])]);
    let got = plan(&history, &members, &since, &changed);
    assert_eq!(got, [vec![], vec![], vec![], vec![0]]);
}

#[test]
fn the_root_manifest_belongs_to_the_root_package_only_where_its_own_part_changed() {
    let history = [
        commit("3", &["2"], &["Cargo.toml"]),
        commit("2", &["1"], &["Cargo.toml"]),
        commit("1", &[], &["src/lib.rs"]),
    ];
    let root = Member {
        inherits: vec![RootPart::RootPackage],
        ..member("root", "")
    };
    let members = [root, member("a", "crates/a")];
    let since = [Some("1"), Some("1")];
    // 3 changed `[workspace] members` only, 2 the package's description.
    let changed = BTreeMap::from([(0, vec![]), (1, vec![RootPart::RootPackage])]);
    assert_eq!(plan(&history, &members, &since, &changed)[0], [1]);
    // Texts not read: the change counts, as any file of the package does.
    assert_eq!(
        plan(&history, &members, &since, &BTreeMap::new())[0],
        [0, 1]
    );
}
