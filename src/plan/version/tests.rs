//! Unit tests of `version`.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn pre(s: &str) -> Prerelease {
    s.parse().unwrap()
}

#[test]
fn effective_bump_applies_the_0x_rules() {
    use Bump::*;
    let cases = [
        ("1.2.3", Major, Major),
        ("1.2.3", Minor, Minor),
        ("1.2.3", Patch, Patch),
        ("1.2.3", None, None),
        ("0.3.1", Major, Minor),
        ("0.3.1", Minor, Patch),
        ("0.3.1", Patch, Patch),
        ("0.3.1", None, None),
        ("0.0.4", Major, Patch),
        ("0.0.4", Minor, Patch),
        ("0.0.4", Patch, Patch),
        ("0.0.4", None, None),
        ("1.4.0-rc.1", Major, Major),
        ("0.20.0-dev", Major, Minor),
        ("0.20.0-dev", Minor, Patch),
        ("0.0.1-alpha", Minor, Patch),
    ];
    for (current, bump, expected) in cases {
        assert_eq!(
            effective_bump(&v(current), bump),
            expected,
            "{current} asked for {bump}"
        );
    }
}

#[test]
fn next_version_follows_bump_and_prerelease_rules() {
    use Bump::*;
    // (current, bump, prerelease request or "", expected)
    let cases = [
        // stable, bump applied literally
        ("1.2.3", Major, "", "2.0.0"),
        ("1.2.3", Minor, "", "1.3.0"),
        ("1.2.3", Patch, "", "1.2.4"),
        ("1.2.3", None, "", "1.2.3"),
        ("0.3.1", Major, "", "1.0.0"),
        ("0.3.1", Minor, "", "0.4.0"),
        ("0.0.4", Patch, "", "0.0.5"),
        ("1.2.3+build.5", Patch, "", "1.2.4"),
        ("1.2.3+build.5", None, "", "1.2.3+build.5"),
        // starting a prerelease
        ("1.3.0", Minor, "rc", "1.4.0-rc.1"),
        ("1.3.0", Major, "beta", "2.0.0-beta.1"),
        ("1.3.0", Minor, "rc.3", "1.4.0-rc.3"),
        ("1.3.0", None, "rc", "1.3.1-rc.1"),
        ("1.0.0", Major, "alpha.x", "2.0.0-alpha.x.1"),
        ("1.0.0", Minor, "a.01.b", "1.1.0-a.1.b.1"),
        // the next prerelease of the same base and label
        ("1.4.0-rc.1", Patch, "rc", "1.4.0-rc.2"),
        ("1.4.0-rc.1", Minor, "rc", "1.4.0-rc.2"),
        ("1.4.0-rc.1", None, "rc", "1.4.0-rc.2"),
        ("1.4.0-rc.9", Patch, "rc", "1.4.0-rc.10"),
        ("1.4.0-rc", Patch, "rc", "1.4.0-rc.2"),
        ("2.0.0-rc.1", Major, "rc", "2.0.0-rc.2"),
        ("2.0.0-alpha.x.1", Patch, "alpha.x", "2.0.0-alpha.x.2"),
        // the base moves, the count restarts
        ("1.4.0-rc.2", Major, "rc", "2.0.0-rc.1"),
        ("1.4.1-rc.1", Minor, "rc", "1.5.0-rc.1"),
        ("1.4.1-rc.1", Major, "rc", "2.0.0-rc.1"),
        // another label, an explicit number
        ("1.4.0-beta.3", Patch, "rc", "1.4.0-rc.1"),
        ("0.20.0-dev", Patch, "rc", "0.20.0-rc.1"),
        ("1.4.0-rc.2", Patch, "rc.5", "1.4.0-rc.5"),
        ("1.4.0-rc.2", Major, "rc.5", "2.0.0-rc.5"),
        // graduation
        ("1.4.0-rc.2", Patch, "", "1.4.0"),
        ("1.4.0-rc.2", Minor, "", "1.4.0"),
        ("1.4.0-rc.2", Major, "", "2.0.0"),
        ("1.4.0-rc.2", None, "", "1.4.0-rc.2"),
        ("1.4.0-rc.1+sha.abc", Patch, "", "1.4.0"),
    ];
    for (current, bump, request, expected) in cases {
        let request = (!request.is_empty()).then(|| pre(request));
        let next = next_version(&v(current), bump, request.as_ref()).unwrap();
        assert_eq!(next, v(expected), "{current} + {bump} + {request:?}");
    }
}

#[test]
fn bevy_style_dev_version_with_a_feature_releases_its_base() {
    let current = v("0.20.0-dev");
    let bump = effective_bump(&current, Bump::Minor);
    assert_eq!(next_version(&current, bump, None).unwrap(), v("0.20.0"));
    assert_eq!(
        next_version(&current, Bump::Minor, None).unwrap(),
        v("0.20.0")
    );
}

#[test]
fn breaking_change_below_1_0_moves_the_minor() {
    let current = v("0.3.1");
    let bump = effective_bump(&current, Bump::Major);
    assert_eq!(next_version(&current, bump, None).unwrap(), v("0.4.0"));
}

#[test]
fn a_number_past_u64_max_is_an_error_never_a_wrapped_or_smaller_version() {
    let max = u64::MAX;
    let cases: &[(String, Bump, &str, &str)] = &[
        (format!("0.1.{max}"), Bump::Patch, "", "patch"),
        (format!("1.{max}.0"), Bump::Minor, "", "minor"),
        (format!("{max}.0.0"), Bump::Major, "", "major"),
        (format!("1.0.{max}"), Bump::None, "rc", "patch"),
        (format!("1.0.0-rc.{max}"), Bump::Patch, "rc", "prerelease"),
    ];
    for (current, bump, request, part) in cases {
        let request = (!request.is_empty()).then(|| pre(request));
        let err = next_version(&v(current), *bump, request.as_ref()).unwrap_err();
        assert_eq!(
            err,
            VersionError::Overflow {
                version: v(current),
                part
            },
            "{current} + {bump}"
        );
        assert!(err.to_string().contains(&max.to_string()), "{err}");
    }
    // One below the largest still moves.
    let below = format!("0.1.{}", max - 1);
    assert_eq!(
        next_version(&v(&below), Bump::Patch, None).unwrap(),
        v(&format!("0.1.{max}"))
    );
}

#[test]
fn an_unreleased_version_takes_the_prerelease_label_asked_for_as_semver_spells_it() {
    let cases = [
        ("1.0.0", "", "1.0.0"),
        ("1.0.0", "rc", "1.0.0-rc.1"),
        ("1.0.0", "rc.3", "1.0.0-rc.3"),
        ("1.0.0", "a.01.2", "1.0.0-a.1.2"),
        ("1.0.0", "a.000.b", "1.0.0-a.0.b.1"),
        (
            "1.0.0",
            "x.00000000000000000000000000001.y",
            "1.0.0-x.1.y.1",
        ),
        ("1.0.0-rc.2", "rc", "1.0.0-rc.2"),
        ("1.0.0-rc.2", "rc.5", "1.0.0-rc.5"),
        ("1.0.0-beta.2", "rc", "1.0.0-rc.1"),
        ("0.20.0-dev", "rc", "0.20.0-rc.1"),
    ];
    for (current, request, expected) in cases {
        let request = (!request.is_empty()).then(|| pre(request));
        assert_eq!(
            first_version(&v(current), request.as_ref()).unwrap(),
            v(expected),
            "{current} {request:?}"
        );
    }
    let bad = Prerelease {
        label: "not valid!".into(),
        number: None,
    };
    assert!(matches!(
        first_version(&v("1.0.0"), Some(&bad)),
        Err(VersionError::Prerelease { .. })
    ));
}

#[test]
fn rewrite_req_keeps_the_operator_and_writes_the_full_version() {
    let cases = [
        ("1.2", "2.0.0", "2.0.0"),
        ("1.2", "1.3.0", "1.3.0"),
        ("^0.3", "0.4.0", "^0.4.0"),
        ("~1.4", "1.5.0", "~1.5.0"),
        ("=49.0.0-dev", "49.0.0", "=49.0.0"),
        ("=49.0.0-dev", "50.0.0-dev", "=50.0.0-dev"),
        ("= 1.2.3", "1.3.0", "=1.3.0"),
        (" ^1.2 ", "1.3.0", "^1.3.0"),
        (">=1, <3", "3.0.0", "3.0.0"),
        (">=1.2", "2.0.0", "2.0.0"),
        ("*", "1.0.0", "1.0.0"),
        ("1.*", "2.0.0", "2.0.0"),
        ("1.2", "1.3.0-rc.1", "1.3.0-rc.1"),
        ("^1.2", "2.0.0-rc.1", "^2.0.0-rc.1"),
        ("=1.3.0-rc.1", "1.3.0-rc.2", "=1.3.0-rc.2"),
    ];
    for (original, new, expected) in cases {
        assert_eq!(
            rewrite_req(original, &v(new)),
            expected,
            "{original} -> {new}"
        );
    }
}
