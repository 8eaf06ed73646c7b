//! Unit tests of `env`.

use super::*;

fn vars(pairs: &[(&str, &str)]) -> Env {
    Env::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn resolved(pairs: &[(&str, &str)]) -> Result<RunEnv, ConfigError> {
    resolve(&vars(pairs), Path::new("/github/workspace/rust"))
}

fn paths(dirs: &[PathBuf]) -> Vec<String> {
    dirs.iter().map(|d| d.display().to_string()).collect()
}

#[test]
fn an_empty_environment_resolves_to_github_com_and_nothing_else() {
    let env = resolved(&[]).unwrap();
    assert_eq!(env.repository, None);
    assert_eq!(env.api_url, DEFAULT_API_URL);
    assert_eq!(env.server_url(), DEFAULT_SERVER_URL);
    assert_eq!((env.event, env.sha, env.oidc), (None, None, None));
    assert!(env.trusted_dirs.is_empty());
}

#[test]
fn malformed_repository_api_url_or_sha_is_refused_naming_the_variable() {
    for (variable, value, expected) in [
        ("GITHUB_REPOSITORY", "acme", "owner/name"),
        ("GITHUB_REPOSITORY", "acme/../x", "owner/name"),
        ("GITHUB_REPOSITORY", "acme/wid gets", "owner/name"),
        ("GITHUB_API_URL", "ftp://api.github.com", "an http(s) URL"),
        ("GITHUB_SHA", "HEAD~1", "a full commit id"),
    ] {
        let err = resolved(&[(variable, value)]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{variable} {value:?} is not {expected}"),
            "{variable}"
        );
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains(variable));
    }
    let env = resolved(&[
        ("GITHUB_REPOSITORY", "acme/widgets.rs"),
        ("GITHUB_SERVER_URL", "https://ghe.example/"),
        ("GITHUB_SHA", &"a1".repeat(20)),
    ])
    .unwrap();
    assert_eq!(
        env.repository.as_ref().unwrap().to_string(),
        "acme/widgets.rs"
    );
    assert_eq!(env.server_url(), "https://ghe.example");
}

#[test]
fn a_repository_is_two_parts_of_githubs_characters() {
    for repository in [
        "acme",
        "acme/",
        "/w",
        "a/b/c",
        "acme/../x",
        "a/w?x=1",
        "a/w#f",
        "a b/c",
    ] {
        assert_eq!(Repository::parse(repository), None, "{repository}");
    }
    let parsed = Repository::parse("acme/widgets.rs").unwrap();
    assert_eq!(
        (parsed.owner.as_str(), parsed.name.as_str()),
        ("acme", "widgets.rs")
    );
}

#[test]
fn trust_comes_only_from_an_actions_environment_with_a_checkout() {
    // (environment, trusted directories)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_WORKSPACE", "/github/workspace"),
            ],
            &["/github/workspace", "/github/workspace/rust"],
        ),
        (&[("GITHUB_WORKSPACE", "/github/workspace")], &[]),
        (
            &[
                ("GITHUB_ACTIONS", "false"),
                ("GITHUB_WORKSPACE", "/github/workspace"),
            ],
            &[],
        ),
        (&[("GITHUB_ACTIONS", "true")], &[]),
        (&[("GITHUB_ACTIONS", "true"), ("GITHUB_WORKSPACE", "")], &[]),
    ];
    for (pairs, expected) in cases {
        assert_eq!(
            paths(&resolved(pairs).unwrap().trusted_dirs),
            *expected,
            "{pairs:?}"
        );
    }
}

#[test]
fn checkout_trusts_each_directory_from_the_checkout_down_to_the_workspace() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "/github/workspace",
            "/github/workspace",
            &["/github/workspace"],
        ),
        (
            "/github/workspace",
            "/github/workspace/rust",
            &["/github/workspace", "/github/workspace/rust"],
        ),
        (
            "/github/workspace",
            "/github/workspace/repo/rust",
            &[
                "/github/workspace",
                "/github/workspace/repo",
                "/github/workspace/repo/rust",
            ],
        ),
        // A trailing slash would never match the top level git reports.
        (
            "/github/workspace/",
            "/github/workspace/rust/",
            &["/github/workspace", "/github/workspace/rust"],
        ),
        // Outside the checkout nothing between is ours to vouch for.
        (
            "/github/workspace",
            "/srv/rust",
            &["/github/workspace", "/srv/rust"],
        ),
    ];
    for (checkout, workspace, expected) in cases {
        assert_eq!(
            paths(&trusted_dirs(Path::new(checkout), Path::new(workspace))),
            *expected,
            "checkout {checkout}, workspace {workspace}"
        );
    }
}

#[test]
fn oidc_needs_both_variables_and_registry_variables_are_kept_apart() {
    let env = resolved(&[
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions/x"),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "req"),
        ("CARGO_REGISTRIES_MY_REG_TOKEN", "t"),
        ("HOME", "/home/me"),
        ("GITHUB_TOKEN", "ghs"),
    ])
    .unwrap();
    assert_eq!(env.oidc.unwrap().url, "https://token.actions/x");
    assert_eq!(env.registry.var("CARGO_REGISTRIES_MY_REG_TOKEN"), Some("t"));
    assert_eq!(env.registry.var("GITHUB_TOKEN"), None);
    assert_eq!(
        env.registry.cargo_home.as_deref(),
        Some(Path::new("/home/me/.cargo"))
    );
    assert_eq!(
        resolved(&[("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.actions/x")])
            .unwrap()
            .oidc,
        None
    );
}

#[test]
fn an_event_file_is_read_or_refused_never_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let good = file("good.json", br#"{"ref": "refs/heads/main"}"#);
    assert!(matches!(
        read_event(Some(&good), Some("push")),
        Ok(Some(Event::Push(_)))
    ));
    assert_eq!(read_event(Some(&good), None), Ok(None));
    assert_eq!(read_event(None, Some("push")), Ok(None));
    let missing = dir.path().join("none.json").display().to_string();
    let folder = dir.path().display().to_string();
    let binary = file("binary.json", b"{\"ref\": \"\xff\"}");
    let cut = file("cut.json", b"{\"ref\": ");
    for (path, name, why) in [
        (&missing, Some("push"), "No such file"),
        (&folder, Some("push"), "directory"),
        (&binary, Some("push"), "is not UTF-8 text (at byte 9)"),
        (&cut, Some("issues"), "EOF while parsing"),
        (&cut, None, "EOF while parsing"),
    ] {
        let err = read_event(Some(path), name).unwrap_err();
        assert!(err.message.contains(why), "{path}: {err}");
    }
}
