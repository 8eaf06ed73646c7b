//! Pushing to and fetching from the remote, with the token only in one command's environment.

use std::process::Command;

use super::{Git, GitError, command, finish, run};

impl Git {
    /// Push `commit` to `branch` of `remote`, replacing what is there — but only when the
    /// branch still is at `expected` (`None`: when it does not exist), so that a commit the
    /// maintainer pushed meanwhile is never thrown away. The token reaches git only through
    /// `http.extraheader` in this one command's environment (never argv, never the
    /// configuration on disk); an empty value first drops what actions/checkout persisted.
    pub fn force_push(
        &self,
        remote: &str,
        commit: &str,
        branch: &str,
        expected: Option<&str>,
        auth: Option<&PushAuth>,
    ) -> Result<(), GitError> {
        let mut cmd = command(&self.trust, &self.root);
        cmd.args([
            "push",
            &format!(
                "--force-with-lease=refs/heads/{branch}:{}",
                expected.unwrap_or_default()
            ),
            "--quiet",
            remote,
            &format!("{commit}:refs/heads/{branch}"),
        ]);
        authenticate(&mut cmd, auth);
        finish(cmd, &["push", remote, branch], &self.root).map(drop)
    }

    /// The commit `branch` of `remote` points at, if it exists.
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Result<Option<String>, GitError> {
        let out = run(
            &self.trust,
            &self.root,
            &[
                "ls-remote",
                "--heads",
                remote,
                &format!("refs/heads/{branch}"),
            ],
        )?;
        Ok(out.split_whitespace().next().map(str::to_owned))
    }

    /// Fetch `branch` of `remote` (its commits; of our refs only `FETCH_HEAD` changes) and
    /// return the commit it points at; `None` when it does not exist.
    pub fn fetch_branch(
        &self,
        remote: &str,
        branch: &str,
        auth: Option<&PushAuth>,
    ) -> Result<Option<String>, GitError> {
        if self.remote_branch(remote, branch)?.is_none() {
            return Ok(None);
        }
        let mut cmd = command(&self.trust, &self.root);
        cmd.args([
            "fetch",
            "--quiet",
            "--no-tags",
            remote,
            &format!("refs/heads/{branch}"),
        ]);
        authenticate(&mut cmd, auth);
        finish(cmd, &["fetch", remote, branch], &self.root)?;
        Ok(Some(self.rev_parse("FETCH_HEAD")?))
    }
}

/// Let `cmd` reach `auth`'s server with its token: `http.extraheader` in this command's
/// environment only; an empty value first drops what actions/checkout persisted.
fn authenticate(cmd: &mut Command, auth: Option<&PushAuth>) {
    let Some(auth) = auth else { return };
    use base64::Engine;
    let key = match &auth.server {
        Some(server) => format!("http.{}/.extraheader", server.trim_end_matches('/')),
        None => "http.extraheader".to_owned(),
    };
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{}", auth.token));
    cmd.env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", &key)
        .env("GIT_CONFIG_VALUE_0", "")
        .env("GIT_CONFIG_KEY_1", &key)
        .env(
            "GIT_CONFIG_VALUE_1",
            format!("AUTHORIZATION: basic {basic}"),
        )
        .env("GIT_TERMINAL_PROMPT", "0");
}

/// The token for one push, and the server it is for (`GITHUB_SERVER_URL`).
pub struct PushAuth {
    pub token: String,
    pub server: Option<String>,
}
