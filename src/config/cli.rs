//! The command line: the same options as the action inputs, plus a few that only make sense on
//! a laptop (`--json`, `--metadata-file`, `--published-file`).
//!
//! clap only collects strings here; [`Common`] validates them with the same rules and messages
//! as the inputs, so `--bump-type huge` and `bump_type: huge` fail alike. Relative paths resolve
//! against the current directory, as any command line does.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use super::{Command, Common, Config, ConfigError, Env, Setting, absolute, current_dir};

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
    pub command: Option<Command>,

    /// Compute and report everything, change nothing
    #[arg(long, global = true)]
    pub dry_run: bool,

    /// Open the Release PR even when no crate needs a bump
    #[arg(long, global = true)]
    pub force_prepare: bool,

    /// Tag and release, but upload nothing
    #[arg(long, global = true)]
    pub skip_publish: bool,

    /// Only this release group (a [groups.<name>] of releasekit.toml)
    #[arg(long, global = true, value_name = "GROUP")]
    pub group: Option<String>,

    /// How far to bump: auto (from the commits), patch, minor or major
    #[arg(long, global = true, value_name = "TYPE")]
    pub bump_type: Option<String>,

    /// Release as a prerelease, e.g. rc (1.3.0 -> 1.4.0-rc.1, then -rc.2) or rc.1 to set the number
    #[arg(long, global = true, value_name = "LABEL")]
    pub prerelease: Option<String>,

    /// Most uploads at once, 0 to 64; 0 = automatic [default: 0]
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true)]
    pub concurrency: Option<String>,

    /// Retries of a failed upload or API call, 0 to 10 [default: 2]
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true)]
    pub max_retries: Option<String>,

    /// Registry to publish to, as named in cargo's config [default: crates.io]
    #[arg(long, global = true, value_name = "NAME")]
    pub registry: Option<String>,

    /// Directory of the workspace root [default: .]
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// Configuration file, relative to the workspace [default: releasekit.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Print the plan as JSON on stdout
    #[arg(long, global = true)]
    pub json: bool,

    /// Read `cargo metadata --format-version 1` JSON from FILE instead of running cargo
    #[arg(long, global = true, value_name = "FILE")]
    pub metadata_file: Option<PathBuf>,

    /// Versions already published, as JSON {"crate": ["1.0.0", ...]}, instead of asking the registry
    #[arg(long, global = true, value_name = "FILE")]
    pub published_file: Option<PathBuf>,
}

impl Cli {
    /// Parse `args` (program name first). `--help` and `--version` come back as
    /// [`ConfigError::Cli`] with exit code 0.
    pub fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Cli, ConfigError> {
        Ok(Cli::try_parse_from(args)?)
    }

    pub(crate) fn into_config(self, env: &Env) -> Result<Config, ConfigError> {
        let cwd = current_dir()?;
        let workspace = absolute(&cwd, self.workspace.as_deref().unwrap_or(Path::new(".")));
        let config_path = self.config.as_deref().map(|p| p.to_string_lossy());
        let mut config = Common {
            command: self.command.unwrap_or(Command::Auto),
            dry_run: self.dry_run,
            force_prepare: self.force_prepare,
            skip_publish: self.skip_publish,
            group: self.group.as_deref(),
            bump_type: self.bump_type.as_deref(),
            prerelease: self.prerelease.as_deref(),
            concurrency: self.concurrency.as_deref(),
            max_retries: self.max_retries.as_deref(),
            registry: self.registry.as_deref(),
            token: env.token(),
            workspace,
            config: config_path.as_deref(),
        }
        .into_config(env, Setting::Flag)?;
        config.json = self.json;
        config.metadata_file = self.metadata_file.map(|p| absolute(&cwd, &p));
        config.published_file = self.published_file.map(|p| absolute(&cwd, &p));
        Ok(config)
    }

    /// In Actions without a subcommand the inputs decide; an option beside them would be
    /// silently ignored, so it is refused.
    pub(crate) fn ensure_no_options(&self) -> Result<(), ConfigError> {
        let any = self.dry_run
            || self.force_prepare
            || self.skip_publish
            || self.json
            || self.group.is_some()
            || self.bump_type.is_some()
            || self.prerelease.is_some()
            || self.concurrency.is_some()
            || self.max_retries.is_some()
            || self.registry.is_some()
            || self.workspace.is_some()
            || self.config.is_some()
            || self.metadata_file.is_some()
            || self.published_file.is_some();
        if any {
            return Err(Cli::command()
                .error(
                    ErrorKind::MissingSubcommand,
                    "options need a subcommand; without one, inside GitHub Actions, the action \
                     inputs are read",
                )
                .into());
        }
        Ok(())
    }
}

/// clap's own usage error, for a command line with no subcommand outside GitHub Actions.
pub(crate) fn missing_subcommand() -> ConfigError {
    Cli::command()
        .error(
            ErrorKind::MissingSubcommand,
            "a subcommand is required: plan, apply, prepare, release, publish, notify or auto",
        )
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load;
    use crate::plan::Bump;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn load_cli(line: &str) -> Result<Config, ConfigError> {
        load(args(line), Vec::<(String, String)>::new())
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn subcommand_alone_gives_the_defaults_relative_to_the_current_dir() {
        let cwd = std::env::current_dir().unwrap();
        let config = load_cli("releasekit-cargo plan").unwrap();
        assert_eq!(config.command, Command::Plan);
        assert!(!config.in_actions && !config.dry_run && !config.json && !config.config_explicit);
        assert_eq!((config.concurrency, config.max_retries), (0, 2));
        assert_eq!(config.workspace, cwd);
        assert_eq!(config.config_file, cwd.join("releasekit.toml"));
        assert_eq!(config.token, None);
    }

    #[test]
    fn every_subcommand_parses() {
        for (word, command) in [
            ("plan", Command::Plan),
            ("apply", Command::Apply),
            ("prepare", Command::Prepare),
            ("release", Command::Release),
            ("publish", Command::Publish),
            ("notify", Command::Notify),
            ("auto", Command::Auto),
        ] {
            assert_eq!(
                load_cli(&format!("releasekit-cargo {word}"))
                    .unwrap()
                    .command,
                command
            );
        }
    }

    #[test]
    fn every_flag_parses_before_or_after_the_subcommand() {
        let cwd = std::env::current_dir().unwrap();
        let config = load_cli(
            "releasekit-cargo --dry-run prepare --force-prepare --skip-publish --group core \
             --bump-type major --prerelease beta --concurrency 4 --max-retries 10 --registry alt \
             --workspace /ws --config ci/rk.toml --json --metadata-file meta.json \
             --published-file /tmp/published.json",
        )
        .unwrap();
        assert_eq!(config.command, Command::Prepare);
        assert!(config.dry_run && config.force_prepare && config.skip_publish && config.json);
        assert_eq!(config.group.as_deref(), Some("core"));
        assert_eq!(config.bump_type, Some(Bump::Major));
        assert_eq!(config.prerelease.unwrap().to_string(), "beta");
        assert_eq!((config.concurrency, config.max_retries), (4, 10));
        assert_eq!(config.registry.as_deref(), Some("alt"));
        assert_eq!(config.workspace, Path::new("/ws"));
        assert_eq!(config.config_file, Path::new("/ws/ci/rk.toml"));
        assert!(config.config_explicit);
        assert_eq!(config.metadata_file, Some(cwd.join("meta.json")));
        assert_eq!(
            config.published_file.as_deref(),
            Some(Path::new("/tmp/published.json"))
        );
    }

    #[test]
    fn bad_flag_values_name_the_flag() {
        for (line, message) in [
            (
                "releasekit-cargo plan --bump-type huge",
                "invalid value \"huge\" for option --bump-type: expected one of auto, patch, minor, major",
            ),
            (
                "releasekit-cargo plan --concurrency -1",
                "invalid value \"-1\" for option --concurrency: expected an integer from 0 to 64",
            ),
            (
                "releasekit-cargo plan --prerelease 1",
                "invalid value \"1\" for option --prerelease: the label must start with a name such \
                 as `rc`, not a number; expected a label such as rc, beta or rc.1",
            ),
        ] {
            let err = load_cli(line).unwrap_err();
            assert_eq!(err.to_string(), message);
            assert_eq!(
                err.hint().unwrap(),
                "run `releasekit-cargo --help` to see the accepted values"
            );
        }
    }

    #[test]
    fn token_comes_from_github_token_on_the_command_line() {
        let env = vec![("GITHUB_TOKEN".to_owned(), "ghp_secret".to_owned())];
        let config = load(args("releasekit-cargo plan"), env).unwrap();
        assert_eq!(config.token.as_ref().unwrap().expose(), "ghp_secret");
        assert!(!format!("{config:?}").contains("ghp_secret"));
    }

    #[test]
    fn no_subcommand_outside_actions_is_a_usage_error() {
        let err = load_cli("releasekit-cargo --dry-run").unwrap_err();
        let ConfigError::Cli(clap_err) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(clap_err.kind(), ErrorKind::MissingSubcommand);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("Usage: releasekit-cargo"), "{err}");
    }

    #[test]
    fn help_is_a_clap_error_with_exit_code_zero() {
        let err = load_cli("releasekit-cargo --help").unwrap_err();
        assert_eq!(err.exit_code(), 0);
        assert!(err.to_string().contains("--bump-type <TYPE>"), "{err}");
    }

    #[test]
    fn in_actions_a_subcommand_uses_the_command_line_not_the_inputs() {
        let env = vec![
            ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
            ("INPUT_DRY_RUN".to_owned(), "true".to_owned()),
        ];
        let config = load(args("releasekit-cargo plan"), env).unwrap();
        assert!(config.in_actions);
        assert!(!config.dry_run);
    }

    #[test]
    fn in_actions_options_without_a_subcommand_are_refused() {
        let env = vec![("GITHUB_ACTIONS".to_owned(), "true".to_owned())];
        let err = load(args("releasekit-cargo --dry-run"), env).unwrap_err();
        assert!(matches!(err, ConfigError::Cli(_)), "{err:?}");
        assert!(
            err.to_string().contains("options need a subcommand"),
            "{err}"
        );
    }

    #[test]
    fn in_actions_without_a_subcommand_reads_the_inputs() {
        let env = vec![
            ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
            (
                "GITHUB_WORKSPACE".to_owned(),
                "/github/workspace".to_owned(),
            ),
            ("INPUT_ACTION".to_owned(), "plan".to_owned()),
            ("INPUT_DRY_RUN".to_owned(), "TRUE".to_owned()),
        ];
        let config = load(args("releasekit-cargo"), env).unwrap();
        assert_eq!(config.command, Command::Plan);
        assert!(config.in_actions && config.dry_run);
    }
}
