//! The command line: one subcommand per stage, each with the options that stage reads — the
//! action inputs it uses, plus a few that only make sense on a laptop (`plan --json`,
//! `--metadata-file`, `--published-file`). An option a stage does not read is refused by clap
//! and absent from that stage's `--help`.
//!
//! Options come in small groups ([`Place`], [`Versions`], [`Remote`] …, in `options`), each
//! declared once (`group!`) and flattened into the subcommands that read it (`stage_options!`);
//! what was typed is copied into [`Given`], one plain record. To add an option, add a field of
//! the same name to a group (or a new group to the subcommands that read it) and to [`Given`].
//!
//! clap only collects strings here; [`Common`] validates them with the same rules and messages
//! as the inputs, so `--bump-type huge` and `bump_type: huge` fail alike. Relative paths resolve
//! against the current directory, as any command line does.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};

use super::{
    Command, Common, Config, ConfigError, Env, Setting, YankOptions, absolute, crate_versions,
    current_dir,
};

mod options;

pub use options::*;

/// Release the crates of a Cargo workspace: Release PR, tags, GitHub Releases, ordered parallel
/// publishing.
///
/// Inside GitHub Actions (GITHUB_ACTIONS=true) and without a subcommand, the action inputs
/// (INPUT_*) are read instead of options. The GitHub token comes from GITHUB_TOKEN.
#[derive(Debug, Parser)]
#[command(
    name = "releasekit-cargo",
    version,
    about,
    long_about,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Stage>,
}

/// A subcommand and the options it was given.
#[derive(Debug, Subcommand)]
pub enum Stage {
    /// Compute every crate's next version, changelog and publish order; change nothing
    Plan(PlanArgs),
    /// Write the plan into the working tree (manifests, Cargo.lock, changelogs); no commit, no token
    Apply(ApplyArgs),
    /// Commit the plan on the release branch, force-push it and open or update the Release PR
    Prepare(PrepareArgs),
    /// After the Release PR is merged: tag each crate and create its GitHub Release (`auto` then
    /// runs publish and notify)
    Release(ReleaseArgs),
    /// Upload the released crates to the registry in dependency order
    Publish(PublishArgs),
    /// Send `repository_dispatch` events about what was released
    Notify(NotifyArgs),
    /// Yank a release set from the registry (dependents first) and mark its GitHub Releases:
    /// the merged Release PR's crates, or those of --crate; --undo unyanks
    Yank(YankArgs),
    /// Choose the stages from the GitHub event (what the action does by default)
    Auto(AutoArgs),
}

/// Every option as typed; what a subcommand does not show stays unset.
#[derive(Debug, Default)]
pub(crate) struct Given {
    workspace: Option<PathBuf>,
    config: Option<PathBuf>,
    toolchain: Option<String>,
    group: Option<String>,
    bump_type: Option<String>,
    prerelease: Option<String>,
    force_prepare: bool,
    registry: Option<String>,
    dry_run: bool,
    max_retries: Option<String>,
    concurrency: Option<String>,
    skip_publish: bool,
    published_file: Option<PathBuf>,
    offline: bool,
    json: bool,
    metadata_file: Option<PathBuf>,
    crates: Vec<String>,
    undo: bool,
}

/// Copies what an option group (or a whole subcommand) was given into [`Given`].
trait Give {
    fn give(self, to: &mut Given);
}

impl Stage {
    /// The stage to run and what its options were given.
    fn split(self) -> (Command, Given) {
        fn given(args: impl Give) -> Given {
            let mut given = Given::default();
            args.give(&mut given);
            given
        }
        match self {
            Stage::Plan(args) => (Command::Plan, given(args)),
            Stage::Apply(args) => (Command::Apply, given(args)),
            Stage::Prepare(args) => (Command::Prepare, given(args)),
            Stage::Release(args) => (Command::Release, given(args)),
            Stage::Publish(args) => (Command::Publish, given(args)),
            Stage::Notify(args) => (Command::Notify, given(args)),
            Stage::Yank(args) => (Command::Yank, given(args)),
            Stage::Auto(args) => (Command::Auto, given(args)),
        }
    }

    /// Validate the options into a [`Config`].
    pub(crate) fn into_config(self, env: &Env) -> Result<Config, ConfigError> {
        let (command, given) = self.split();
        let cwd = current_dir()?;
        let workspace = absolute(&cwd, given.workspace.as_deref().unwrap_or(Path::new(".")));
        let config_path = given.config.as_deref().map(|p| p.to_string_lossy());
        let mut config = Common {
            command,
            dry_run: given.dry_run,
            force_prepare: given.force_prepare,
            skip_publish: given.skip_publish,
            group: given.group.as_deref(),
            bump_type: given.bump_type.as_deref(),
            prerelease: given.prerelease.as_deref(),
            concurrency: given.concurrency.as_deref(),
            max_retries: given.max_retries.as_deref(),
            registry: given.registry.as_deref(),
            toolchain: given.toolchain.as_deref(),
            token: env.token(),
            workspace,
            config: config_path.as_deref(),
        }
        .into_config(env, |name| Setting::Flag(command, name))?;
        config.json = given.json;
        config.metadata_file = given.metadata_file.map(|p| absolute(&cwd, &p));
        config.published_file = given.published_file.map(|p| absolute(&cwd, &p));
        config.offline |= given.offline;
        config.yank = YankOptions {
            crates: crate_versions(Setting::Flag(Command::Yank, "crate"), &given.crates)?,
            undo: given.undo,
        };
        Ok(config)
    }
}

impl Cli {
    /// Parse `args` (program name first). `--help` and `--version` come back as
    /// [`ConfigError::Cli`] with exit code 0.
    pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Cli, ConfigError> {
        Ok(Cli::try_parse_from(args)?)
    }
}

/// clap's own usage error, for a command line with no subcommand outside GitHub Actions.
pub(crate) fn missing_subcommand() -> ConfigError {
    Cli::command()
        .error(
            ErrorKind::MissingSubcommand,
            "a subcommand is required: plan, apply, prepare, release, publish, notify, yank or auto",
        )
        .into()
}

#[cfg(test)]
mod tests;
