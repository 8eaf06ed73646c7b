//! The command line: one subcommand per stage, each with the options that stage reads — the
//! action inputs it uses, plus a few that only make sense on a laptop (`plan --json`,
//! `--metadata-file`, `--published-file`). An option a stage does not read is refused by clap
//! and absent from that stage's `--help`.
//!
//! Options come in small groups ([`Place`], [`Versions`], [`Remote`] …), each declared once
//! (`group!`) and flattened into the subcommands that read it (`stage_options!`); what was typed
//! is copied into [`Given`], one plain record. To add an option, add a field of the same name
//! to a group (or a new group to the subcommands that read it) and to [`Given`].
//!
//! clap only collects strings here; [`Common`] validates them with the same rules and messages
//! as the inputs, so `--bump-type huge` and `bump_type: huge` fail alike. Relative paths resolve
//! against the current directory, as any command line does.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};

use super::{
    Command, Common, Config, ConfigError, Env, Setting, YankOptions, absolute, crate_version,
    current_dir,
};

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

/// An option group: a clap `Args` struct whose fields are [`Given`]'s of the same names.
macro_rules! group {
    ($(#[$doc:meta])* $name:ident { $($(#[$arg:meta])* $field:ident: $ty:ty,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Args)]
        pub struct $name {
            $($(#[$arg])* $field: $ty,)+
        }

        impl Give for $name {
            fn give(self, to: &mut Given) {
                $(to.$field = self.$field;)+
            }
        }
    };
}

/// A subcommand's options: the groups it reads, in `--help` order.
macro_rules! stage_options {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $group:ty,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Args)]
        pub struct $name {
            $(#[command(flatten)] $field: $group,)+
        }

        impl Give for $name {
            fn give(self, to: &mut Given) {
                $(self.$field.give(to);)+
            }
        }
    };
}

group! {
    /// Where the workspace and its configuration are (every subcommand).
    Place {
        /// Directory of the workspace root [default: .]
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Configuration file, relative to the workspace [default: releasekit.toml]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    }
}

group! {
    /// The Rust toolchain cargo runs with (every stage reads the workspace with cargo).
    Toolchain {
        /// Rust toolchain for every cargo command, e.g. stable, 1.97, nightly-2026-10-01;
        /// installed with rustup when missing [default: the workspace's rust-toolchain file,
        /// else rustup's default]
        #[arg(long, value_name = "TOOLCHAIN")]
        toolchain: Option<String>,
    }
}

group! {
    /// One release group.
    Group {
        /// Only this release group (a [groups.<name>] of releasekit.toml)
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
    }
}

group! {
    /// How the next versions are chosen (the subcommands that plan).
    Versions {
        /// How far to bump: auto (from the commits), patch, minor or major
        #[arg(long, value_name = "TYPE")]
        bump_type: Option<String>,
        /// Release as a prerelease, e.g. rc (1.3.0 -> 1.4.0-rc.1, then -rc.2) or rc.1 to set the
        /// number
        #[arg(long, value_name = "LABEL")]
        prerelease: Option<String>,
        /// Open the Release PR even when no crate needs a bump
        #[arg(long)]
        force_prepare: bool,
    }
}

group! {
    /// The registry the crates go to.
    Registry {
        /// Registry to publish to, as named in cargo's config [default: crates.io]
        #[arg(long, value_name = "NAME")]
        registry: Option<String>,
    }
}

group! {
    /// The subcommands that write to GitHub or the registry.
    Remote {
        /// Compute and report everything, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Retries of a failed upload or API call, 0 to 10 [default: 2]
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        max_retries: Option<String>,
    }
}

group! {
    /// Uploads.
    Uploads {
        /// Most uploads at once, 0 to 64; 0 = automatic [default: 0]
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        concurrency: Option<String>,
    }
}

group! {
    /// Whether `auto` uploads after a release.
    SkipPublish {
        /// Tag and release, but upload nothing
        #[arg(long)]
        skip_publish: bool,
    }
}

group! {
    /// What the registry has: asked, from a file, or not at all.
    PublishedFile {
        /// Versions already published, as JSON {"crate": ["1.0.0", ...]}, instead of asking the
        /// registry
        #[arg(long, value_name = "FILE")]
        published_file: Option<PathBuf>,
        /// Ask no registry: the release tags stand in for what was published (also
        /// CARGO_NET_OFFLINE=true)
        #[arg(long)]
        offline: bool,
    }
}

group! {
    /// `plan` and `publish` in a script.
    Json {
        /// Print the plan as JSON on stdout (publish: with what the run did), and nothing else
        #[arg(long)]
        json: bool,
    }
}

group! {
    /// `plan` on a laptop.
    MetadataFile {
        /// Read `cargo metadata --format-version 1` JSON from FILE instead of running cargo
        #[arg(long, value_name = "FILE")]
        metadata_file: Option<PathBuf>,
    }
}

group! {
    /// What `yank` rolls back, and which way.
    YankSet {
        /// This crate version instead of the merged Release PR's crates (repeatable)
        #[arg(long = "crate", value_name = "NAME@VERSION")]
        crates: Vec<String>,
        /// Unyank instead, and take the marks off the GitHub Releases
        #[arg(long)]
        undo: bool,
    }
}

stage_options! {
    /// What the stages that plan read (`apply` writes exactly what `plan` shows).
    ApplyArgs {
        place: Place,
        toolchain: Toolchain,
        group: Group,
        versions: Versions,
        registry: Registry,
        published: PublishedFile,
    }
}

stage_options! {
    PlanArgs {
        apply: ApplyArgs,
        json: Json,
        metadata: MetadataFile,
    }
}

stage_options! {
    PrepareArgs {
        apply: ApplyArgs,
        remote: Remote,
    }
}

stage_options! {
    /// Release reads the merged Release PR and the workspace at its merge commit (`cargo
    /// metadata`), and which members are publishable to the registry: no group of its own (the
    /// Release PR's).
    ReleaseArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
    }
}

stage_options! {
    PublishArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        group: Group,
        registry: Registry,
        uploads: Uploads,
        json: Json,
    }
}

stage_options! {
    /// Yank reads the merged Release PR (as release does) or takes the crates it is given, and
    /// the registry's index.
    YankArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
        set: YankSet,
    }
}

stage_options! {
    /// Notify reads what was released from the merged Release PR (as release does), and the
    /// registry's index.
    NotifyArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
    }
}

stage_options! {
    /// `auto` may run any stage, so it reads what the action does.
    AutoArgs {
        prepare: PrepareArgs,
        uploads: Uploads,
        skip: SkipPublish,
    }
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
            crates: given
                .crates
                .iter()
                .map(|c| crate_version(Setting::Flag(Command::Yank, "crate"), c))
                .collect::<Result<_, _>>()?,
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
mod tests {
    use super::*;
    use crate::config::load;
    use crate::hint::Hint;
    use crate::plan::Bump;

    fn args(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    fn load_cli(line: &str) -> Result<Config, ConfigError> {
        load(args(line), Vec::<(String, String)>::new())
    }

    const STAGES: [&str; 8] = [
        "plan", "apply", "prepare", "release", "publish", "notify", "yank", "auto",
    ];

    /// Every option, a value it accepts (`None`: a switch), and which subcommands read it: one
    /// column per stage of [`STAGES`], `x` where it reads the option.
    const OPTIONS: &[(&str, Option<&str>, &str)] = &[
        // marks for: plan, apply, prepare, release, publish, notify, yank, auto
        ("--workspace", Some("."), "xxxxxxxx"),
        ("--config", Some("releasekit.toml"), "xxxxxxxx"),
        ("--toolchain", Some("stable"), "xxxxxxxx"),
        ("--group", Some("core"), "xxx.x..x"),
        ("--bump-type", Some("minor"), "xxx....x"),
        ("--prerelease", Some("rc"), "xxx....x"),
        ("--force-prepare", None, "xxx....x"),
        ("--registry", Some("alt"), "xxxxxxxx"),
        ("--dry-run", None, "..xxxxxx"),
        ("--max-retries", Some("3"), "..xxxxxx"),
        ("--concurrency", Some("4"), "....x..x"),
        ("--skip-publish", None, ".......x"),
        ("--published-file", Some("published.json"), "xxx....x"),
        ("--offline", None, "xxx....x"),
        ("--json", None, "x...x..."),
        ("--metadata-file", Some("metadata.json"), "x......."),
        ("--crate", Some("serde@1.0.0"), "......x."),
        ("--undo", None, "......x."),
    ];

    /// The options `stage` reads, by [`OPTIONS`].
    fn reads(stage: &str) -> Vec<&'static str> {
        let column = STAGES.iter().position(|s| *s == stage).unwrap();
        OPTIONS
            .iter()
            .filter(|(_, _, marks)| marks.as_bytes()[column] == b'x')
            .map(|(option, _, _)| *option)
            .collect()
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn each_subcommand_shows_exactly_the_options_its_stage_reads() {
        let cli = Cli::command();
        let subcommands: Vec<&str> = cli.get_subcommands().map(clap::Command::get_name).collect();
        assert_eq!(subcommands, STAGES);
        for name in STAGES {
            let reads = reads(name);
            let sub = cli.find_subcommand(name).unwrap();
            let mut shown: Vec<String> = sub
                .get_arguments()
                .filter_map(|a| a.get_long())
                .filter(|long| *long != "help")
                .map(|long| format!("--{long}"))
                .collect();
            let mut expected: Vec<String> = reads.iter().map(|s| (*s).to_owned()).collect();
            shown.sort();
            expected.sort();
            assert_eq!(shown, expected, "{name}");
            let help = sub.clone().render_help().to_string();
            for (option, _, _) in OPTIONS {
                assert_eq!(
                    help.contains(&format!("{option} ")),
                    reads.contains(option),
                    "{name} --help and {option}:\n{help}"
                );
            }
        }
    }

    #[test]
    fn each_subcommand_accepts_its_options_and_refuses_the_others() {
        for name in STAGES {
            let reads = reads(name);
            for (option, value, _) in OPTIONS {
                let line = format!("releasekit-cargo {name} {option} {}", value.unwrap_or(""));
                match (reads.contains(option), Cli::parse_args(args(&line))) {
                    (true, Ok(_)) => {}
                    (false, Err(err)) => {
                        let ConfigError::Cli(clap_err) = &err else {
                            panic!("{line}: {err:?}")
                        };
                        assert_eq!(clap_err.kind(), ErrorKind::UnknownArgument, "{line}");
                        assert_eq!(err.exit_code(), 2, "{line}");
                    }
                    (true, Err(err)) => panic!("{line} was refused: {err}"),
                    (false, Ok(_)) => panic!("{line} was accepted"),
                }
            }
        }
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
        assert_eq!(config.cargo, crate::config::CargoSetup::default());
        assert!(!config.offline);
    }

    #[test]
    fn cargo_s_offline_variable_keeps_the_plan_offline() {
        let env = vec![("CARGO_NET_OFFLINE".to_owned(), "true".to_owned())];
        assert!(load(args("releasekit-cargo plan"), env).unwrap().offline);
        let env = vec![("CARGO_NET_OFFLINE".to_owned(), "false".to_owned())];
        assert!(!load(args("releasekit-cargo plan"), env).unwrap().offline);
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
            ("yank", Command::Yank),
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
    fn every_option_of_auto_is_read() {
        let config = load_cli(
            "releasekit-cargo auto --dry-run --force-prepare --skip-publish --group core \
             --bump-type major --prerelease beta --concurrency 4 --max-retries 10 --registry alt \
             --workspace /ws --config ci/rk.toml --toolchain nightly-2026-10-01 \
             --published-file /tmp/published.json --offline",
        )
        .unwrap();
        assert_eq!(config.command, Command::Auto);
        assert!(config.dry_run && config.force_prepare && config.skip_publish);
        assert!(config.offline);
        assert_eq!(config.group.as_deref(), Some("core"));
        assert_eq!(config.bump_type, Some(Bump::Major));
        assert_eq!(config.prerelease.unwrap().to_string(), "beta");
        assert_eq!((config.concurrency, config.max_retries), (4, 10));
        assert_eq!(config.registry.as_deref(), Some("alt"));
        assert_eq!(config.workspace, Path::new("/ws"));
        assert_eq!(config.config_file, Path::new("/ws/ci/rk.toml"));
        assert!(config.config_explicit);
        assert_eq!(
            config.cargo.toolchain.as_deref(),
            Some("nightly-2026-10-01")
        );
        assert_eq!(
            config.published_file.as_deref(),
            Some(Path::new("/tmp/published.json"))
        );
    }

    #[test]
    fn plan_reads_json_and_files_relative_to_the_current_dir() {
        let cwd = std::env::current_dir().unwrap();
        let config = load_cli(
            "releasekit-cargo plan --json --metadata-file meta.json --published-file p.json",
        )
        .unwrap();
        assert!(config.json);
        assert_eq!(config.metadata_file, Some(cwd.join("meta.json")));
        assert_eq!(config.published_file, Some(cwd.join("p.json")));
    }

    #[test]
    fn bad_flag_values_name_the_flag() {
        for (line, message) in [
            (
                "releasekit-cargo plan --bump-type huge",
                "invalid value \"huge\" for option --bump-type: expected one of auto, patch, minor, major",
            ),
            (
                "releasekit-cargo publish --concurrency -1",
                "invalid value \"-1\" for option --concurrency: expected an integer from 0 to 64",
            ),
            (
                "releasekit-cargo plan --prerelease 1",
                "invalid value \"1\" for option --prerelease: the label must start with a name such \
                 as `rc`, not a number; expected a label such as rc, beta or rc.1",
            ),
            (
                "releasekit-cargo plan --toolchain +nightly",
                "invalid value \"+nightly\" for option --toolchain: expected a toolchain such as \
                 stable, 1.97 or nightly-2026-10-01 (letters, digits, `.`, `_` and `-`, at most 100 \
                 characters)",
            ),
        ] {
            let err = load_cli(line).unwrap_err();
            assert_eq!(err.to_string(), message);
            assert_eq!(
                err.hint().unwrap(),
                format!(
                    "run `releasekit-cargo {} --help` to see the accepted values",
                    line.split_whitespace().nth(1).unwrap()
                )
            );
        }
    }

    #[test]
    fn cargo_home_and_target_dir_come_from_the_environment_on_the_command_line() {
        let env = |vars: &[(&str, &str)]| -> Vec<(String, String)> {
            vars.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let config = load(
            args("releasekit-cargo plan"),
            env(&[("HOME", "/home/dev"), ("CARGO_TARGET_DIR", "/tmp/t")]),
        )
        .unwrap();
        assert_eq!(
            config.cargo.home.as_deref(),
            Some(Path::new("/home/dev/.cargo"))
        );
        assert_eq!(
            config.cargo.target_dir.as_deref(),
            Some(Path::new("/tmp/t"))
        );
        let config = load(
            args("releasekit-cargo plan"),
            env(&[("HOME", "/home/dev"), ("CARGO_HOME", "/opt/cargo")]),
        )
        .unwrap();
        assert_eq!(config.cargo.home.as_deref(), Some(Path::new("/opt/cargo")));
        assert_eq!(config.cargo.target_dir, None);
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
        let err = load_cli("releasekit-cargo").unwrap_err();
        let ConfigError::Cli(clap_err) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(clap_err.kind(), ErrorKind::MissingSubcommand);
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("Usage: releasekit-cargo"), "{err}");
    }

    #[test]
    fn help_is_a_clap_error_with_exit_code_zero() {
        let err = load_cli("releasekit-cargo plan --help").unwrap_err();
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
        let ConfigError::Cli(clap_err) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(clap_err.kind(), ErrorKind::UnknownArgument);
        assert_eq!(err.exit_code(), 2);
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

    #[test]
    fn yank_takes_crate_version_pairs_and_undo_and_nothing_else_does() {
        let config = load_cli(
            "releasekit-cargo yank --crate serde@1.0.210 --crate serde_derive@1.0.210 --undo",
        )
        .unwrap();
        assert_eq!(config.command, Command::Yank);
        assert!(config.yank.undo);
        let pairs: Vec<String> = config
            .yank
            .crates
            .iter()
            .map(|(n, v)| format!("{n}@{v}"))
            .collect();
        assert_eq!(pairs, ["serde@1.0.210", "serde_derive@1.0.210"]);
        for (line, message) in [
            (
                "releasekit-cargo yank --crate serde",
                "invalid value \"serde\" for option --crate: expected NAME@VERSION, such as serde@1.0.210",
            ),
            (
                "releasekit-cargo yank --crate ser/de@1.0.0",
                "invalid value \"ser/de@1.0.0\" for option --crate: expected NAME@VERSION, such as serde@1.0.210",
            ),
        ] {
            assert_eq!(load_cli(line).unwrap_err().to_string(), message);
        }
        let err = load_cli("releasekit-cargo publish --undo").unwrap_err();
        let ConfigError::Cli(clap_err) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(clap_err.kind(), ErrorKind::UnknownArgument);
        assert_eq!(err.exit_code(), 2);
    }
}
