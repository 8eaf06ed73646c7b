//! Tests of the plan assembly (see release.rs): small in-memory workspaces and histories, one
//! domain rule of DESIGN.md §3 per test.

use semver::{Version, VersionReq};

use super::*;
use crate::plan::DepKind::{self, Build, Dev, Normal};
use crate::plan::history::{DEFAULT_TAG_FORMAT, SINGLE_CRATE_TAG_FORMAT};
use crate::plan::manifest::{DepEdit, WorkspaceDepEdit};
use crate::plan::render;
use crate::plan::workspace::{Member, MemberDep, Publish};

// ── fixture ──────────────────────────────────────────────────────────────────────────────

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

/// A member publishable anywhere, in `crates/<name>`.
fn member(name: &str, version: &str, deps: Vec<MemberDep>) -> Member {
    Member::plain(name, version, deps)
}

fn dependency(name: &str, kind: DepKind, req: Option<&str>) -> MemberDep {
    MemberDep::plain(name, kind, req)
}

fn dep(name: &str, req: &str) -> MemberDep {
    dependency(name, Normal, Some(req))
}

fn dev(name: &str, req: &str) -> MemberDep {
    dependency(name, Dev, Some(req))
}

/// `name.workspace = true`: the requirement lives in `[workspace.dependencies]`.
fn inherited(name: &str, req: &str) -> MemberDep {
    MemberDep {
        inherited: true,
        ..dep(name, req)
    }
}

/// A repository: the workspace, its history (newest first) and tags.
struct Repo {
    ws: Workspace,
    history: Vec<RawCommit>,
    tags: Vec<Tag>,
    published: Published,
    assume_tagged_published: bool,
    api: ApiChecks,
    /// Every version the registry lists; `None`: not asked.
    registry: Option<Published>,
    manifests: ManifestHistory,
}

impl Repo {
    /// The members, and one root commit that added them all; no tags.
    fn new(mut members: Vec<Member>) -> Repo {
        members.sort_by(|a, b| a.name.cmp(&b.name));
        let paths = members
            .iter()
            .map(|m| format!("{}/Cargo.toml", m.dir))
            .collect();
        Repo {
            ws: Workspace {
                members,
                ..Workspace::default()
            },
            history: vec![RawCommit {
                id: "c0ffee0".into(),
                parents: Vec::new(),
                message: "chore: initial import".into(),
                paths,
                verified_revert: None,
            }],
            tags: Vec::new(),
            published: Published::new(),
            assume_tagged_published: false,
            api: ApiChecks::new(),
            registry: None,
            manifests: ManifestHistory::new(),
        }
    }

    /// Like [`Repo::new`], with every member tagged at its current version on the root commit
    /// (under the default tag format for the number of publishable members).
    fn tagged(members: Vec<Member>) -> Repo {
        let repo = Repo::new(members);
        let names: Vec<String> = repo.ws.members.iter().map(|m| m.name.clone()).collect();
        names.iter().fold(repo, |repo, name| repo.tag_member(name))
    }

    /// Tag `name` at its current version on the newest commit, default format.
    fn tag_member(self, name: &str) -> Repo {
        let publishable = self.ws.publishable(None).count();
        let format = if publishable == 1 {
            SINGLE_CRATE_TAG_FORMAT
        } else {
            DEFAULT_TAG_FORMAT
        };
        let version = &self.ws.member(name).unwrap().version;
        let tag = tag_name(format, name, version);
        self.tag(&tag)
    }

    /// Tag the newest commit.
    fn tag(mut self, name: &str) -> Repo {
        let head = self.head();
        self.tags.push(Tag {
            name: name.to_owned(),
            commit: head,
        });
        self
    }

    /// A new commit on top. `touched` are crate names (a file in each crate's `src/`) or, when
    /// they contain `/` or `.`, paths.
    fn commit(mut self, message: &str, touched: &[&str]) -> Repo {
        let id = format!("{:07x}", 0xc0ffee0 + self.history.len());
        let paths = touched
            .iter()
            .map(|t| {
                if t.contains(['/', '.']) {
                    (*t).to_owned()
                } else {
                    format!("crates/{t}/src/lib.rs")
                }
            })
            .collect();
        let parent = self.head();
        self.history.insert(
            0,
            RawCommit {
                id,
                parents: vec![parent],
                message: message.to_owned(),
                paths,
                verified_revert: None,
            },
        );
        self
    }

    /// Record what git found: the newest commit's changes are the inverse of `target`'s.
    fn undoing(mut self, target: &str) -> Repo {
        self.history[0].verified_revert = Some(target.to_owned());
        self
    }

    fn head(&self) -> String {
        self.history[0].id.clone()
    }

    fn with(mut self, change: impl FnOnce(&mut Workspace)) -> Repo {
        change(&mut self.ws);
        self
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            workspace: &self.ws,
            history: &self.history,
            tags: &self.tags,
            published: &self.published,
            assume_tagged_published: self.assume_tagged_published,
            registry: self.registry.as_ref(),
            shallow: false,
            manifests: &self.manifests,
            api: &self.api,
        }
    }

    fn plan(&self, options: &PlanOptions) -> Result<ReleasePlan, PlanError> {
        build_plan(self.facts(), options)
    }
}

fn options() -> PlanOptions {
    PlanOptions {
        forced_bump: None,
        force_prepare: false,
        prerelease: None,
        group: None,
        ungrouped_only: false,
        tag_format: None,
        groups: Vec::new(),
        dependents_bump: DependentsBump::Patch,
        registry: None,
        date: "2026-11-21".into(),
        repository_url: None,
        commit_rules: CommitRules::default(),
        given: BTreeMap::new(),
        changelog: Default::default(),
        workspace_changelog: None,
        crates: Default::default(),
    }
}

fn group(name: &str, members: &[&str], versioning: Versioning) -> GroupSpec {
    GroupSpec {
        name: name.to_owned(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
        versioning,
        tag_format: None,
    }
}

/// `name version` of every released crate, by name.
fn released(plan: &ReleasePlan) -> Vec<String> {
    plan.released()
        .map(|c| format!("{} {}", c.name, c.planned_version))
        .collect()
}

fn krate<'p>(plan: &'p ReleasePlan, name: &str) -> &'p CrateRelease {
    plan.crates.iter().find(|c| c.name == name).unwrap()
}

fn edits<'p>(plan: &'p ReleasePlan, manifest: &str) -> &'p ManifestEdits {
    &plan.manifest_edits[manifest]
}

fn dep_edit(name: &str, kind: DepKind, version: &str) -> DepEdit {
    DepEdit {
        name: name.to_owned(),
        kind,
        version: v(version),
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| (*n).to_owned()).collect()
}

// ── versions from commits ────────────────────────────────────────────────────────────────

#[test]
fn commits_bump_stable_0_y_and_0_0_z_crates_by_cargo_compatibility() {
    let cases = [
        // current, commit, planned (None: not released)
        ("1.2.3", "feat: add x", Some("1.3.0")),
        ("1.2.3", "fix: mend x", Some("1.2.4")),
        ("1.2.3", "perf: speed x", Some("1.2.4")),
        ("1.2.3", "feat!: drop x", Some("2.0.0")),
        (
            "1.2.3",
            "fix: x\n\nBREAKING CHANGE: y is gone",
            Some("2.0.0"),
        ),
        ("1.2.3", "docs: explain x", None),
        ("0.3.1", "feat: add x", Some("0.3.2")),
        ("0.3.1", "fix: mend x", Some("0.3.2")),
        ("0.3.1", "feat!: drop x", Some("0.4.0")),
        ("0.0.4", "feat: add x", Some("0.0.5")),
        ("0.0.4", "fix: mend x", Some("0.0.5")),
        ("0.0.4", "feat!: drop x", Some("0.0.5")),
    ];
    for (current, message, planned) in cases {
        let plan = Repo::tagged(vec![member("a", current, vec![])])
            .commit(message, &["a"])
            .plan(&options())
            .unwrap();
        let got = krate(&plan, "a");
        let want = planned.unwrap_or(current);
        assert_eq!(
            (got.released, got.planned_version.to_string()),
            (planned.is_some(), want.to_owned()),
            "{current} + {message:?}"
        );
    }
}

#[test]
fn commits_reason_counts_the_commits_that_ask_for_a_bump() {
    let plan = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .commit("fix: one", &["a"])
        .commit("docs: not counted", &["a"])
        .commit("feat: two", &["a"])
        .plan(&options())
        .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        a.reasons,
        [Reason::Commits {
            count: 2,
            bump: Bump::Minor
        }]
    );
    assert_eq!(a.bump, Bump::Minor);
    assert_eq!(
        a.commits.len(),
        2,
        "the commits the changelog lists are carried"
    );
}

#[test]
fn crate_without_a_tag_is_new_and_released_at_its_current_version() {
    let plan = Repo::new(vec![
        member("a", "0.1.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .tag_member("b")
    .commit("fix: mend a", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["a 0.1.0"]);
    assert_eq!(a.reasons, [Reason::New]);
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (None, "a-v0.1.0")
    );
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").package_version,
        Some(v("0.1.0"))
    );
}

#[test]
fn crate_tagged_with_no_commits_since_is_not_released() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("feat: only b", &["b"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["b 1.1.0"]);
    assert!(!a.released && a.reasons.is_empty() && a.changelog.is_empty());
    assert_eq!(a.planned_version, a.initial_version);
    assert_eq!(a.planned_tag, "a-v1.0.0");
    assert!(!plan.manifest_edits.contains_key("crates/a/Cargo.toml"));
}

#[test]
fn commits_before_the_tag_are_not_counted() {
    let plan = Repo::new(vec![member("a", "1.0.0", vec![])])
        .commit("feat!: redesign", &["a"])
        .commit("feat: add x", &["a"])
        .tag("v1.0.0")
        .commit("fix: mend x", &["a"])
        .plan(&options())
        .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(released(&plan), ["a 1.0.1"]);
    assert_eq!(a.prior_tag.as_deref(), Some("v1.0.0"));
    assert_eq!(a.commits.len(), 1);
    assert_eq!(a.commits[0].summary, "mend x");
}

#[test]
fn revert_of_a_feature_within_the_range_cancels_it() {
    let repo = Repo::tagged(vec![member("a", "1.0.0", vec![])]).commit("feat: add x", &["a"]);
    let feat = repo.head();
    let plan = repo
        .commit(
            &format!("Revert \"feat: add x\"\n\nThis reverts commit {feat}."),
            &["a"],
        )
        .undoing(&feat)
        .plan(&options())
        .unwrap();
    assert!(!plan.has_bumps(), "{:?}", released(&plan));
    assert!(krate(&plan, "a").commits.is_empty());
    assert!(
        plan.notes.iter().all(|n| !n.contains("reverts")),
        "{:?}",
        plan.notes
    );
}

/// A message alone cannot cancel a commit: a squash-merged `fix:` that claims to revert the
/// maintainer's `feat!:` without undoing it counts as itself, the `feat!:` stays, and the plan
/// says the claim was ignored.
#[test]
fn a_revert_claimed_by_the_message_alone_cancels_nothing_and_is_noted() {
    let repo =
        Repo::tagged(vec![member("a", "1.0.0", vec![])]).commit("feat!: drop the old API", &["a"]);
    let breaking = repo.head();
    let plan = repo
        .commit(
            &format!(
                "fix: typo in docs\n\nThis reverts commit {}.",
                &breaking[..7]
            ),
            &["a"],
        )
        .plan(&options())
        .unwrap();
    assert_eq!(released(&plan), ["a 2.0.0"]);
    let summaries: Vec<&str> = krate(&plan, "a")
        .commits
        .iter()
        .map(|c| c.summary.as_str())
        .collect();
    assert_eq!(summaries, ["typo in docs", "drop the old API"]);
    let short = &plan.crates[0].commits[0].short_id;
    assert!(
        plan.notes.contains(&format!(
            "commit {short} says it reverts {}, but its changes are not the inverse of that commit's: it counts as a commit of its own, and {} stays",
            &breaking[..7],
            &breaking[..7]
        )),
        "{:?}",
        plan.notes
    );
}

// ── forced bumps and prereleases ─────────────────────────────────────────────────────────

#[test]
fn forced_bump_applies_only_to_changed_crates() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("chore: tidy a", &["a"])
    .plan(&PlanOptions {
        forced_bump: Some(Bump::Minor),
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0"]);
    assert_eq!(
        krate(&plan, "a").reasons,
        [Reason::Forced { bump: Bump::Minor }]
    );
}

#[test]
fn forced_bump_with_force_prepare_applies_to_every_crate() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("chore: tidy a", &["a"])
    .plan(&PlanOptions {
        forced_bump: Some(Bump::Minor),
        force_prepare: true,
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0", "b 1.1.0"]);
    assert_eq!(
        krate(&plan, "b").reasons,
        [Reason::Forced { bump: Bump::Minor }]
    );
}

#[test]
fn prerelease_starts_a_series_on_the_next_version() {
    let plan = Repo::tagged(vec![member("a", "1.3.0", vec![])])
        .commit("feat: add x", &["a"])
        .plan(&PlanOptions {
            prerelease: Some("rc".parse().unwrap()),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["a 1.4.0-rc.1"]);
    assert_eq!(krate(&plan, "a").planned_tag, "v1.4.0-rc.1");
}

#[test]
fn prerelease_on_a_prerelease_of_the_same_label_counts_up() {
    let plan = Repo::tagged(vec![member("a", "1.4.0-rc.1", vec![])])
        .commit("fix: mend x", &["a"])
        .plan(&PlanOptions {
            prerelease: Some("rc".parse().unwrap()),
            ..options()
        })
        .unwrap();
    assert_eq!(krate(&plan, "a").prior_tag.as_deref(), Some("v1.4.0-rc.1"));
    assert_eq!(released(&plan), ["a 1.4.0-rc.2"]);
}

// ── dependents ───────────────────────────────────────────────────────────────────────────

//   a ──"1.2"──▶ b        b: feat! → 2.0.0, which "1.2" no longer admits
#[test]
fn breaking_change_rewrites_the_dependent_requirement_and_patches_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    let a = krate(&plan, "a");
    assert_eq!(a.bump, Bump::Patch);
    assert_eq!(
        a.reasons,
        [Reason::Dependency {
            name: "b".into(),
            version: v("2.0.0")
        }]
    );
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            package_version: Some(v("1.0.1")),
            deps: vec![dep_edit("b", Normal, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert!(
        a.changelog.contains("- update `b` to 2.0.0"),
        "{}",
        a.changelog
    );
    assert_eq!(plan.waves, [names(&["b"]), names(&["a"])]);
}

//   a ──"1.2"──▶ b ◀──"1"── c        b: 1.2.0, a fix since; 3.0.0 typed into the Release PR
#[test]
fn a_version_typed_into_the_release_pr_is_taken_as_given_and_its_dependents_follow() {
    let repo = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
        member("c", "1.0.0", vec![dep("b", "1")]),
    ])
    .commit("fix: a small thing", &["b"]);
    let typed = PlanOptions {
        given: BTreeMap::from([("b".to_owned(), v("3.0.0"))]),
        ..options()
    };
    let plan = repo.plan(&typed).unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 3.0.0", "c 1.0.1"]);
    let b = krate(&plan, "b");
    assert_eq!(
        b.reasons,
        [Reason::Edited {
            version: v("3.0.0")
        }]
    );
    assert_eq!(b.bump, Bump::Major);
    assert!(b.changelog.starts_with("## [3.0.0]"), "{}", b.changelog);
    assert!(b.changelog.contains("a small thing"), "{}", b.changelog);
    assert_eq!(
        edits(&plan, "crates/c/Cargo.toml").deps,
        [dep_edit("b", Normal, "3.0.0")]
    );
    // Typed as the commits ask for: nothing to say.
    assert!(
        !plan.notes.iter().any(|n| n.contains("typed into")),
        "{:?}",
        plan.notes
    );
    // Typed lower than the commits ask for: the maintainer's version still wins, and the plan
    // says what the commits ask for.
    let plan = repo
        .commit("feat!: drop the old api", &["b"])
        .plan(&PlanOptions {
            given: BTreeMap::from([("b".to_owned(), v("1.2.1"))]),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["b 1.2.1"]);
    assert!(
        plan.notes.contains(&"b 1.2.1 was typed into the Release PR, but its changes since the last release ask for 2.0.0: released at 1.2.1 as typed (type 2.0.0 to follow them)".to_owned()),
        "{:?}",
        plan.notes
    );
    // A typed version releases a crate nothing else would.
    let plan = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .plan(&PlanOptions {
            given: BTreeMap::from([("a".to_owned(), v("1.1.0"))]),
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0"]);
}

//   a ──build "1.2"──▶ b
#[test]
fn breaking_change_in_a_build_dependency_patches_the_dependent_too() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dependency("b", Build, Some("1.2"))]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").deps,
        [dep_edit("b", Build, "2.0.0")]
    );
}

//   a ──"1.2"──▶ b        b: feat! → 2.0.0, dependents_bump = "none"
#[test]
fn breaking_change_with_dependents_bump_none_rewrites_but_does_not_release_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&PlanOptions {
        dependents_bump: DependentsBump::None,
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            deps: vec![dep_edit("b", Normal, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert_eq!(
        plan.notes,
        ["a's requirement on b is rewritten to admit 2.0.0, but a is not released in this plan"]
    );
}

//   a ──"1.2"──▶ b        b: feat → 1.3.0, which "1.2" still admits; a unchanged
#[test]
fn still_matching_requirement_is_left_alone_when_the_dependent_is_not_released() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 1.3.0"]);
    assert!(!plan.manifest_edits.contains_key("crates/a/Cargo.toml"));
}

//   a ──"1.2"──▶ b        b: feat → 1.3.0; a: fix, released anyway
#[test]
fn still_matching_requirement_is_raised_when_the_dependent_is_released_anyway() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .commit("fix: mend y", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.3.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml").deps,
        [dep_edit("b", Normal, "1.3.0")]
    );
}

//   a ──dev "1.2"──▶ b    b: feat → 1.3.0; a: fix, released anyway
#[test]
fn still_matching_dev_dependency_is_never_raised() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dev("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat: add x", &["b"])
    .commit("fix: mend y", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 1.3.0"]);
    assert!(edits(&plan, "crates/a/Cargo.toml").deps.is_empty());
}

//   a ──dev "1.2"──▶ b    b: feat! → 2.0.0
#[test]
fn broken_dev_dependency_is_rewritten_without_releasing_the_dependent() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dev("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 2.0.0"]);
    assert_eq!(
        edits(&plan, "crates/a/Cargo.toml"),
        &ManifestEdits {
            deps: vec![dep_edit("b", Dev, "2.0.0")],
            ..ManifestEdits::default()
        }
    );
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

//   c ──"0.0.1"──▶ b ──"0.0.1"──▶ a      a: fix → 0.0.2; on 0.0.z nothing else is compatible
#[test]
fn dependents_cascade_until_nothing_changes() {
    let plan = Repo::tagged(vec![
        member("a", "0.0.1", vec![]),
        member("b", "0.0.1", vec![dep("a", "0.0.1")]),
        member("c", "0.0.1", vec![dep("b", "0.0.1")]),
    ])
    .commit("fix: mend a", &["a"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 0.0.2", "b 0.0.2", "c 0.0.2"]);
    assert_eq!(
        krate(&plan, "c").reasons,
        [Reason::Dependency {
            name: "b".into(),
            version: v("0.0.2")
        }]
    );
    assert_eq!(
        edits(&plan, "crates/b/Cargo.toml").deps,
        [dep_edit("a", Normal, "0.0.2")]
    );
    assert_eq!(
        edits(&plan, "crates/c/Cargo.toml").deps,
        [dep_edit("b", Normal, "0.0.2")]
    );
    assert_eq!(plan.waves, [names(&["a"]), names(&["b"]), names(&["c"])]);
}

//   a ──workspace = true──▶ b      [workspace.dependencies] b = "1.2"; b: feat! → 2.0.0
#[test]
fn inherited_requirement_is_rewritten_in_the_root_manifest() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![inherited("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_deps
            .insert("b".into(), Some(VersionReq::parse("1.2").unwrap()));
    })
    .commit("feat!: drop the old api", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "b 2.0.0"]);
    assert_eq!(
        edits(&plan, "Cargo.toml"),
        &ManifestEdits {
            workspace_deps: vec![WorkspaceDepEdit {
                name: "b".into(),
                version: v("2.0.0")
            }],
            ..ManifestEdits::default()
        }
    );
    assert!(edits(&plan, "crates/a/Cargo.toml").deps.is_empty());
}

// ── shared versions and groups ───────────────────────────────────────────────────────────

#[test]
fn members_inheriting_the_workspace_version_move_together_with_the_highest_bump() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
        member("d", "1.0.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_version = Some(v("1.0.0"));
        for m in ws.members.iter_mut().filter(|m| m.name != "d") {
            m.version_from_workspace = true;
        }
    })
    .commit("fix: mend a", &["a"])
    .commit("feat: add to b", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.1.0", "b 1.1.0", "c 1.1.0"]);
    assert_eq!(krate(&plan, "a").bump, Bump::Minor);
    assert_eq!(
        krate(&plan, "c").reasons,
        [Reason::Fixed { with: "a".into() }]
    );
    assert_eq!(
        plan.manifest_edits,
        BTreeMap::from([(
            "Cargo.toml".to_owned(),
            ManifestEdits {
                workspace_package_version: Some(v("1.1.0")),
                ..ManifestEdits::default()
            }
        )])
    );
}

//   a, b: version.workspace = true, 1.0.0; a was released as a-v1.0.0, b is added untagged.
//   b is new and goes out at 1.0.0; the shared version does not move, so a has nothing to
//   release (re-releasing it would plan the existing tag a-v1.0.0 again and replace a's 1.0.0
//   changelog section with "released together with `b`").
#[test]
fn new_member_of_a_shared_version_family_does_not_re_release_the_others() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .with(|ws| {
        ws.workspace_version = Some(v("1.0.0"));
        for m in &mut ws.members {
            m.version_from_workspace = true;
        }
    })
    .tag("a-v1.0.0")
    .commit("chore: add b", &["b"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["b 1.0.0"]);
}

fn core_family() -> Repo {
    Repo::tagged(vec![
        member("core", "1.2.0", vec![]),
        member("core-macros", "1.1.5", vec![]),
        member("other", "1.0.0", vec![]),
    ])
    .commit("feat: add x", &["core"])
}

#[test]
fn fixed_group_gives_every_member_the_highest_bump_and_one_version() {
    let plan = core_family()
        .plan(&PlanOptions {
            groups: vec![group("core", &["core*"], Versioning::Fixed)],
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["core 1.3.0", "core-macros 1.3.0"]);
    let macros = krate(&plan, "core-macros");
    assert_eq!(macros.bump, Bump::Minor);
    assert_eq!(
        macros.reasons,
        [Reason::Fixed {
            with: "core".into()
        }]
    );
    assert_eq!(macros.group.as_deref(), Some("core"));
    assert_eq!(macros.planned_tag, "core-macros-v1.3.0");
}

#[test]
fn independent_group_releases_only_the_changed_member() {
    let plan = core_family()
        .plan(&PlanOptions {
            groups: vec![group("core", &["core*"], Versioning::Independent)],
            ..options()
        })
        .unwrap();
    assert_eq!(released(&plan), ["core 1.3.0"]);
}

#[test]
fn group_option_releases_only_that_groups_members() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("fix: mend all", &["a", "b", "c"])
    .plan(&PlanOptions {
        group: Some("g1".into()),
        groups: vec![
            group("g1", &["a"], Versioning::Independent),
            group("g2", &["b"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1"]);
    assert_eq!(
        plan.manifest_edits.keys().collect::<Vec<_>>(),
        ["crates/a/Cargo.toml"]
    );
}

//   a (group g1) ──"1.2"──▶ b (group g2)      b: feat! → 2.0.0; the plan is for g1 only
#[test]
fn group_option_does_not_release_a_member_for_a_dependency_it_leaves_unreleased() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1.2")]),
        member("b", "1.2.0", vec![]),
    ])
    .commit("feat!: drop the old api", &["b"])
    .plan(&PlanOptions {
        group: Some("g1".into()),
        groups: vec![
            group("g1", &["a"], Versioning::Independent),
            group("g2", &["b"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap();
    // Today: a 1.0.1 "dependency b → 2.0.0", changelog "update `b` to 2.0.0", and no edit of
    // a's requirement on b, because b stays at 1.2.0 in this plan.
    assert_eq!(released(&plan), Vec::<String>::new());
}

#[test]
fn unknown_group_option_is_an_error_listing_the_configured_groups() {
    let err = Repo::tagged(vec![member("a", "1.0.0", vec![])])
        .plan(&PlanOptions {
            group: Some("nope".into()),
            groups: vec![group("g1", &["a"], Versioning::Independent)],
            ..options()
        })
        .unwrap_err();
    assert_eq!(
        err,
        PlanError::UnknownGroup {
            group: "nope".into(),
            known: names(&["g1"])
        }
    );
}

#[test]
fn overlapping_group_globs_are_an_error_naming_the_crate_and_both_groups() {
    let err = Repo::tagged(vec![
        member("serde", "1.0.0", vec![]),
        member("serde_json", "1.0.0", vec![]),
    ])
    .plan(&PlanOptions {
        groups: vec![
            group("g1", &["serde*"], Versioning::Independent),
            group("g2", &["serde_json"], Versioning::Independent),
        ],
        ..options()
    })
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::GroupOverlap {
            name: "serde_json".into(),
            first: "g1".into(),
            second: "g2".into()
        }
    );
}

#[test]
fn group_glob_matching_no_crate_is_an_error() {
    let err = Repo::tagged(vec![member("serde", "1.0.0", vec![])])
        .plan(&PlanOptions {
            groups: vec![group("rt", &["tokio*"], Versioning::Independent)],
            ..options()
        })
        .unwrap_err();
    assert_eq!(
        err,
        PlanError::GroupPattern {
            group: "rt".into(),
            pattern: "tokio*".into()
        }
    );
}

// ── tags ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn tags_default_to_name_dash_v_version() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .commit("feat: add x", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (Some("a-v1.0.0"), "a-v1.1.0")
    );
}

#[test]
fn single_publishable_crate_is_tagged_v_version() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        Member {
            publish: Publish::Never,
            ..member("xtask", "0.0.0", vec![])
        },
    ])
    .tag("v1.0.0")
    .commit("fix: mend x", &["a"])
    .plan(&options())
    .unwrap();
    let a = krate(&plan, "a");
    assert_eq!(
        (a.prior_tag.as_deref(), a.planned_tag.as_str()),
        (Some("v1.0.0"), "v1.0.1")
    );
}

#[test]
fn group_tag_format_names_and_finds_its_members_tags() {
    let plan = Repo::new(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .tag("a@1.0.0")
    .tag("a-v9.0.0")
    .tag_member("b")
    .commit("fix: mend both", &["a", "b"])
    .plan(&PlanOptions {
        groups: vec![GroupSpec {
            tag_format: Some("{name}@{version}".into()),
            ..group("g", &["a"], Versioning::Independent)
        }],
        ..options()
    })
    .unwrap();
    let tags = |name| {
        let c = krate(&plan, name);
        (c.prior_tag.clone(), c.planned_tag.clone())
    };
    assert_eq!(tags("a"), (Some("a@1.0.0".into()), "a@1.0.1".into()));
    assert_eq!(tags("b"), (Some("b-v1.0.0".into()), "b-v1.0.1".into()));
}

#[test]
fn tag_format_without_name_on_a_fixed_group_is_fine() {
    let plan = Repo::new(vec![
        member("core", "1.2.0", vec![]),
        member("core-macros", "1.1.5", vec![]),
    ])
    .tag("v1.2.0")
    .commit("feat: add x", &["core"])
    .plan(&PlanOptions {
        groups: vec![GroupSpec {
            tag_format: Some("v{version}".into()),
            ..group("core", &["core*"], Versioning::Fixed)
        }],
        ..options()
    })
    .unwrap();
    assert_eq!(krate(&plan, "core-macros").planned_tag, "v1.3.0");
}

#[test]
fn tag_format_without_name_on_two_independent_crates_is_an_error() {
    let err = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
    ])
    .plan(&PlanOptions {
        tag_format: Some("v{version}".into()),
        ..options()
    })
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::TagFormatNeedsName {
            format: "v{version}".into(),
            crates: names(&["a", "b"])
        }
    );
}

// ── publish order ────────────────────────────────────────────────────────────────────────

/// serde's shape: the derive crate's tests use serde, serde re-exports the derive.
///
///   serde ──"1"──▶ serde_derive
///     ▲                │
///     └──dev "^1"──────┘
fn serde_like() -> Repo {
    Repo::tagged(vec![
        member("serde", "1.0.0", vec![dep("serde_derive", "1")]),
        member("serde_derive", "1.0.0", vec![dev("serde", "^1")]),
    ])
    .commit("fix: mend both", &["serde", "serde_derive"])
}

#[test]
fn dev_dependency_cycle_plans_in_waves_when_tagged_versions_are_taken_as_published() {
    let mut repo = serde_like();
    repo.assume_tagged_published = true;
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(released(&plan), ["serde 1.0.1", "serde_derive 1.0.1"]);
    assert_eq!(plan.waves, [names(&["serde_derive"]), names(&["serde"])]);
    assert_eq!(krate(&plan, "serde").wave, Some(1));
    assert_eq!(plan.notes.len(), 1);
    assert!(
        plan.notes[0].contains("taken as published"),
        "{:?}",
        plan.notes
    );
}

#[test]
fn dev_dependency_cycle_plans_in_waves_when_a_published_version_satisfies_it() {
    let mut repo = serde_like();
    repo.published.insert("serde".into(), vec![v("1.0.0")]);
    let plan = repo.plan(&options()).unwrap();
    assert_eq!(plan.waves, [names(&["serde_derive"]), names(&["serde"])]);
}

#[test]
fn dev_dependency_cycle_without_published_versions_is_a_cycle() {
    let err = serde_like().plan(&options()).unwrap_err();
    assert!(matches!(err, PlanError::Cycle(_)), "{err:?}");
}

#[test]
fn dev_dependency_cycle_without_tags_is_a_cycle_even_when_assuming() {
    let mut repo = Repo::new(serde_like().ws.members);
    repo.assume_tagged_published = true;
    let err = repo.plan(&options()).unwrap_err();
    assert!(matches!(err, PlanError::Cycle(_)), "{err:?}");
}

//   a ──▶ b ──▶ c        a and c released, b not: b's published version serves
#[test]
fn waves_hold_only_released_crates_and_ignore_edges_to_unreleased_ones() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![dep("b", "1")]),
        member("b", "1.0.0", vec![dep("c", "1")]),
        member("c", "1.0.0", vec![]),
    ])
    .commit("fix: mend a", &["a"])
    .commit("fix: mend c", &["c"])
    .plan(&options())
    .unwrap();
    assert_eq!(released(&plan), ["a 1.0.1", "c 1.0.1"]);
    assert_eq!(plan.waves, [names(&["a", "c"])]);
    assert!(plan.edges.is_empty(), "{:?}", plan.edges);
    assert_eq!(krate(&plan, "b").wave, None);
}

#[test]
fn unpublishable_members_are_not_in_the_plan() {
    let plan = Repo::tagged(vec![
        member("a", "1.0.0", vec![]),
        member("b", "1.0.0", vec![]),
        Member {
            publish: Publish::Never,
            ..member("xtask", "0.1.0", vec![dependency("a", Normal, None)])
        },
    ])
    .commit("fix: mend all", &["a", "xtask"])
    .plan(&options())
    .unwrap();
    let crates: Vec<&str> = plan.crates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(crates, ["a", "b"]);
}

#[test]
fn path_only_normal_dependency_of_a_publishable_crate_is_a_manifest_error() {
    let err = Repo::tagged(vec![
        member("a", "1.0.0", vec![dependency("b", Normal, None)]),
        member("b", "1.0.0", vec![]),
    ])
    .plan(&options())
    .unwrap_err();
    let PlanError::Manifests(problems) = &err else {
        panic!("expected a manifest problem, got {err:?}");
    };
    let found: Vec<_> = problems
        .iter()
        .map(|p| (p.member.as_str(), p.dependency.as_str(), p.kind))
        .collect();
    assert_eq!(found, [("a", "b", Normal)]);
}

// ── the terminal form ────────────────────────────────────────────────────────────────────

//   app ──"1.2"──▶ core ◀──"1.2"── cli        core: feat! → 2.0.0
//   util: new      docs: unchanged
#[test]
fn plan_text_shows_table_waves_and_changelogs() {
    let plan = Repo::tagged(vec![
        member("app", "1.0.0", vec![dep("core", "1.2")]),
        member("cli", "0.3.1", vec![dep("core", "1.2")]),
        member("core", "1.2.0", vec![]),
        member("docs", "1.0.0", vec![]),
    ])
    .with(|ws| {
        ws.members.push(member("util", "0.1.0", vec![]));
    })
    .commit("feat(parser)!: drop the old syntax (#12)", &["core"])
    .commit("feat: stream input", &["core"])
    .commit("fix: exit code on error", &["cli"])
    .commit("feat: first helpers", &["util"])
    .plan(&PlanOptions {
        repository_url: Some("https://github.com/acme/kit".into()),
        ..options()
    })
    .unwrap();
    insta::assert_snapshot!("plan_text", render::text(&plan));
}

#[test]
fn a_new_crate_under_a_prerelease_is_released_as_a_prerelease_of_its_own_version() {
    let opts = PlanOptions {
        prerelease: Some("rc".parse().unwrap()),
        ..options()
    };
    let plan = Repo::new(vec![member("a", "0.1.0", vec![])])
        .plan(&opts)
        .unwrap();
    assert_eq!(released(&plan), ["a 0.1.0-rc.1"]);
}

#[path = "release_api_tests.rs"]
mod api_checks;
#[path = "release_history_tests.rs"]
mod history;
#[path = "release_shaping_tests.rs"]
mod shaping;
