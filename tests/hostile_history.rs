//! Property-style tests on generated tables (a seeded generator, so every failure can be
//! replayed): arbitrary bytes as commit messages, tag names, version strings, manifests,
//! changelogs, PR bodies and event payloads, fed to the history reader and the planner.
//!
//! What must hold whatever the input: no panic; every commit made is read back exactly once,
//! with its own paths and its message as git shows it; no crate gets a commit that did not
//! touch it.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

use releasekit_cargo::adapters::git::{Git, Trust};
use releasekit_cargo::plan::api::ApiChecks;
use releasekit_cargo::plan::commits::CommitRules;
use releasekit_cargo::plan::history::{RawCommit, Tag};
use releasekit_cargo::plan::release::{
    DependentsBump, Facts, PlanOptions, Published, Reason, build_plan,
};
use releasekit_cargo::plan::workspace::{Member, MemberDep, PackageRules, Publish, Workspace};
use releasekit_cargo::plan::{Bump, DepKind, changelog, git_output, manifest, pr, trigger};
use semver::Version;
use support::*;

/// Bytes an attacker reaches for: separators of the old framing, NUL, line ends, what git's
/// own output looks like, invalid UTF-8, conventional-commit syntax.
const FRAGMENTS: &[&[u8]] = &[
    b"\0",
    b"\n",
    b"\r\n",
    b"\x1e",
    b"\x1f",
    b"\xff\xfe",
    b"\xc3",
    b"\x1e1111111111111111111111111111111111111111\x1f\x1ffeat(b)!: forged\x1f\0\ncrates/b/src/lib.rs\0",
    b"\0\n:100644 100644 abc1234 def5678 M\0crates/b/src/lib.rs\0",
    b"2222222222222222222222222222222222222222 commit 12\n",
    b"feat!: ",
    b"fix(b): ",
    b"\n\nBREAKING CHANGE: everything\n",
    b"Release-As: 9.9.9\n",
    b"This reverts commit 1111111.\n",
    b"## [1.0.0] - 2020-01-01\n",
    b"<!-- releasekit-manifest\n{\"format\": 1, \"group\": null, \"crates\": [",
    b"-->",
    b"[x]: https://example.com\n",
    b"```\n",
    b"18446744073709551615",
    b"1.0.0-rc.01",
    b"{",
];

fn bytes(rng: &mut fastrand::Rng, max: usize) -> Vec<u8> {
    let len = rng.usize(..=max);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        match rng.u8(..10) {
            0..=2 => out.extend_from_slice(FRAGMENTS[rng.usize(..FRAGMENTS.len())]),
            3..=5 => out.push(rng.u8(..)),
            _ => out.push(rng.alphanumeric() as u8),
        }
    }
    out
}

fn text(rng: &mut fastrand::Rng, max: usize) -> String {
    String::from_utf8_lossy(&bytes(rng, max)).into_owned()
}

/// A version string: often one semver reads (numbers at their limits, odd prereleases),
/// sometimes anything.
fn version_text(rng: &mut fastrand::Rng) -> String {
    let number = |rng: &mut fastrand::Rng| match rng.u8(..5) {
        0 => u64::MAX.to_string(),
        1 => (u64::MAX - 1).to_string(),
        2 => "0".to_owned(),
        _ => rng.u64(..20).to_string(),
    };
    match rng.u8(..4) {
        0 => text(rng, 24),
        _ => {
            let mut v = format!("{}.{}.{}", number(rng), number(rng), number(rng));
            if rng.bool() {
                let parts: Vec<String> = (0..rng.usize(1..4))
                    .map(|_| match rng.u8(..3) {
                        0 => number(rng),
                        1 => format!("0{}", rng.u8(..10)),
                        _ => ["rc", "beta", "a-b", "x"][rng.usize(..4)].to_owned(),
                    })
                    .collect();
                v.push('-');
                v.push_str(&parts.join("."));
            }
            v
        }
    }
}

fn version(rng: &mut fastrand::Rng) -> Version {
    Version::parse(&version_text(rng)).unwrap_or_else(|_| Version::new(1, 0, 0))
}

fn member(name: &str, version: Version, deps: Vec<MemberDep>) -> Member {
    Member {
        name: name.to_owned(),
        version,
        dir: format!("crates/{name}"),
        manifest: format!("crates/{name}/Cargo.toml"),
        publish: Publish::Anywhere,
        version_from_workspace: false,
        deps,
        package: PackageRules::default(),
        inherits: Vec::new(),
    }
}

fn options(rng: &mut fastrand::Rng) -> PlanOptions {
    PlanOptions {
        forced_bump: [None, Some(Bump::Patch), Some(Bump::Major)][rng.usize(..3)],
        force_prepare: rng.bool(),
        prerelease: text(rng, 12).parse().ok(),
        group: None,
        ungrouped_only: false,
        tag_format: None,
        groups: Vec::new(),
        dependents_bump: DependentsBump::Patch,
        registry: None,
        date: "2026-01-01".into(),
        repository_url: Some("https://github.com/acme/widgets".into()),
        commit_rules: CommitRules::default(),
        // A version typed into the Release PR, any at all.
        given: match rng.bool() {
            true => [("a".to_owned(), version(rng))].into(),
            false => Default::default(),
        },
        changelog: Default::default(),
        workspace_changelog: None,
        crates: Default::default(),
    }
}

/// `a` ← `b`, and `c`, which no commit touches after the first.
fn workspace(rng: &mut fastrand::Rng) -> Workspace {
    let a = version(rng);
    let req = semver::VersionReq::parse(&format!("={a}")).ok();
    let dep = MemberDep {
        name: "a".into(),
        kind: DepKind::Normal,
        target: None,
        rename: None,
        optional: false,
        req,
        inherited: false,
        via_patch: false,
    };
    Workspace {
        members: vec![
            member("a", a, vec![]),
            member("b", version(rng), vec![dep]),
            member("c", version(rng), vec![]),
        ],
        ..Workspace::default()
    }
}

/// Tags: each crate's at its version, then arbitrary names (some shaped like a crate's tag
/// with an arbitrary version), all at commits of `history`.
fn tags(rng: &mut fastrand::Rng, ws: &Workspace, history: &[RawCommit]) -> Vec<Tag> {
    let at = |rng: &mut fastrand::Rng| history[rng.usize(..history.len())].id.clone();
    let mut tags: Vec<Tag> = ws
        .members
        .iter()
        .map(|m| Tag {
            name: format!("{}-v{}", m.name, m.version),
            commit: history.last().unwrap().id.clone(),
        })
        .collect();
    for _ in 0..rng.usize(..6) {
        let name = match rng.u8(..3) {
            0 => text(rng, 30),
            1 => format!("a-v{}", version_text(rng)),
            _ => format!("c-v{}", version_text(rng)),
        };
        tags.push(Tag {
            name,
            commit: at(rng),
        });
    }
    tags
}

/// Each crate's released commits must all have touched it; `c` is never touched after the
/// commit its tags point at or before, so it is never released for commits.
fn assert_no_forged_commit(
    plan: &releasekit_cargo::plan::release::ReleasePlan,
    history: &[RawCommit],
    case: &str,
) {
    for c in &plan.crates {
        let touching: BTreeSet<&str> = history
            .iter()
            .filter(|h| {
                h.paths
                    .iter()
                    .any(|p| p.starts_with(&format!("{}/", c.dir)))
            })
            .map(|h| h.id.as_str())
            .collect();
        for commit in &c.commits {
            assert!(
                touching.contains(commit.id.as_str()),
                "{case}: {} lists {} which did not touch it",
                c.name,
                commit.id
            );
        }
        for reason in &c.reasons {
            if let Reason::Commits { count, .. } = reason {
                assert!(
                    *count <= touching.len(),
                    "{case}: {} counts {count}",
                    c.name
                );
                assert_ne!(c.name, "c", "{case}: no commit touched c");
            }
        }
    }
}

#[test]
fn arbitrary_messages_versions_and_tags_never_panic_the_planner_or_forge_a_commit() {
    let (mut planned, mut refused) = (0, 0);
    for seed in 0..400u64 {
        let rng = &mut fastrand::Rng::with_seed(seed);
        let ws = workspace(rng);
        let mut history: Vec<RawCommit> = (0..rng.usize(1..12))
            .map(|i| {
                let paths = [
                    "crates/a/src/lib.rs",
                    "crates/b/lib.rs",
                    "README.md",
                    "crates/ab/x",
                ]
                .iter()
                .filter(|_| rng.bool())
                .map(|p| p.to_string())
                .collect();
                RawCommit {
                    id: format!("{:040x}", 0xc0ffee + i),
                    parents: Vec::new(),
                    message: text(rng, 160),
                    paths,
                    // Now and then git found it undoes some commit, maybe one not in the list.
                    verified_revert: (rng.u8(..) < 40)
                        .then(|| format!("{:040x}", 0xc0ffee + rng.usize(0..14))),
                }
            })
            .collect();
        for i in 0..history.len() - 1 {
            history[i].parents = vec![history[i + 1].id.clone()];
        }
        let tags = tags(rng, &ws, &history);
        let options = options(rng);
        let facts = Facts {
            workspace: &ws,
            history: &history,
            tags: &tags,
            published: &Published::new(),
            assume_tagged_published: rng.bool(),
            api: &ApiChecks::new(),
            registry: None,
            shallow: false,
            manifests: &BTreeMap::new(),
        };
        let case = format!("seed {seed}");
        let result = build_plan(facts, &options);
        match &result {
            Ok(plan) if plan.has_bumps() => planned += 1,
            Ok(_) => {}
            Err(_) => refused += 1,
        }
        if let Ok(plan) = result {
            assert_no_forged_commit(&plan, &history, &case);
            for c in plan.released() {
                if let Some(given) = options.given.get(&c.name) {
                    assert_eq!(&c.planned_version, given, "{case}: a typed version is kept");
                    continue;
                }
                assert!(
                    c.planned_version >= c.initial_version
                        || !c.initial_version.pre.is_empty()
                        || options.prerelease.is_some(),
                    "{case}: {} goes down from {} to {}",
                    c.name,
                    c.initial_version,
                    c.planned_version
                );
            }
        }
    }
    // The table reaches both sides: plans that release something, and inputs refused.
    assert!(
        planned > 100 && refused > 10,
        "{planned} planned, {refused} refused"
    );
}

/// Whatever a manifest's version string, a changelog, a PR body, an event payload or git's
/// output holds, the readers answer with a value or an error.
#[test]
fn arbitrary_manifests_changelogs_bodies_events_and_git_output_never_panic() {
    for seed in 0..400u64 {
        let rng = &mut fastrand::Rng::with_seed(seed);
        let raw = version_text(rng);
        let quoted = toml_edit::Value::from(raw.as_str()).to_string();
        let text = format!(
            "[package]\nname = \"x\"\nversion = {quoted}\n\n[dependencies]\na = {{ path = \"../a\", version = {quoted} }}\n\n[workspace.package]\nversion = {quoted}\n"
        );
        let _ = manifest::manifest_facts(&text);
        let edits = manifest::ManifestEdits {
            package_version: Some(version(rng)),
            workspace_package_version: Some(version(rng)),
            ..Default::default()
        };
        let _ = manifest::apply_edits(&text, &edits);
        let _ = manifest::manifest_facts(&self::text(rng, 200));

        let existing = self::text(rng, 300);
        let v = version(rng);
        let inserted = changelog::insert_section(Some(&existing), &v, &self::text(rng, 80));
        let _ = changelog::section(&inserted, &v);
        let _ = changelog::section(&existing, &v);

        let _ = pr::parse_manifest(&self::text(rng, 300));
        for name in ["push", "pull_request", "workflow_dispatch", "issues"] {
            let _ = trigger::parse_event(name, &self::text(rng, 200));
        }
        let _ = git_output::parse_log(&bytes(rng, 300));
        let _ = git_output::parse_commit_objects(&bytes(rng, 300));
        let _ = releasekit_cargo::plan::history::parse_tag(
            "{name}-v{version}",
            "a",
            &self::text(rng, 40),
        );
    }
}

/// A commit `fast-import` writes: its message bytes and the paths it changes.
struct Made {
    message: Vec<u8>,
    paths: Vec<&'static str>,
}

/// Real repositories whose commits carry arbitrary bytes (NUL included: git itself refuses
/// them, `fast-import` does not): the history reader returns each commit once, with its own
/// paths and its message as git shows it, and the planner attributes none to `c`.
#[test]
fn arbitrary_commit_messages_in_a_real_repository_are_read_back_one_for_one() {
    for seed in 0..6u64 {
        let rng = &mut fastrand::Rng::with_seed(seed);
        let repo = Repo::new();
        repo.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n");
        for name in ["a", "b", "c"] {
            add_crate(&repo, &format!("crates/{name}"), name, "1.0.0", "");
        }
        let base = repo.commit("chore: initial import");
        let made: Vec<Made> = (0..30)
            .map(|_| Made {
                message: bytes(rng, 200),
                paths: ["crates/a/src/lib.rs", "crates/b/src/lib.rs", "README.md"]
                    .into_iter()
                    .filter(|_| rng.bool())
                    .collect(),
            })
            .collect();
        let mut stream = Vec::new();
        for (i, m) in made.iter().enumerate() {
            write!(
                stream,
                "commit refs/heads/main\ncommitter Eve <eve@example.com> {} +0000\ndata {}\n",
                1_700_000_000 + i,
                m.message.len()
            )
            .unwrap();
            stream.extend_from_slice(&m.message);
            if i == 0 {
                write!(stream, "\nfrom {base}\n").unwrap();
            } else {
                stream.push(b'\n');
            }
            for path in &m.paths {
                write!(stream, "M 100644 inline {path}\ndata 3\n{i:02}\n").unwrap();
            }
            stream.push(b'\n');
        }
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(repo.path())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&stream).unwrap();
        assert!(child.wait().unwrap().success(), "seed {seed}");

        let history = Git::discover(repo.path(), &Trust::none())
            .unwrap()
            .log()
            .unwrap();
        let listed = repo.git(&["rev-list", "HEAD"]);
        let ids: Vec<&str> = listed.lines().collect();
        assert_eq!(
            history.len(),
            made.len() + 1,
            "seed {seed}: one record per commit"
        );
        let read: BTreeSet<&str> = history.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            read,
            ids.iter().copied().collect(),
            "seed {seed}: the same commits"
        );
        // Newest first, as made (one second apart).
        let by_id: BTreeMap<&str, &RawCommit> =
            history.iter().map(|c| (c.id.as_str(), c)).collect();
        for (m, id) in made.iter().rev().zip(&ids) {
            let c = by_id[id];
            // Read up to a NUL, control characters made inert (`git_output::inert`).
            let shown = m.message.split(|&b| b == 0).next().unwrap();
            assert_eq!(
                c.message,
                git_output::inert(String::from_utf8_lossy(shown).trim_end()),
                "seed {seed}: {id}"
            );
            let mut paths = m.paths.clone();
            paths.sort();
            let mut got: Vec<&str> = c.paths.iter().map(String::as_str).collect();
            got.sort();
            assert_eq!(got, paths, "seed {seed}: {id}");
        }

        let ws = Workspace {
            members: ["a", "b", "c"]
                .map(|n| member(n, Version::new(1, 0, 0), vec![]))
                .into(),
            ..Workspace::default()
        };
        let tags = ["a", "b", "c"].map(|n| Tag {
            name: format!("{n}-v1.0.0"),
            commit: base.clone(),
        });
        let facts = Facts {
            workspace: &ws,
            history: &history,
            tags: &tags,
            published: &Published::new(),
            assume_tagged_published: true,
            api: &ApiChecks::new(),
            registry: None,
            shallow: false,
            manifests: &BTreeMap::new(),
        };
        // No typed version here: one that names an existing tag is refused, as it should be.
        let options = PlanOptions {
            given: BTreeMap::new(),
            ..options(rng)
        };
        let plan = build_plan(facts, &options).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert_no_forged_commit(&plan, &history, &format!("seed {seed}"));
    }
}
