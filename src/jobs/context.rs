//! What [`Context`] does for every job: the way each reaches the log, the configuration, git,
//! cargo (with the run's toolchain) and GitHub.

use std::path::{Path, PathBuf};

use cargo_metadata::Metadata;

use crate::adapters::actions::{END_GROUP, group_command};
use crate::adapters::cargo::{self, Cargo};
use crate::adapters::git::{Git, GitError, Trust};
use crate::adapters::github::{GitHub, GitHubError};
use crate::adapters::registry::{self, RegistrySpec};
use crate::adapters::toolchain;
use crate::config::file::{Settings, load_settings};
use crate::error::{Error, Result};
use crate::plan::release::ReleasePlan;
use crate::plan::toolchain::{Toolchain, check as check_rust_versions};
use crate::plan::trigger::Event;

use super::Context;

impl Context<'_> {
    /// Print text: never read as a workflow command, never a terminal escape.
    pub fn print(&mut self, text: &str) -> Result<()> {
        self.out.text(text).map_err(stdout_error)
    }

    /// Print a workflow command of our own (`::add-mask::`, `::group::`, an annotation).
    pub fn command(&mut self, line: &str) -> Result<()> {
        self.out.command(line).map_err(stdout_error)
    }

    /// The GitHub event this run was started for, read before anything else.
    pub fn event(&self) -> Option<&Event> {
        self.config.env.event.as_ref()
    }

    /// The pull request number of a `pull_request` event, when this run has one.
    pub fn event_pull_number(&self) -> Option<u64> {
        match self.event()? {
            Event::PullRequest(e) => Some(e.pull_request.number),
            _ => None,
        }
    }

    /// The settings of the workspace whose root is `root` (`releasekit.toml`, or the metadata
    /// table of its root manifest).
    pub fn settings(&self, root: &Path) -> Result<Settings> {
        let root_manifest = std::fs::read_to_string(root.join("Cargo.toml")).ok();
        Ok(load_settings(
            &self.config.config_file,
            self.config.config_explicit,
            root_manifest.as_deref(),
        )?)
    }

    /// Which directories git may accept although another user owns them (inside Actions only).
    pub fn trust(&self) -> Trust {
        Trust::new(self.config.env.trusted_dirs.clone())
    }

    /// The repository holding the workspace, `None` outside git: found once per run.
    pub fn repository(&self) -> Result<Option<&Git>> {
        if let Some(found) = self.repo.get() {
            return Ok(found.as_ref());
        }
        let found = match Git::discover(&self.config.workspace, &self.trust()) {
            Ok(git) => Some(git),
            Err(GitError::NotARepository { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        Ok(self.repo.get_or_init(|| found).as_ref())
    }

    /// The repository holding the workspace; outside git, the error that says so.
    pub fn git(&self) -> Result<Git> {
        match self.repository()? {
            Some(git) => Ok(git.clone()),
            None => Ok(Git::discover(&self.config.workspace, &self.trust())?),
        }
    }

    /// Stop a stage that writes on a shallow clone (a dry run too: it shows what the real run
    /// would do). Missing history and tags would make released crates look new or changed.
    /// A workspace outside git has no history to miss.
    pub fn require_full_history(&self, stage: &str) -> Result<()> {
        match self.repository()? {
            Some(git) => Ok(git.require_full_history(stage)?),
            None => Ok(()),
        }
    }

    /// `https://github.com/owner/repo` when running for a GitHub repository.
    pub fn repository_url(&self) -> Option<String> {
        let env = &self.config.env;
        Some(format!("{}/{}", env.server_url(), env.repository.as_ref()?))
    }

    /// The registry to publish to (`registry` setting) as cargo in `root` sees it.
    pub fn registry(&self, root: &Path) -> Result<RegistrySpec> {
        Ok(registry::resolve(
            self.config.registry.as_deref(),
            &self.config.env.registry,
            root,
        )?)
    }
}

impl Context<'_> {
    /// cargo with the run's toolchain and the toolchain it is; resolved (installed when
    /// missing) on the first call.
    fn resolved(&self) -> Result<&(Cargo, Toolchain)> {
        if let Some(resolved) = self.cargo.get() {
            return Ok(resolved);
        }
        let resolved = toolchain::resolve(&self.config.cargo, &self.config.workspace)?;
        Ok(self.cargo.get_or_init(|| resolved))
    }

    /// cargo, started with the run's toolchain, home and target directory.
    pub fn cargo(&self) -> Result<&Cargo> {
        Ok(&self.resolved()?.0)
    }

    /// The toolchain cargo ran with, once it did.
    pub fn toolchain_used(&self) -> Option<&Toolchain> {
        self.cargo.get().map(|(_, toolchain)| toolchain)
    }

    /// Find the toolchain now and say which it is (not on stdout when it carries JSON).
    pub fn announce_toolchain(&mut self) -> Result<()> {
        let line = self.resolved()?.1.describe();
        if !self.config.json {
            self.print(&format!("toolchain: {line}\n"))?;
        }
        Ok(())
    }

    /// `cargo metadata --no-deps` in `dir`, refused (exit 2, before anything is written) when a
    /// member's `rust-version` is above the toolchain's.
    pub fn metadata(&self, dir: &Path) -> Result<Metadata> {
        let (cargo, toolchain) = self.resolved()?;
        let metadata = cargo.metadata(dir)?;
        check_rust_versions(&cargo::rust_versions(&metadata), toolchain)?;
        Ok(metadata)
    }
}

impl Context<'_> {
    /// The GitHub API client for this repository (`GITHUB_REPOSITORY` at `GITHUB_API_URL`).
    /// A write needs a token; a dry run refuses every write.
    pub fn github(&self, stage: &str) -> Result<GitHub> {
        let repository = self
            .config
            .env
            .repository
            .as_ref()
            .ok_or(GitHubError::NoRepository)?;
        let token = self.config.token.as_ref().map(|t| t.expose());
        if token.is_none() && !self.config.dry_run {
            return Err(GitHubError::MissingToken {
                stage: stage.to_owned(),
            }
            .into());
        }
        Ok(GitHub::new(
            &self.config.env.api_url,
            repository,
            token,
            self.config.max_retries,
            self.config.dry_run,
        )?)
    }

    /// Print what the GitHub client retried since the last call.
    pub fn print_github_log(&mut self, github: &GitHub) -> Result<()> {
        for line in github.take_log() {
            self.print(&format!("{line}\n"))?;
        }
        Ok(())
    }

    /// Open a `::group::` in Actions (a heading elsewhere).
    pub fn begin_group(&mut self, title: &str) -> Result<()> {
        if self.config.in_actions {
            self.command(&group_command(title))
        } else {
            self.print(&format!("── {title} ──\n"))
        }
    }

    pub fn end_group(&mut self) -> Result<()> {
        if self.config.in_actions {
            self.command(END_GROUP)
        } else {
            Ok(())
        }
    }

    /// The `has_bumps` and `plan` outputs every stage that plans writes.
    pub fn plan_outputs(&self, plan: &ReleasePlan) -> Result<()> {
        self.runner
            .set_output("has_bumps", if plan.has_bumps() { "true" } else { "false" })?;
        let json = serde_json::to_string(plan).expect("a plan serialises");
        self.runner.set_output("plan", &json)?;
        Ok(())
    }
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        action: "write to",
        path: PathBuf::from("stdout"),
        source,
    }
}
