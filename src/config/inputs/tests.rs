//! Unit tests of `inputs`.

use std::ffi::OsString;

use super::*;
use crate::config::{CargoSetup, load};
use crate::hint::Hint;
use crate::plan::Bump;
use crate::plan::version::Prerelease;

/// What the runner hands a Docker action: every declared input, empty unless given.
fn actions_env(given: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env: BTreeMap<String, String> = KNOWN_INPUTS
        .iter()
        .map(|name| (format!("INPUT_{}", name.to_uppercase()), String::new()))
        .collect();
    env.insert("GITHUB_ACTIONS".into(), "true".into());
    env.insert("GITHUB_WORKSPACE".into(), "/github/workspace".into());
    for (k, v) in given {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    env.into_iter().collect()
}

fn load_actions(given: &[(&str, &str)]) -> Result<Config, ConfigError> {
    load([OsString::from("releasekit-cargo")], actions_env(given))
}

fn error(given: &[(&str, &str)]) -> String {
    load_actions(given).unwrap_err().to_string()
}

#[test]
fn every_input_empty_gives_the_defaults() {
    let config = load_actions(&[]).unwrap();
    assert_eq!(
        config,
        Config {
            command: Command::Auto,
            in_actions: true,
            dry_run: false,
            force_prepare: false,
            skip_publish: false,
            group: None,
            bump_type: None,
            prerelease: None,
            concurrency: 0,
            max_retries: 2,
            token: None,
            registry: None,
            workspace: PathBuf::from("/github/workspace"),
            config_file: PathBuf::from("/github/workspace/releasekit.toml"),
            config_explicit: false,
            json: false,
            metadata_file: None,
            published_file: None,
            cargo: CargoSetup {
                toolchain: None,
                home: None,
                target_dir: Some(PathBuf::from("/github/workspace/target")),
                // The runner sets every input, the token too (empty here).
                hidden: vec!["INPUT_TOKEN".to_owned()],
            },
            offline: false,
            yank: Default::default(),
            env: crate::config::RunEnv {
                repository: None,
                api_url: crate::config::env::DEFAULT_API_URL.into(),
                server: None,
                sha: None,
                git_ref: None,
                event: None,
                output_file: None,
                summary_file: None,
                trusted_dirs: vec![PathBuf::from("/github/workspace")],
                oidc: None,
                registry: Default::default(),
            },
        }
    );
}

#[test]
fn every_input_given_is_read() {
    let config = load_actions(&[
        ("INPUT_ACTION", "release"),
        ("INPUT_DRY_RUN", "true"),
        ("INPUT_FORCE_PREPARE", "True"),
        ("INPUT_SKIP_PUBLISH", "TRUE"),
        ("INPUT_GROUP", "core"),
        ("INPUT_BUMP_TYPE", "minor"),
        ("INPUT_PRERELEASE", "rc.2"),
        ("INPUT_CONCURRENCY", "8"),
        ("INPUT_MAX_RETRIES", "0"),
        ("INPUT_TOKEN", "ghs_input"),
        ("INPUT_REGISTRY", "my-registry"),
        ("INPUT_WORKSPACE", "rust"),
        ("INPUT_CONFIG", ".github/releasekit.toml"),
        ("INPUT_TOOLCHAIN", "1.97"),
    ])
    .unwrap();
    assert_eq!(config.command, Command::Release);
    assert!(config.dry_run && config.force_prepare && config.skip_publish);
    assert_eq!(config.group.as_deref(), Some("core"));
    assert_eq!(config.bump_type, Some(Bump::Minor));
    assert_eq!(
        config.prerelease,
        Some(Prerelease {
            label: "rc".into(),
            number: Some(2)
        })
    );
    assert_eq!((config.concurrency, config.max_retries), (8, 0));
    assert_eq!(config.token.as_ref().map(Secret::expose), Some("ghs_input"));
    assert_eq!(config.registry.as_deref(), Some("my-registry"));
    assert_eq!(config.workspace, Path::new("/github/workspace/rust"));
    assert_eq!(
        config.config_file,
        Path::new("/github/workspace/rust/.github/releasekit.toml")
    );
    assert!(config.config_explicit);
    assert_eq!(config.cargo.toolchain.as_deref(), Some("1.97"));
    assert_eq!(
        config.cargo.target_dir.as_deref(),
        Some(Path::new("/github/workspace/rust/target"))
    );
}

#[test]
fn cargo_home_is_under_home_and_the_target_dir_in_the_workspace_unless_the_environment_says() {
    let config = load_actions(&[("HOME", "/github/home")]).unwrap();
    assert_eq!(
        config.cargo.home.as_deref(),
        Some(Path::new("/github/home/.cargo"))
    );
    let config = load_actions(&[
        ("HOME", "/github/home"),
        ("CARGO_HOME", "/cache/cargo"),
        ("CARGO_TARGET_DIR", "/cache/target"),
    ])
    .unwrap();
    assert_eq!(
        config.cargo.home.as_deref(),
        Some(Path::new("/cache/cargo"))
    );
    assert_eq!(
        config.cargo.target_dir.as_deref(),
        Some(Path::new("/cache/target"))
    );
}

#[test]
fn config_input_at_its_action_default_is_not_an_explicit_file() {
    let config = load_actions(&[("INPUT_CONFIG", "releasekit.toml")]).unwrap();
    assert!(!config.config_explicit);
    assert_eq!(
        config.config_file.file_name().unwrap(),
        std::ffi::OsStr::new("releasekit.toml")
    );
    assert!(
        load_actions(&[("INPUT_CONFIG", "ci/release.toml")])
            .unwrap()
            .config_explicit
    );
}

#[test]
fn action_input_picks_each_command() {
    for (value, command) in [
        ("auto", Command::Auto),
        ("plan", Command::Plan),
        ("prepare", Command::Prepare),
        ("release", Command::Release),
        ("publish", Command::Publish),
        ("notify", Command::Notify),
        ("yank", Command::Yank),
    ] {
        assert_eq!(
            load_actions(&[("INPUT_ACTION", value)]).unwrap().command,
            command
        );
    }
    assert_eq!(
        error(&[("INPUT_ACTION", "apply")]),
        "invalid value \"apply\" for input action: expected one of auto, plan, prepare, release, \
             publish, notify, yank"
    );
}

#[test]
fn booleans_accept_all_six_spellings_on_every_boolean_input() {
    for input in ["INPUT_DRY_RUN", "INPUT_FORCE_PREPARE", "INPUT_SKIP_PUBLISH"] {
        for (value, expected) in [
            ("true", true),
            ("True", true),
            ("TRUE", true),
            ("false", false),
            ("False", false),
            ("FALSE", false),
        ] {
            let c = load_actions(&[(input, value)]).unwrap();
            let got = match input {
                "INPUT_DRY_RUN" => c.dry_run,
                "INPUT_FORCE_PREPARE" => c.force_prepare,
                _ => c.skip_publish,
            };
            assert_eq!(got, expected, "{input}={value}");
        }
    }
}

#[test]
fn bad_values_name_the_input_the_value_and_what_is_allowed() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "INPUT_DRY_RUN",
            "yes",
            "invalid value \"yes\" for input dry_run: expected one of true, True, TRUE, false, \
                 False, FALSE",
        ),
        (
            "INPUT_BUMP_TYPE",
            "huge",
            "invalid value \"huge\" for input bump_type: expected one of auto, patch, minor, major",
        ),
        (
            "INPUT_CONCURRENCY",
            "-1",
            "invalid value \"-1\" for input concurrency: expected an integer from 0 to 64",
        ),
        (
            "INPUT_CONCURRENCY",
            "65",
            "invalid value \"65\" for input concurrency: expected an integer from 0 to 64",
        ),
        (
            "INPUT_MAX_RETRIES",
            "11",
            "invalid value \"11\" for input max_retries: expected an integer from 0 to 10",
        ),
        (
            "INPUT_PRERELEASE",
            "1",
            "invalid value \"1\" for input prerelease: the label must start with a name such as \
                 `rc`, not a number; expected a label such as rc, beta or rc.1",
        ),
        (
            "INPUT_TOOLCHAIN",
            "-nightly",
            "invalid value \"-nightly\" for input toolchain: expected a toolchain such as \
                 stable, 1.97 or nightly-2026-10-01 (letters, digits, `.`, `_` and `-`, at most 100 \
                 characters)",
        ),
        (
            "INPUT_GROUP",
            "a/b",
            "invalid value \"a/b\" for input group: expected a group name of ASCII letters, \
                 digits, `_` and `-`",
        ),
    ];
    for (input, value, message) in cases {
        let err = load_actions(&[(input, value)]).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { .. }), "{input}");
        assert_eq!(err.to_string(), *message);
        assert_eq!(err.exit_code(), 2);
    }
}

#[test]
fn invalid_input_hint_points_at_the_workflow() {
    let err = load_actions(&[("INPUT_DRY_RUN", "yes")]).unwrap_err();
    assert_eq!(
        err.hint().unwrap(),
        "change `dry_run:` under `with:` in the workflow file"
    );
}

#[test]
fn unknown_input_is_an_error_naming_it_and_listing_the_known_ones() {
    let err = load_actions(&[("INPUT_DRYRUN", "true")]).unwrap_err();
    assert!(matches!(err, ConfigError::UnknownInput { .. }));
    assert_eq!(
        err.to_string(),
        "unknown input \"dryrun\" (environment variable INPUT_DRYRUN): this action's inputs are \
             action, dry_run, force_prepare, group, bump_type, prerelease, skip_publish, concurrency, \
             max_retries, token, registry, workspace, config, toolchain"
    );
}

#[test]
fn values_are_trimmed_so_a_block_scalar_newline_is_harmless() {
    let config = load_actions(&[("INPUT_DRY_RUN", "true\n"), ("INPUT_GROUP", " core ")]).unwrap();
    assert!(config.dry_run);
    assert_eq!(config.group.as_deref(), Some("core"));
}

#[test]
fn token_comes_from_the_input_then_github_token_and_never_shows_in_debug() {
    let from_input = load_actions(&[
        ("INPUT_TOKEN", "ghs_from_input"),
        ("GITHUB_TOKEN", "ghs_env"),
    ])
    .unwrap();
    assert_eq!(
        from_input.token.as_ref().unwrap().expose(),
        "ghs_from_input"
    );
    let debug = format!("{from_input:?}");
    assert!(
        !debug.contains("ghs_from_input") && debug.contains("token: Some(***)"),
        "{debug}"
    );

    let from_env = load_actions(&[("GITHUB_TOKEN", "ghs_env")]).unwrap();
    assert_eq!(from_env.token.unwrap().expose(), "ghs_env");

    assert_eq!(load_actions(&[("GITHUB_TOKEN", "")]).unwrap().token, None);
}

#[test]
fn workspace_resolves_against_github_workspace() {
    for (input, expected) in [
        ("", "/github/workspace"),
        (".", "/github/workspace"),
        ("rust", "/github/workspace/rust"),
        ("./rust/", "/github/workspace/rust"),
        ("rust/../go", "/github/workspace/go"),
        ("/github/workspace/rust", "/github/workspace/rust"),
    ] {
        let config = load_actions(&[("INPUT_WORKSPACE", input)]).unwrap();
        assert_eq!(config.workspace, Path::new(expected), "{input:?}");
        assert_eq!(
            config.config_file,
            Path::new(expected).join("releasekit.toml")
        );
    }
}

#[test]
fn a_workspace_outside_the_checkout_is_refused() {
    for input in [
        "..",
        "../other",
        "rust/../../other",
        "/abs/ws",
        "/github/workspace-2",
    ] {
        let err = load_actions(&[("INPUT_WORKSPACE", input)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("the workspace input \"{input}\" leads outside the checkout /github/workspace"),
        );
        assert_eq!(err.exit_code(), 2);
        assert!(err.hint().unwrap().contains("relative to it"), "{input}");
    }
    // A link inside the checkout that leads out of it is refused as `..` is.
    let checkout = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), checkout.path().join("rust")).unwrap();
    std::fs::create_dir(checkout.path().join("go")).unwrap();
    let with = |input: &str| {
        let checkout = checkout.path().to_str().unwrap();
        let mut env = actions_env(&[("INPUT_WORKSPACE", input)]);
        env.retain(|(k, _)| k != "GITHUB_WORKSPACE");
        env.push(("GITHUB_WORKSPACE".into(), checkout.into()));
        load([OsString::from("releasekit-cargo")], env)
    };
    assert!(matches!(
        with("rust"),
        Err(ConfigError::WorkspaceOutside { .. })
    ));
    assert_eq!(with("go").unwrap().workspace, checkout.path().join("go"));
}

#[test]
fn workspace_without_github_workspace_resolves_against_the_current_dir() {
    let mut env = actions_env(&[("INPUT_WORKSPACE", "rust")]);
    env.retain(|(k, _)| k != "GITHUB_WORKSPACE");
    let config = load([OsString::from("releasekit-cargo")], env).unwrap();
    assert_eq!(
        config.workspace,
        std::env::current_dir().unwrap().join("rust")
    );
}
