//! Unit tests of the command line: which options each subcommand shows, reads and refuses.

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
    let config =
        load_cli("releasekit-cargo plan --json --metadata-file meta.json --published-file p.json")
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
    let config =
        load_cli("releasekit-cargo yank --crate serde@1.0.210 --crate serde_derive@1.0.210 --undo")
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
        // Regression: two outcomes of one pair could not be told apart.
        (
            "releasekit-cargo yank --crate my-app@1.0.0 --crate my-app@1.0.1 --crate My_App@1.0.0",
            "invalid value \"My_App@1.0.0\" for option --crate: given twice (as my-app@1.0.0 already): name each version once",
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
