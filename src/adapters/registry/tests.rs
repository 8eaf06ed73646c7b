//! Unit tests of `registry`.

use super::*;

/// What a case expects: the index URL and token, or the start of the error message.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Found {
        index: &'static str,
        token: Option<&'static str>,
        variable: &'static str,
    },
    Error(&'static str),
}

struct Case {
    what: &'static str,
    name: Option<&'static str>,
    /// Files relative to the temp dir; the workspace is `ws/sub`, CARGO_HOME is `home`.
    files: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    expected: Outcome,
}

fn run(case: &Case) -> (Result<RegistrySpec, RegistryError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    std::fs::create_dir_all(root.join("ws/sub")).unwrap();
    std::fs::create_dir_all(root.join("home")).unwrap();
    for (path, text) in case.files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut vars: Vec<(String, String)> = case
        .env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    vars.push((
        "CARGO_HOME".into(),
        root.join("home").to_string_lossy().into(),
    ));
    let env = RegistryEnv::from_vars(vars);
    let result = resolve(case.name, &env, &root.join("ws/sub"));
    (result, dir)
}

const MY_REG: &str = "[registries.my-reg]\nindex = \"sparse+https://ws.example/index\"\n";

#[test]
fn registry_resolution_follows_cargo() {
    use Outcome::*;
    let cases = [
        Case {
            what: "crates.io by default, token from the environment",
            name: None,
            files: &[],
            env: &[("CARGO_REGISTRY_TOKEN", "cio-env")],
            expected: Found {
                index: CRATES_IO_INDEX,
                token: Some("cio-env"),
                variable: "CARGO_REGISTRY_TOKEN",
            },
        },
        Case {
            what: "crates-io by name is crates.io; no token anywhere",
            name: Some("crates-io"),
            files: &[],
            env: &[],
            expected: Found {
                index: CRATES_IO_INDEX,
                token: None,
                variable: "CARGO_REGISTRY_TOKEN",
            },
        },
        Case {
            what: "crates.io token from credentials.toml",
            name: None,
            files: &[(
                "home/credentials.toml",
                "[registry]\ntoken = \"cio-file\"\n",
            )],
            env: &[],
            expected: Found {
                index: CRATES_IO_INDEX,
                token: Some("cio-file"),
                variable: "CARGO_REGISTRY_TOKEN",
            },
        },
        Case {
            what: "environment token wins over credentials.toml; empty variable is unset",
            name: None,
            files: &[(
                "home/credentials.toml",
                "[registry]\ntoken = \"cio-file\"\n",
            )],
            env: &[("CARGO_REGISTRY_TOKEN", "")],
            expected: Found {
                index: CRATES_IO_INDEX,
                token: Some("cio-file"),
                variable: "CARGO_REGISTRY_TOKEN",
            },
        },
        Case {
            what: "environment index wins over config; dashed name upper-cased",
            name: Some("my-reg"),
            files: &[("ws/.cargo/config.toml", MY_REG)],
            env: &[
                (
                    "CARGO_REGISTRIES_MY_REG_INDEX",
                    "sparse+http://env.example/",
                ),
                ("CARGO_REGISTRIES_MY_REG_TOKEN", "my-env"),
            ],
            expected: Found {
                index: "http://env.example/",
                token: Some("my-env"),
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "closest .cargo/config.toml wins, and `/` is appended",
            name: Some("my-reg"),
            files: &[
                ("ws/.cargo/config.toml", MY_REG),
                (
                    "ws/sub/.cargo/config.toml",
                    "[registries.my-reg]\nindex = \"sparse+https://sub.example/index\"\n",
                ),
                (
                    "home/config.toml",
                    "[registries.my-reg]\nindex = \"sparse+https://home.example/\"\n",
                ),
            ],
            env: &[],
            expected: Found {
                index: "https://sub.example/index/",
                token: None,
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "an ancestor without the registry is passed over",
            name: Some("my-reg"),
            files: &[
                ("ws/sub/.cargo/config.toml", "[build]\njobs = 2\n"),
                ("ws/.cargo/config.toml", MY_REG),
            ],
            env: &[],
            expected: Found {
                index: "https://ws.example/index/",
                token: None,
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "$CARGO_HOME/config.toml, token from credentials.toml",
            name: Some("my-reg"),
            files: &[
                ("home/config.toml", MY_REG),
                (
                    "home/credentials.toml",
                    "[registries.my-reg]\ntoken = \"my-file\"\n[registry]\ntoken = \"cio\"\n",
                ),
            ],
            env: &[],
            expected: Found {
                index: "https://ws.example/index/",
                token: Some("my-file"),
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "legacy config and credentials files without extension",
            name: Some("my-reg"),
            files: &[
                ("ws/.cargo/config", MY_REG),
                (
                    "home/credentials",
                    "[registries.my-reg]\ntoken = \"legacy\"\n",
                ),
            ],
            env: &[],
            expected: Found {
                index: "https://ws.example/index/",
                token: Some("legacy"),
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "config without extension beats config.toml in the same directory, as in cargo",
            name: Some("my-reg"),
            files: &[
                (
                    "ws/.cargo/config.toml",
                    "[registries.my-reg]\nindex = \"sparse+https://toml.example/\"\n",
                ),
                ("ws/.cargo/config", MY_REG),
            ],
            env: &[],
            expected: Found {
                index: "https://ws.example/index/",
                token: None,
                variable: "CARGO_REGISTRIES_MY_REG_TOKEN",
            },
        },
        Case {
            what: "git index",
            name: Some("my-reg"),
            files: &[(
                "ws/.cargo/config.toml",
                "[registries.my-reg]\nindex = \"https://git.example/index.git\"\n",
            )],
            env: &[],
            expected: Error(
                "registry `my-reg` has a git index (https://git.example/index.git); only sparse indexes can be polled",
            ),
        },
        Case {
            what: "git index from the environment",
            name: Some("my-reg"),
            files: &[],
            env: &[("CARGO_REGISTRIES_MY_REG_INDEX", "git://git.example/i")],
            expected: Error("registry `my-reg` has a git index (git://git.example/i)"),
        },
        Case {
            what: "unknown registry",
            name: Some("other"),
            files: &[("ws/.cargo/config.toml", MY_REG)],
            env: &[],
            expected: Error(
                "no registry named `other` in cargo's configuration or the environment",
            ),
        },
        Case {
            what: "malformed TOML names the file",
            name: Some("my-reg"),
            files: &[
                ("ws/sub/.cargo/config.toml", "[registries.my-reg\nindex = 1"),
                ("ws/.cargo/config.toml", MY_REG),
            ],
            env: &[],
            expected: Error(
                "cannot read cargo configuration {root}/ws/sub/.cargo/config.toml: line 1: ",
            ),
        },
        Case {
            what: "malformed credentials name the file",
            name: None,
            files: &[("home/credentials.toml", "token = ")],
            env: &[],
            expected: Error("cannot read cargo configuration {root}/home/credentials.toml: "),
        },
        Case {
            what: "a credentials token with a line break, never shown",
            name: None,
            files: &[(
                "home/credentials.toml",
                "[registry]\ntoken = \"cio-secret\\nX-Evil: 1\"\n",
            )],
            env: &[],
            expected: Error(
                "the registry token in {root}/home/credentials.toml is not one line of printable characters: it holds a line break",
            ),
        },
        Case {
            what: "index that is not a string",
            name: Some("my-reg"),
            files: &[("ws/.cargo/config.toml", "[registries.my-reg]\nindex = 3\n")],
            env: &[],
            expected: Error(
                "cannot read cargo configuration {root}/ws/.cargo/config.toml: registries.my-reg.index is not a string",
            ),
        },
    ];
    for case in &cases {
        let (result, dir) = run(case);
        let root = dir.path();
        match (&case.expected, result) {
            (
                Outcome::Found {
                    index,
                    token,
                    variable,
                },
                Ok(spec),
            ) => {
                assert_eq!(spec.index_url, *index, "{}", case.what);
                assert_eq!(
                    spec.token.as_ref().map(Secret::expose),
                    *token,
                    "{}",
                    case.what
                );
                assert_eq!(spec.token_variable, *variable, "{}", case.what);
                let expected_name = case.name.filter(|n| *n != CRATES_IO);
                assert_eq!(spec.name.as_deref(), expected_name, "{}", case.what);
            }
            (Outcome::Error(start), Err(e)) => {
                let start = start.replace("{root}", &root.to_string_lossy());
                let message = e.to_string();
                assert!(
                    message.starts_with(&start),
                    "{}: {message:?} does not start with {start:?}",
                    case.what
                );
            }
            (expected, got) => panic!("{}: expected {expected:?}, got {got:?}", case.what),
        }
    }
}

#[test]
fn hints_say_what_to_set() {
    let unknown = RegistryError::Unknown {
        name: "my-reg".into(),
    };
    assert_eq!(
        unknown.hint().unwrap(),
        "add `[registries.my-reg] index = \"sparse+https://…\"` to `.cargo/config.toml` in the workspace, or set CARGO_REGISTRIES_MY_REG_INDEX"
    );
    let git = RegistryError::GitIndex {
        name: "my-reg".into(),
        index: "https://g/".into(),
    };
    assert!(
        git.hint().unwrap().contains("sparse+https://"),
        "{:?}",
        git.hint()
    );
    let config = RegistryError::Config {
        path: "/x/.cargo/config.toml".into(),
        message: "bad".into(),
    };
    assert!(config.hint().unwrap().contains("/x/.cargo/config.toml"));
}

#[test]
fn token_is_not_shown_by_debug() {
    let spec = RegistrySpec {
        name: None,
        index_url: CRATES_IO_INDEX.into(),
        token: Some(Secret::new("s3cr3t")),
        token_variable: "CARGO_REGISTRY_TOKEN".into(),
    };
    assert!(!format!("{spec:?}").contains("s3cr3t"));
}
