//! Unit tests of the git adapter, on real repositories.

use super::worktree::scratch_dir;
use super::*;
use crate::hint::Hint;

#[test]
fn every_command_names_each_trusted_directory_and_never_a_wildcard() {
    let trust = Trust::new(vec![
        PathBuf::from("/github/workspace"),
        PathBuf::from("/github/workspace/rust"),
    ]);
    let cmd = command(&trust, Path::new("/github/workspace/rust"));
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        args,
        [
            "-c",
            "safe.directory=/github/workspace",
            "-c",
            "safe.directory=/github/workspace/rust",
            "-c",
            "core.quotepath=off"
        ]
    );
    let local = command(&Trust::none(), Path::new("/src"));
    assert!(
        !local
            .get_args()
            .any(|a| a.to_string_lossy().contains("safe.directory")),
        "outside Actions git's own protection stays"
    );
}

/// A repository in a temp dir, and a function running git in it with extra environment.
#[allow(clippy::type_complexity)]
fn repo() -> (
    tempfile::TempDir,
    impl Fn(&[&str], &[(&str, &str)]) -> String,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let git = move |args: &[&str], env: &[(&str, &str)]| {
        let out = Command::new("git")
            .args(["-c", "user.name=Maya", "-c", "user.email=maya@example.com"])
            .args(args)
            .current_dir(&path)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q", "-b", "main"], &[]);
    (dir, git)
}

#[test]
fn a_replayed_commit_keeps_its_committer_and_dates_so_a_replay_is_the_same_commit() {
    let (dir, git) = repo();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    let commit = |message: &str, env: &[(&str, &str)]| {
        git(&["add", "-A"], &[]);
        git(&["commit", "-q", "-m", message], env);
    };
    let at = |date| [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
    write("a", "1\n");
    commit("base", &at("1700000000 +0000"));
    git(&["checkout", "-q", "-b", "theirs"], &[]);
    write("a", "1\n2\n");
    // Committed in another time zone, by someone else than the author.
    commit(
        "theirs",
        &[
            ("GIT_COMMITTER_NAME", "GitHub"),
            ("GIT_COMMITTER_EMAIL", "noreply@github.com"),
            ("GIT_COMMITTER_DATE", "1700003600 +0530"),
            ("GIT_AUTHOR_DATE", "1700001800 -0800"),
        ],
    );
    git(&["checkout", "-q", "main"], &[]);
    write("b", "other\n");
    commit("new base", &at("1700007200 +0000"));
    let repository = Git::discover(dir.path(), &Trust::none()).unwrap();
    let picks: Vec<String> = (0..2)
        .map(|_| {
            let tree = repository.worktree("test", "main").unwrap();
            match tree
                .cherry_pick("theirs", false, &|_, _, _, _| None)
                .unwrap()
            {
                Picked::Done(id) => id,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(picks[0], picks[1], "the same replay is the same commit");
    let format = "--format=%cn|%ce|%cd|%an|%ad";
    let shown = git(&["log", "-1", "--date=raw", format, &picks[0]], &[]);
    assert_eq!(
        shown,
        "GitHub|noreply@github.com|1700003600 +0530|Maya|1700001800 -0800"
    );
    let parent = git(&["rev-parse", &format!("{}^", picks[0])], &[]);
    assert_eq!(parent, git(&["rev-parse", "main"], &[]));
}

/// Make `dir` (a [`repo`]) a repository whose CHANGELOG.md is `base`, then `theirs` on
/// branch `theirs` (commit "reword") and `ours` on main; its `Git`.
fn changelog_edits(
    dir: &Path,
    git: &impl Fn(&[&str], &[(&str, &str)]) -> String,
    [base, theirs, ours]: [&str; 3],
) -> Git {
    let write = |text: &str| std::fs::write(dir.join("CHANGELOG.md"), text).unwrap();
    write(base);
    git(&["add", "-A"], &[]);
    git(&["commit", "-q", "-m", "base"], &[]);
    git(&["checkout", "-q", "-b", "theirs"], &[]);
    write(theirs);
    git(&["commit", "-q", "-am", "reword"], &[]);
    git(&["checkout", "-q", "main"], &[]);
    write(ours);
    git(&["commit", "-q", "-am", "new entry"], &[]);
    Git::discover(dir, &Trust::none()).unwrap()
}

#[test]
fn a_replay_that_conflicts_names_the_files_and_leaves_the_worktree_as_it_was() {
    let (dir, git) = repo();
    let repository = changelog_edits(
        dir.path(),
        &git,
        [
            "- add a parser\n",
            "- add a parser for widgets\n",
            "- add a lexer\n- add a parser\n",
        ],
    );
    let tree = repository.worktree("test", "main").unwrap();
    let worktree = tree.dir().to_string_lossy().into_owned();
    // A retry whose text for their side still conflicts changes nothing.
    type Retry<'a> = &'a dyn Fn(&str, &str, &str, &str) -> Option<String>;
    let none: Retry = &|_, _, _, _| None;
    let still: Retry = &|_, _, _, theirs| Some(theirs.to_owned());
    for retry in [none, still] {
        let picked = tree.cherry_pick("theirs", false, retry).unwrap();
        assert_eq!(picked, Picked::Conflict(vec!["CHANGELOG.md".into()]));
        assert_eq!(tree.head().unwrap(), git(&["rev-parse", "main"], &[]));
        let status = git(&["-C", &worktree, "status", "--porcelain"], &[]);
        assert_eq!(status, "", "the worktree is clean again");
    }
}

#[test]
fn a_replay_whose_conflict_the_retry_resolves_is_made_as_their_commit() {
    let (dir, git) = repo();
    let repository = changelog_edits(
        dir.path(),
        &git,
        [
            "## [0.1.1]\n\n### Fixes\n\n- add a parser\n",
            "## [0.2.0] by hand\n\n### Fixes\n\n- add a parser for widgets\n",
            "## [0.2.0]\n\n### Fixes\n\n- add a parser\n",
        ],
    );
    let tree = repository.worktree("test", "main").unwrap();
    // Their side with our heading merges cleanly: the file is resolved, their commit made
    // with their message and author.
    let retry = |path: &str, base: &str, ours: &str, theirs: &str| {
        assert_eq!(path, "CHANGELOG.md");
        assert!(base.starts_with("## [0.1.1]") && ours.starts_with("## [0.2.0]\n"));
        Some(theirs.replace("## [0.2.0] by hand", "## [0.2.0]"))
    };
    let Picked::Done(id) = tree.cherry_pick("theirs", false, &retry).unwrap() else {
        panic!("not resolved")
    };
    let shown = git(&["log", "-1", "--format=%an|%s", &id], &[]);
    assert_eq!(shown, "Maya|reword");
    let text = git(&["show", &format!("{id}:CHANGELOG.md")], &[]);
    assert_eq!(
        text,
        "## [0.2.0]\n\n### Fixes\n\n- add a parser for widgets"
    );
    let worktree = tree.dir().to_string_lossy().into_owned();
    let status = git(&["-C", &worktree, "status", "--porcelain"], &[]);
    assert_eq!(status, "", "the worktree is clean");
}

#[test]
fn scratch_directories_are_new_private_and_distinct() {
    use std::os::unix::fs::PermissionsExt;
    let base = tempfile::tempdir().unwrap();
    let base = base.path().join("releasekit");
    let a = scratch_dir(&base, "test").unwrap();
    let b = scratch_dir(&base, "test").unwrap();
    assert_ne!(a, b);
    for dir in [&base, &a] {
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
    }
}

#[test]
fn worktrees_live_privately_inside_the_repositorys_git_directory_until_dropped() {
    use std::os::unix::fs::PermissionsExt;
    let (repo, repo_git) = testing::committed_repo(&[("file", "x")]);
    let root = repo.path().canonicalize().unwrap();

    let tree = repo_git.worktree("test", "HEAD").unwrap();
    let private = tree.scratch.clone();
    assert!(
        private.starts_with(root.join(".git/releasekit")),
        "{}",
        private.display()
    );
    assert!(tree.dir().starts_with(&private));
    assert_eq!(
        std::fs::read_to_string(tree.dir().join("file")).unwrap(),
        "x"
    );
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    drop(tree);
    assert!(!private.exists());
    assert!(!root.join(".git/releasekit").exists());
}

/// Only git's own revert (the exact inverse) is confirmed; a message naming a commit it
/// does not undo, a hash that names nothing, or a partial undo are not.
#[test]
fn a_revert_is_confirmed_only_when_its_changes_are_the_inverse_of_its_targets() {
    let (repo, git) = testing::committed_repo(&[("f", "1\n"), ("g", "1\n")]);
    let run = |args: &[&str]| testing::git_in(repo.path(), args);
    let edit = |file: &str, text: &str, message: &str| {
        std::fs::write(repo.path().join(file), text).unwrap();
        run(&["commit", "-qam", message]);
        run(&["rev-parse", "HEAD"])
    };
    let feat = edit("f", "1\n2\n", "feat!: two");
    run(&["revert", "--no-edit", "HEAD"]);
    let revert = run(&["rev-parse", "HEAD"]);
    let claim = edit(
        "g",
        "1\n3\n",
        &format!("fix: x\n\nThis reverts commit {}.", &feat[..7]),
    );
    let nothing = edit("g", "1\n4\n", "fix: y\n\nThis reverts commit abcdef0.");
    let again = edit("f", "1\n2\n", "feat: two again");
    // Undoes half of it: f back, g changed besides.
    std::fs::write(repo.path().join("g"), "1\n5\n").unwrap();
    let half = edit(
        "f",
        "1\n",
        &format!("Revert \"two again\"\n\nThis reverts commit {again}."),
    );

    let history = git.log().unwrap();
    let confirmed = |id: &str| {
        history
            .iter()
            .find(|c| c.id == id)
            .unwrap()
            .verified_revert
            .clone()
    };
    assert_eq!(confirmed(&revert), Some(feat.clone()));
    assert_eq!(confirmed(&claim), None);
    assert_eq!(confirmed(&nothing), None);
    assert_eq!(confirmed(&half), None);
    assert_eq!(confirmed(&feat), None);
}

#[test]
fn a_scratch_base_that_is_a_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let base = dir.path().join("releasekit");
    std::os::unix::fs::symlink(elsewhere.path(), &base).unwrap();
    assert!(scratch_dir(&base, "test").is_err());
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn dubious_ownership_names_the_refused_repository_and_how_to_declare_it_safe() {
    let stderr = "fatal: detected dubious ownership in repository at '/srv/my repo'\n\
                      To add an exception for this directory, call:\n\n\
                      \tgit config --global --add safe.directory '/srv/my repo'";
    assert_eq!(
        refused_repository(stderr),
        Some(PathBuf::from("/srv/my repo"))
    );
    let error = GitError::DubiousOwnership {
        repository: PathBuf::from("/srv/repo"),
        command: "rev-parse --show-toplevel".into(),
    };
    let hint = error.hint().unwrap();
    assert!(
        hint.starts_with(
            "declare it safe with `git config --global --add safe.directory /srv/repo`"
        ),
        "{hint}"
    );
}
