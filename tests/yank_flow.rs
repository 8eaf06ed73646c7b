//! Rolling a release back end to end: a three-crate release set (`core` ← `util` ← `app`)
//! released and published through the real pipeline, then yanked from the real registry
//! (ferro, behind the test proxy, which answers yank and unyank itself) dependents first, its
//! GitHub Releases marked on the fake GitHub, and undone. What changed is read from the
//! registry's index, the proxy's request log and the fake GitHub's state.

mod support;

use serde_json::Value;
use support::github::Fault;
use support::registry::Fault as RegistryFault;
use support::registry::index_path;
use support::world::{TOKEN, World};

/// Prepare, merge the Release PR, release and publish; the merge's event.
fn release(w: &World) -> Value {
    w.prepare().ok();
    let event = w.merge_release_pr(1);
    w.action(
        "pull_request",
        event.clone(),
        &[("INPUT_SKIP_PUBLISH", "false")],
    )
    .ok();
    event
}

/// Released and published: every crate at its new version in the registry.
fn published_world() -> (World, Value, Vec<(String, String)>) {
    let w = World::new();
    let event = release(&w);
    let versions = ["core", "util", "app"]
        .map(|name| {
            let published = w.registry.published(name);
            assert_eq!(published.len(), 1, "{name}: {published:?}");
            (name.to_owned(), published[0].clone())
        })
        .to_vec();
    (w, event, versions)
}

/// The yank flag the registry's own index shows for each crate of the set.
fn yanked(w: &World, set: &[(String, String)]) -> Vec<bool> {
    set.iter()
        .map(|(name, version)| {
            w.registry
                .versions(name)
                .iter()
                .find(|(v, _)| v == version)
                .map(|(_, yanked)| *yanked)
                .unwrap_or_else(|| panic!("{name} {version} is not in the registry"))
        })
        .collect()
}

/// The yank (or unyank) calls the registry got since request `from`, as crate names in order;
/// each followed by a read of that crate's index file before the next call.
fn changes_checked_in_the_index(w: &World, from: usize, verb: &str) -> Vec<String> {
    let requests = w.registry.requests();
    let requests = &requests[from..];
    let mut names = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let parts: Vec<&str> = r
            .path
            .trim_start_matches("/api/v1/crates/")
            .split('/')
            .collect();
        if !r.path.starts_with("/api/v1/crates/") || parts.get(2) != Some(&verb) {
            continue;
        }
        assert_eq!(r.status, 200, "{} {}", r.method, r.path);
        let name = parts[0].to_owned();
        let next_change = requests[i + 1..]
            .iter()
            .position(|n| n.path.ends_with(&format!("/{verb}")))
            .map_or(requests.len(), |p| i + 1 + p);
        let index_file = format!("/{}", index_path(&name));
        assert!(
            requests[i + 1..next_change]
                .iter()
                .any(|n| n.method == "GET" && n.path == index_file && n.status == 200),
            "{name} was not confirmed in the index before the next {verb}"
        );
        names.push(name);
    }
    names
}

fn release_titles(w: &World) -> Vec<(String, String)> {
    let mut titles: Vec<(String, String)> =
        w.gh.releases()
            .iter()
            .map(|r| {
                (
                    r["tag_name"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
    titles.sort();
    titles
}

/// Each release's tag, title and body.
fn release_texts(w: &World) -> Vec<(String, String, String)> {
    let mut texts: Vec<(String, String, String)> = (w.gh.releases().iter())
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_owned();
            (text("tag_name"), text("name"), text("body"))
        })
        .collect();
    texts.sort();
    texts
}

/// `yank` with `args` on the command line, as a maintainer runs it.
fn yank_command(w: &World, event: &Value, args: &[&str]) -> support::world::Run {
    let mut line = vec!["yank", "--registry", "test"];
    line.extend_from_slice(args);
    w.command(
        &line,
        "pull_request",
        event.clone(),
        &[("GITHUB_TOKEN", TOKEN)],
    )
}

#[test]
fn a_release_set_is_yanked_dependents_first_then_unyanked_and_its_releases_follow() {
    let (w, event, set) = published_world();
    let yank = [("INPUT_ACTION", "yank")];
    let released = release_texts(&w);

    // A dry run reads and says; it changes nothing anywhere.
    let before = w.registry.requests().len();
    let dry = w
        .action(
            "pull_request",
            event.clone(),
            &[("INPUT_ACTION", "yank"), ("INPUT_DRY_RUN", "true")],
        )
        .ok();
    assert_eq!(yanked(&w, &set), [false, false, false]);
    assert!(dry.writes.is_empty(), "{:?}", dry.writes);
    assert!(
        w.registry.requests()[before..]
            .iter()
            .all(|r| r.method == "GET"),
        "the dry run wrote to the registry"
    );
    assert!(
        dry.summary.contains("dry run: nothing changed"),
        "{}",
        dry.summary
    );

    // The yank: app, then util, then core, each confirmed in the index before the next.
    let before = w.registry.requests().len();
    let run = w.action("pull_request", event.clone(), &yank).ok();
    assert_eq!(
        changes_checked_in_the_index(&w, before, "yank"),
        ["app", "util", "core"]
    );
    assert_eq!(yanked(&w, &set), [true, true, true]);
    for (tag, title) in release_titles(&w) {
        assert!(title.starts_with("[yanked] "), "{tag}: {title}");
    }
    let app =
        w.gh.releases()
            .into_iter()
            .find(|r| r["tag_name"].as_str().unwrap().starts_with("app-"))
            .unwrap();
    assert!(
        app["body"]
            .as_str()
            .unwrap()
            .contains("**Yanked** from registry `test`"),
        "{app}"
    );
    assert!(run.summary.contains("| app |"), "{}", run.summary);

    // Again: the registry shows it all yanked, the releases are marked: nothing is sent.
    let before = w.registry.requests().len();
    let again = w.action("pull_request", event.clone(), &yank).ok();
    assert_eq!(
        changes_checked_in_the_index(&w, before, "yank"),
        Vec::<String>::new()
    );
    assert!(again.writes.is_empty(), "{:?}", again.writes);

    // --undo (the command line): dependencies first, and the marks come off.
    let before = w.registry.requests().len();
    let undo = w
        .command(
            &["yank", "--undo", "--registry", "test"],
            "pull_request",
            event,
            &[("GITHUB_TOKEN", TOKEN)],
        )
        .ok();
    assert_eq!(
        changes_checked_in_the_index(&w, before, "unyank"),
        ["core", "util", "app"]
    );
    assert_eq!(yanked(&w, &set), [false, false, false]);
    for (tag, title) in release_titles(&w) {
        assert!(!title.contains("yanked"), "{tag}: {title}");
    }
    // Each release is back to its own text, byte for byte.
    assert_eq!(release_texts(&w), released);
    assert!(
        undo.summary.contains("releasekit-cargo unyank"),
        "{}",
        undo.summary
    );
}

#[test]
fn crate_version_pairs_are_yanked_without_a_release_pr() {
    let (w, event, set) = published_world();
    let (name, version) = &set[2];
    let pair = format!("{name}@{version}");
    let before = w.gh.requests().len();
    w.command(
        &["yank", "--crate", &pair, "--registry", "test"],
        "pull_request",
        event,
        &[("GITHUB_TOKEN", TOKEN)],
    )
    .ok();
    assert_eq!(yanked(&w, &set), [false, false, true]);
    // Only its own release was looked up and marked; no pull request was read.
    assert!(
        !w.gh.requests()[before..]
            .iter()
            .any(|r| r.path.contains("/pulls")),
        "a pull request was read"
    );
    let titles = release_titles(&w);
    let marked: Vec<&String> = titles
        .iter()
        .filter(|(_, t)| t.starts_with("[yanked] "))
        .map(|(tag, _)| tag)
        .collect();
    assert_eq!(marked, [&format!("app-v{version}")]);
}

#[test]
fn without_the_registry_token_nothing_is_yanked_and_nothing_is_read_from_github() {
    let (w, event, set) = published_world();
    let github = w.gh.requests().len();
    let registry = w.registry.requests().len();
    let run = w.action(
        "pull_request",
        event,
        &[
            ("INPUT_ACTION", "yank"),
            ("CARGO_REGISTRIES_TEST_TOKEN", ""),
        ],
    );
    assert_eq!(run.code(), Some(2));
    let err = support::stderr(&run.out);
    assert!(
        err.contains("yank needs the registry's token: CARGO_REGISTRIES_TEST_TOKEN is not set"),
        "{err}"
    );
    assert!(err.contains("a GitHub token cannot yank"), "{err}");
    assert_eq!(w.gh.requests().len(), github);
    assert_eq!(w.registry.requests().len(), registry);
    assert_eq!(yanked(&w, &set), [false, false, false]);
}

/// `release = true` on a `publish = false` crate: yanking its release set leaves the registry
/// alone for it (not even its index file is read, a crate of that name there may be someone
/// else's) and marks its GitHub Release like the others.
#[test]
fn a_release_only_crate_is_not_yanked_from_the_registry_and_its_release_is_marked() {
    let w = World::new();
    w.add_application();
    w.configure(
        "[package.cli]\nrelease = true\n",
        "chore: configure releasekit",
    );
    let event = release(&w);
    assert!(w.registry.published("cli").is_empty());

    let before = w.registry.requests().len();
    let run = w
        .action("pull_request", event.clone(), &[("INPUT_ACTION", "yank")])
        .ok();
    assert_eq!(
        changes_checked_in_the_index(&w, before, "yank"),
        ["app", "util", "core"]
    );
    let asked: Vec<String> = (w.registry.requests()[before..].iter())
        .map(|r| r.path.clone())
        .filter(|p| p.contains("cli"))
        .collect();
    assert!(asked.is_empty(), "{asked:?}");
    let titles = release_titles(&w);
    assert_eq!(titles.len(), 4, "{titles:?}");
    for (tag, title) in &titles {
        assert!(title.starts_with("[yanked] "), "{tag}: {title}");
    }
    assert!(
        run.summary
            .contains("| cli | 0.1.0 | released without publishing"),
        "{}",
        run.summary
    );

    // Named as the registry compares names (case and `-`/`_` aside), it is still the
    // release-only member: its release comes back, the registry is not asked about it.
    let before = w.registry.requests().len();
    yank_command(&w, &event, &["--undo", "--crate", "CLI@0.1.0"]).ok();
    let asked: Vec<String> = (w.registry.requests()[before..].iter())
        .map(|r| r.path.to_ascii_lowercase())
        .filter(|p| p.contains("cli"))
        .collect();
    assert!(asked.is_empty(), "{asked:?}");
    let titles = release_titles(&w);
    assert!(
        titles.contains(&("cli-v0.1.0".to_owned(), "cli 0.1.0".to_owned())),
        "{titles:?}"
    );
}

/// Regression: outcomes were looked up by crate name alone. With app 0.1.0 yanked already and
/// app 0.1.1 yanked now, 0.1.1's release was left unmarked (the lookup found 0.1.0's "kept").
#[test]
fn two_versions_of_one_crate_each_get_their_own_outcome_and_release_mark() {
    let w = World::new();
    // The first versions reach the registry from their tag, then the release publishes 0.1.1.
    w.cargo_publish_at("app-v0.1.0", &["core", "util", "app"]);
    let event = release(&w);
    let app = || w.registry.versions("app");
    assert_eq!(
        app(),
        [("0.1.0".to_owned(), false), ("0.1.1".to_owned(), false)]
    );
    yank_command(&w, &event, &["--crate", "app@0.1.0"]).ok();

    let run = yank_command(
        &w,
        &event,
        &["--crate", "app@0.1.0", "--crate", "app@0.1.1"],
    )
    .ok();
    assert_eq!(
        app(),
        [("0.1.0".to_owned(), true), ("0.1.1".to_owned(), true)]
    );
    let titles = release_titles(&w);
    assert!(
        titles.contains(&("app-v0.1.1".to_owned(), "[yanked] app 0.1.1".to_owned())),
        "{titles:?}"
    );
    assert!(
        run.summary
            .contains("| app | 0.1.0 | yanked already: kept |")
            && run.summary.contains("| app | 0.1.1 | yanked |"),
        "{}",
        run.summary
    );
}

/// Regression: `--crate app@9.9.9` (a mistyped version) was "nothing to do", exit 0, and
/// `--crate` took any crate the token owns. Every mistake is found before anything changes:
/// core, named correctly beside the typo, is not yanked either.
#[test]
fn a_pair_the_index_does_not_list_or_a_crate_outside_the_workspace_changes_nothing() {
    let (w, event, set) = published_world();
    let (core, app) = (&set[0].1, &set[2].1);
    let registry = w.registry.requests().len();
    let github = w.gh.requests().len();
    for (args, message, hint) in [
        (
            vec!["--crate", &format!("core@{core}"), "--crate", "app@9.9.9"],
            format!("the registry's index does not list app@9.9.9 (it lists {app})"),
            "check the version",
        ),
        (
            vec!["--crate", "serde@1.0.0", "--crate", &format!("app@{app}")],
            "--crate serde: not a member of this workspace".to_owned(),
            "its members are app, core, util; nothing was changed",
        ),
        (
            vec![
                "--crate",
                &format!("app@{app}"),
                "--crate",
                &format!("App@{app}"),
            ],
            format!("invalid value \"App@{app}\" for option --crate: given twice"),
            "",
        ),
    ] {
        let run = yank_command(&w, &event, &args);
        let err = support::stderr(&run.out);
        assert_eq!(run.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(&message) && err.contains(hint), "{err}");
    }
    assert_eq!(yanked(&w, &set), [false, false, false]);
    let writes = |from: usize| -> Vec<String> {
        (w.registry.requests()[from..].iter())
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    };
    assert_eq!(writes(registry), Vec::<String>::new());
    assert!(
        w.gh.requests()[github..].iter().all(|r| r.method == "GET"),
        "GitHub was written to"
    );
}

/// Regression: a GitHub Release that could not be marked left the run "done", exit 0. Now the
/// run is unfinished (exit 1, re-run hint), and the re-run converges: the crate stays yanked
/// and its release gets marked.
#[test]
fn a_release_that_could_not_be_marked_fails_the_run_and_a_rerun_marks_it() {
    let (w, event, set) = published_world();
    let (name, version) = &set[2];
    let pair = format!("{name}@{version}");
    let tag = format!("{name}-v{version}");
    w.gh.inject(Fault::status("PATCH", "/releases/", 403));
    let run = yank_command(&w, &event, &["--crate", &pair]);
    let err = support::stderr(&run.out);
    assert_eq!(run.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "the yank is not finished; left as they were: the GitHub Release {tag}"
        )),
        "{err}"
    );
    assert!(err.contains("run yank again"), "{err}");
    assert!(run.summary.contains("**Not finished.**"), "{}", run.summary);
    assert_eq!(yanked(&w, &set), [false, false, true]);
    assert!(
        !release_titles(&w)
            .iter()
            .any(|(_, t)| t.starts_with("[yanked] "))
    );

    yank_command(&w, &event, &["--crate", &pair]).ok();
    assert_eq!(yanked(&w, &set), [false, false, true]);
    let marked: Vec<String> = (release_titles(&w).into_iter())
        .filter(|(_, t)| t.starts_with("[yanked] "))
        .map(|(tag, _)| tag)
        .collect();
    assert_eq!(marked, [tag]);
}

/// Regression: every 401/403 of the registry's API was hinted as "the yank scope", an owners
/// call included; a refused yank now names the `yank` scope, in the summary and the log.
#[test]
fn a_yank_the_registry_refuses_names_the_token_scope_it_needs() {
    let (w, event, set) = published_world();
    let (name, version) = &set[2];
    let path = format!("/api/v1/crates/{name}/{version}/yank");
    w.registry
        .inject(RegistryFault::api("DELETE", &path).status(403));
    let run = yank_command(&w, &event, &["--crate", &format!("{name}@{version}")]);
    assert_eq!(run.code(), Some(1), "{}", support::stderr(&run.out));
    assert!(
        run.summary
            .contains("**failed**: the registry refused to yank app")
            && run
                .summary
                .contains("it needs the `yank` scope to yank and unyank"),
        "{}",
        run.summary
    );
    assert_eq!(yanked(&w, &set), [false, false, false]);
}
