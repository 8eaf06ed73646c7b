//! What can go wrong running git, and the hint each failure gives the user.

use std::path::PathBuf;

use crate::hint::Hint;
use crate::plan::git_output::FramingError;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{dir} is not inside a git repository")]
    NotARepository { dir: PathBuf },
    #[error("`git {command}` failed in {dir}: {stderr}")]
    Failed {
        command: String,
        dir: PathBuf,
        stderr: String,
    },
    #[error(
        "git refuses the repository at {repository}: it is owned by another user (`git {command}`)"
    )]
    DubiousOwnership {
        repository: PathBuf,
        command: String,
    },
    #[error("could not run git")]
    Spawn(#[source] std::io::Error),
    #[error(transparent)]
    Unreadable(#[from] FramingError),
    #[error("the clone at {dir} is shallow: `{stage}` needs the whole history and every tag")]
    Shallow { dir: PathBuf, stage: String },
}

impl Hint for GitError {
    fn hint(&self) -> Option<String> {
        match self {
            GitError::NotARepository { .. } => Some(
                "run releasekit-cargo inside a git clone of the workspace (in Actions: actions/checkout with `fetch-depth: 0`)"
                    .into(),
            ),
            GitError::Spawn(_) => Some("install git and make sure it is on PATH".into()),
            GitError::DubiousOwnership { repository, .. } => Some(format!(
                "declare it safe with `git config --global --add safe.directory {}` (releasekit-cargo does so itself only inside GitHub Actions, for GITHUB_WORKSPACE and the directories down to the workspace)",
                repository.display()
            )),
            GitError::Shallow { .. } => Some(
                "use fetch-depth: 0 (actions/checkout `with: { fetch-depth: 0 }`), or `git fetch --unshallow --tags` before this step".into(),
            ),
            GitError::Unreadable(_) => Some(
                "git printed something releasekit-cargo cannot read: please report it with the output of `git --version`".into(),
            ),
            GitError::Failed { .. } => None,
        }
    }
}
