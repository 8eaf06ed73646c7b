//! Which variables of the environment are secrets, and the check that every token is one line of
//! printable ASCII before anything runs.

use super::{ConfigError, Env, is_token_variable};

/// Whether the environment variable `name` holds a secret that no child process may see but the
/// one that needs it: the tokens, and what trusted publishing and the runner's cache service
/// would take for one (`ACTIONS_ID_TOKEN_REQUEST_URL` with its token mints OIDC tokens).
pub fn is_secret_variable(name: &str) -> bool {
    is_token_variable(name)
        || matches!(
            name,
            "ACTIONS_ID_TOKEN_REQUEST_URL" | "ACTIONS_RUNTIME_TOKEN"
        )
}

/// Every token of the environment is one line of printable ASCII, as it will be sent (the
/// GitHub token trimmed, as the inputs are; registry tokens as cargo reads them).
pub(super) fn check_tokens(env: &Env) -> Result<(), ConfigError> {
    for (name, value) in &env.vars {
        if !is_token_variable(name) {
            continue;
        }
        let sent = match name.as_str() {
            "INPUT_TOKEN" | "GITHUB_TOKEN" => value.trim(),
            _ => value.as_str(),
        };
        if let Some(what) = token_problem(sent) {
            return Err(ConfigError::BadToken {
                variable: name.clone(),
                what,
            });
        }
    }
    Ok(())
}

/// What keeps `token` from being one line of printable ASCII (an HTTP header value), if
/// anything; never the token itself.
pub fn token_problem(token: &str) -> Option<&'static str> {
    token.chars().find_map(|c| match c {
        '\n' | '\r' => Some("a line break"),
        c if c.is_control() => Some("a control character"),
        c if !c.is_ascii() => Some("a character outside ASCII"),
        _ => None,
    })
}
