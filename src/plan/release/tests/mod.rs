//! Tests of the plan assembly (see release.rs): small in-memory workspaces and histories, one
//! domain rule of DESIGN.md §3 per test. This file holds the fixture and the terminal form;
//! the submodules hold one topic each.

use semver::{Version, VersionReq};

use super::*;
use crate::plan::DepKind::{self, Build, Dev, Normal};
use crate::plan::history::{DEFAULT_TAG_FORMAT, SINGLE_CRATE_TAG_FORMAT, tag_name};
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

mod api_checks;
mod commits;
mod dependents;
mod groups;
mod history;
mod shaping;
mod waves;
