//! Unit tests of the shared validators, the secrets and the tokens.

use super::*;
use crate::hint::Hint;

#[test]
fn secret_prints_as_stars_in_debug_and_display() {
    let secret = Secret::new("ghp_abc123");
    assert_eq!(format!("{secret:?} {secret}"), "*** ***");
    assert_eq!(secret.expose(), "ghp_abc123");
}

#[test]
fn command_displays_lower_case() {
    let shown: Vec<String> = [
        Command::Plan,
        Command::Apply,
        Command::Prepare,
        Command::Release,
        Command::Publish,
        Command::Notify,
        Command::Auto,
    ]
    .iter()
    .map(Command::to_string)
    .collect();
    assert_eq!(
        shown,
        [
            "plan", "apply", "prepare", "release", "publish", "notify", "auto"
        ]
    );
}

#[test]
fn booleans_accept_exactly_six_spellings() {
    let s = Setting::Input("dry_run");
    for (value, expected) in [
        ("true", true),
        ("True", true),
        ("TRUE", true),
        ("false", false),
        ("False", false),
        ("FALSE", false),
    ] {
        assert_eq!(boolean(s, Some(value)).unwrap(), expected, "{value}");
    }
    for value in ["yes", "1", "tRUE", "on", "t"] {
        assert!(boolean(s, Some(value)).is_err(), "{value}");
    }
}

#[test]
fn counts_refuse_signs_and_values_above_the_limit() {
    let s = Setting::Input("max_retries");
    assert_eq!(count(s, None, 2, 10).unwrap(), 2);
    assert_eq!(count(s, Some("0"), 2, 10).unwrap(), 0);
    assert_eq!(count(s, Some("10"), 2, 10).unwrap(), 10);
    for value in ["-1", "+1", "11", "1.5", "two", "99999999999"] {
        let err = count(s, Some(value), 2, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "invalid value \"{value}\" for input max_retries: expected an integer from 0 to 10"
            )
        );
    }
}

#[test]
fn a_token_with_a_line_break_or_control_character_is_refused_without_showing_it() {
    let secret = "ghp_SECRETVALUE";
    for (variable, value, what) in [
        (
            "INPUT_TOKEN",
            format!("{secret}\nX-Evil: 1"),
            "a line break",
        ),
        ("GITHUB_TOKEN", format!("{secret}\rX"), "a line break"),
        (
            "CARGO_REGISTRY_TOKEN",
            format!("{secret}\n"),
            "a line break",
        ),
        (
            "CARGO_REGISTRIES_MY_REG_TOKEN",
            format!("{secret}\u{1b}[0m"),
            "a control character",
        ),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            format!("{secret}\0"),
            "a control character",
        ),
        (
            "CARGO_REGISTRY_TOKEN",
            format!("{secret}é"),
            "a character outside ASCII",
        ),
    ] {
        let env = vec![(variable.to_owned(), value)];
        let err = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap_err();
        let text = format!("{err} {}", err.hint().unwrap());
        assert!(
            text.starts_with(&format!("the token in {variable} is not one line"))
                && text.contains(what),
            "{text}"
        );
        assert!(!text.contains(secret), "{text}");
        assert_eq!(err.exit_code(), 2);
    }
    // The GitHub token is trimmed before use, as every input is; a space inside is printable.
    let env = vec![
        ("GITHUB_TOKEN".to_owned(), format!("{secret}\n")),
        ("CARGO_REGISTRY_TOKEN".to_owned(), "Bearer abc".to_owned()),
        ("OTHER".to_owned(), "a\nb".to_owned()),
    ];
    let config = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap();
    assert_eq!(config.token.unwrap().expose(), secret);
}

#[test]
fn every_secret_of_the_environment_is_hidden_from_cargo_and_nothing_else() {
    let env: Vec<(String, String)> = [
        "INPUT_TOKEN",
        "GITHUB_TOKEN",
        "CARGO_REGISTRY_TOKEN",
        "CARGO_REGISTRIES_MY_REG_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_RUNTIME_TOKEN",
        "CARGO_REGISTRIES_MY_REG_INDEX",
        "PATH",
        "HOME",
    ]
    .iter()
    .map(|name| ((*name).to_owned(), "x".to_owned()))
    .collect();
    let config = load(["releasekit-cargo", "plan"].map(OsString::from), env).unwrap();
    assert_eq!(
        config.cargo.hidden,
        [
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "ACTIONS_RUNTIME_TOKEN",
            "CARGO_REGISTRIES_MY_REG_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "GITHUB_TOKEN",
            "INPUT_TOKEN",
        ]
    );
}

#[test]
fn names_allow_letters_digits_underscore_and_hyphen_only() {
    let s = Setting::Flag(Command::Plan, "registry");
    assert_eq!(
        name(s, Some("my-reg_1")).unwrap().as_deref(),
        Some("my-reg_1")
    );
    let err = name(s, Some("my reg")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid value \"my reg\" for option --registry: expected a registry name of ASCII \
             letters, digits, `_` and `-`"
    );
}

#[test]
fn absolute_resolves_dot_and_dot_dot_by_text() {
    let base = Path::new("/github/workspace");
    assert_eq!(
        absolute(base, Path::new(".")),
        Path::new("/github/workspace")
    );
    assert_eq!(
        absolute(base, Path::new("./rust/")),
        Path::new("/github/workspace/rust")
    );
    assert_eq!(
        absolute(base, Path::new("rust/../cargo")),
        Path::new("/github/workspace/cargo")
    );
    assert_eq!(
        absolute(base, Path::new("/elsewhere")),
        Path::new("/elsewhere")
    );
}
