//! Unit tests of the values the configuration refuses, each error with its key and position.

use std::ffi::OsString;

use super::tests::{error_text, load_text};
use super::validate::check_tag_format;
use super::*;
use crate::config::load;
use crate::hint::Hint;
use crate::plan::Bump;

#[test]
fn unknown_key_is_an_error_naming_it_with_its_position() {
    let message = error_text("dependents_bump = \"patch\"\ntagformat = \"v{version}\"\n");
    assert_eq!(
        message,
        "releasekit.toml:2:1: unknown field `tagformat`, expected one of `tag_format`, \
             `dependents_bump`, `changelog`, `github_release`, `groups`, `notify`, `publish_timeout`, \
             `semver_checks`, `package`, `commits`, `owners`"
    );
}

#[test]
fn unknown_key_in_a_group_or_the_metadata_table_is_an_error() {
    assert!(
        error_text("[groups.a]\nmembers = [\"a\"]\nversion = \"fixed\"\n")
            .starts_with("releasekit.toml:3:1: unknown field `version`, expected one of `members`"),
    );
    let dir = tempfile::tempdir().unwrap();
    let manifest = "[workspace]\n[workspace.metadata.releasekit]\nchangelogs = true\n";
    let err =
        load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Cargo.toml:3:1: unknown field `changelogs`"),
        "{err}"
    );
}

#[test]
fn bad_enum_values_list_the_allowed_ones() {
    let message = error_text("[groups.a]\nmembers = [\"a\"]\nversioning = \"shared\"\n");
    assert_eq!(
        message,
        "releasekit.toml:3:14: `versioning`: unknown variant `shared`, expected `independent` or `fixed`"
    );
    let message = error_text("dependents_bump = \"minor\"\n");
    assert_eq!(
        message,
        "releasekit.toml:1:19: `dependents_bump`: unknown variant `minor`, expected `patch` or `none`"
    );
}

#[test]
fn bad_tag_formats_are_refused() {
    for (format, reason) in [
        ("v{vers}", "unknown placeholder {vers}"),
        ("{name}-v", "{version} is missing"),
        ("v{version", "unmatched `{`"),
        ("v}{version}", "unmatched `}`"),
        ("release {version}", "git refuses the tags it makes"),
        ("v..{version}", "git refuses the tags it makes"),
    ] {
        let message = error_text(&format!("tag_format = \"{format}\"\n"));
        let head =
            format!("releasekit.toml:1:14: invalid value \"{format}\" for tag_format: {reason}");
        assert!(message.starts_with(&head), "{format}: {message}");
    }
    for format in [
        "v{version}",
        "{name}-v{version}",
        "{name}/{version}",
        "release-{version}",
        "{name}@{version}",
        "{name}.{version}",
    ] {
        assert!(check_tag_format(format).is_ok(), "{format}");
    }
}

#[test]
fn a_tag_format_that_renders_a_name_git_refuses_is_an_error_with_its_position() {
    for (format, why) in [
        (
            "{name}-v{version}.lock",
            "a part between `/` ends with `.lock`",
        ),
        ("{name}/v{version}/", "it begins or ends with `/`"),
        ("/v{version}", "it begins or ends with `/`"),
        ("{name}//{version}", "two `/` in a row"),
        ("{name}/.v{version}", "a part between `/` begins with `.`"),
        ("v{version}.", "it ends with `.`"),
        ("v@{{version}", "unknown placeholder"),
        ("-v{version}", "it begins with `-`"),
        ("v{version}\\u0007", "control character U+0007"),
        ("v{version}\\t", "control character U+0009"),
        ("{name}:{version}", "it has `:`"),
    ] {
        let message = error_text(&format!("tag_format = \"{format}\"\n"));
        assert!(
            message.starts_with("releasekit.toml:1:14: invalid value") && message.contains(why),
            "{format}: {message}"
        );
    }
    let long = format!("{}{{version}}", "x".repeat(300));
    assert!(error_text(&format!("tag_format = \"{long}\"\n")).contains("longer than 250 bytes"));
}

#[test]
fn publish_timeout_is_at_most_a_day() {
    assert_eq!(
        load_text("publish_timeout = 86400\n")
            .unwrap()
            .publish_timeout_secs,
        86400
    );
    assert!(error_text("publish_timeout = 86401\n").contains("from 1 to 86400 (24 hours)"));
}

#[test]
fn group_tag_format_is_checked_with_its_key() {
    let message = error_text("[groups.a]\nmembers = [\"a\"]\ntag_format = \"a-{name}\"\n");
    assert!(
        message.starts_with(
            "releasekit.toml:3:14: invalid value \"a-{name}\" for groups.a.tag_format"
        ),
        "{message}"
    );
}

#[test]
fn group_needs_valid_name_and_members() {
    let cases = [
        (
            "[groups.\"a b\"]\nmembers = [\"a\"]\n",
            "releasekit.toml:1:9: invalid value \"a b\" for groups.a b",
        ),
        (
            "[groups.a]\nmembers = []\n",
            "releasekit.toml:2:11: invalid value \"[]\" for groups.a.members",
        ),
        (
            "[groups.a]\nmembers = [\"a[\"]\n",
            "releasekit.toml:2:12: invalid value \"a[\" for groups.a.members",
        ),
        (
            "[groups.a]\nversioning = \"fixed\"\n",
            "releasekit.toml:1:1: missing field `members`",
        ),
    ];
    for (text, head) in cases {
        let message = error_text(text);
        assert!(message.starts_with(head), "{text}: {message}");
    }
    let long = error_text(&format!(
        "[groups.{}]\nmembers = [\"a\"]\n",
        "g".repeat(300)
    ));
    assert!(
        long.starts_with("releasekit.toml:1:9: invalid value")
            && long.contains("its release branch can carry (a part between `/` is longer"),
        "{long}"
    );
}

#[test]
fn notify_and_timeout_values_are_checked() {
    let cases = [
        (
            "[notify]\nrepositories = [\"just-a-name\"]\n",
            "releasekit.toml:2:17: invalid value \"just-a-name\" for notify.repositories: expected \
                 a GitHub repository as owner/name",
        ),
        (
            "[notify]\nevent_type = \"\"\n",
            "releasekit.toml:2:14: invalid value \"\" for notify.event_type: expected 1 to 100 \
                 characters (GitHub's limit for repository_dispatch)",
        ),
        (
            "publish_timeout = 0\n",
            "releasekit.toml:1:19: invalid value \"0\" for publish_timeout: expected a number of \
                 seconds from 1 to 86400 (24 hours)",
        ),
        (
            "publish_timeout = -5\n",
            "releasekit.toml:1:19: invalid value \"-5\" for publish_timeout: expected a number of \
                 seconds from 1 to 86400 (24 hours)",
        ),
        (
            "publish_timeout = 9223372036854775807\n",
            "releasekit.toml:1:19: invalid value \"9223372036854775807\" for publish_timeout: \
                 expected a number of seconds from 1 to 86400 (24 hours)",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(error_text(text), message, "{text}");
    }
    let long = "x".repeat(101);
    assert!(error_text(&format!("[notify]\nevent_type = \"{long}\"\n")).contains("1 to 100"));
}

#[test]
fn commit_rules_refuse_unknown_bumps_unknown_types_and_a_type_listed_twice_with_their_position() {
    let cases = [
        (
            "[commits]\ntypes = { refactor = \"huge\" }\n",
            "releasekit.toml:2:22: invalid value \"huge\" for commits.types.refactor: expected \
                 one of none, patch, minor, major",
        ),
        (
            "[commits.types]\ndocs = \"none\"\n\"feat!\" = \"minor\"\n",
            "releasekit.toml:3:1: invalid value \"feat!\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
        ),
        (
            "[commits]\ntypes = { refactr = \"patch\" }\n",
            "releasekit.toml:2:11: invalid value \"refactr\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
        ),
        (
            "[commits]\ntypes = { breaking = \"minor\" }\n",
            "releasekit.toml:2:11: invalid value \"breaking\" for commits.types: expected one of \
                 the Conventional Commits types: feat, fix, perf, refactor, docs, style, test, \
                 build, ci, chore, revert, deps",
        ),
        (
            "[commits.types]\nrefactor = \"none\"\nRefactor = \"patch\"\n",
            "releasekit.toml:3:1: invalid value \"Refactor\" for commits.types: expected each \
                 type once (types are read in lower case, and `refactor` is listed already)",
        ),
        (
            "[commits.types.feat]\nbump = \"minor\"\n",
            "releasekit.toml:1:1: invalid value \"a table\" for commits.types.feat: expected \
                 one of none, patch, minor, major",
        ),
        (
            "[commits]\nnon_conventional = \"minor\"\n",
            "releasekit.toml:2:20: invalid value \"minor\" for commits.non_conventional: \
                 expected none or patch",
        ),
        (
            "[commits]\nbump = {}\n",
            "releasekit.toml:2:1: unknown field `bump`, expected `types` or `non_conventional`",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(error_text(text), message, "{text}");
    }
}

#[test]
fn commit_types_are_read_in_lower_case_over_the_defaults() {
    let rules = load_text("[commits.types]\nRefactor = \"patch\"\nfeat = \"patch\"\n")
        .unwrap()
        .commits;
    assert_eq!(rules.types["refactor"], Bump::Patch);
    assert_eq!(rules.types["feat"], Bump::Patch);
    assert_eq!(rules.types["fix"], Bump::Patch);
    assert_eq!(rules.non_conventional, Bump::None);
}

#[test]
fn metadata_table_errors_name_the_full_key() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = "[workspace]\n\n[workspace.metadata.releasekit]\ntag_format = \"x\"\n";
    let err =
        load_settings(&dir.path().join("releasekit.toml"), false, Some(manifest)).unwrap_err();
    assert!(
        err.to_string().starts_with(
            "Cargo.toml:4:14: invalid value \"x\" for workspace.metadata.releasekit.tag_format"
        ),
        "{err}"
    );
}

fn config_with_group(group: Option<&str>) -> Config {
    let mut args = vec![OsString::from("releasekit-cargo"), OsString::from("plan")];
    if let Some(group) = group {
        args.extend([OsString::from("--group"), OsString::from(group)]);
    }
    load(args, Vec::<(String, String)>::new()).unwrap()
}

#[test]
fn group_check_accepts_a_configured_group_or_none() {
    let settings = load_text("[groups.core]\nmembers = [\"core*\"]\n").unwrap();
    assert!(check_group(&config_with_group(Some("core")), &settings).is_ok());
    assert!(check_group(&config_with_group(None), &settings).is_ok());
    assert!(check_group(&config_with_group(None), &Settings::default()).is_ok());
}

#[test]
fn group_check_refuses_an_unknown_group_and_lists_the_known_ones() {
    let settings =
        load_text("[groups.core]\nmembers = [\"core*\"]\n[groups.cli]\nmembers = [\"cli\"]\n")
            .unwrap();
    let err = check_group(&config_with_group(Some("tools")), &settings).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown group \"tools\": the configured groups are cli, core"
    );
    let err = check_group(&config_with_group(Some("tools")), &Settings::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown group \"tools\": no groups are configured"
    );
    assert!(err.hint().unwrap().contains("[groups.<name>]"));
}

#[test]
fn owners_are_logins_or_teams_kept_once_in_their_order() {
    let settings =
        load_text("owners = [\"github:acme:release-team\", \"octo-cat\", \"octo-cat\"]\n").unwrap();
    assert_eq!(settings.owners, ["github:acme:release-team", "octo-cat"]);
    for bad in [
        "github:acme",
        "octo cat",
        "-octo",
        "github:ac me:team",
        "a--b",
        "",
    ] {
        let text = format!("owners = [{bad:?}]\n");
        let err = error_text(&text);
        assert!(
            err.starts_with(&format!(
                "releasekit.toml:1:11: invalid value {bad:?} for owners: expected a GitHub login"
            )),
            "{bad}: {err}"
        );
    }
}
