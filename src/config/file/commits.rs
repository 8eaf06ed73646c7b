//! `[commits]`: the bump of each Conventional Commits type, over the defaults.

use std::collections::BTreeMap;

use super::{RawCommits, Source};
use crate::config::ConfigError;
use crate::plan::Bump;
use crate::plan::commits::{COMMIT_TYPES, CommitRules};

impl Source<'_> {
    /// `[commits]` on top of the defaults: each listed type's bump replaces the default's. A type
    /// is one of [`COMMIT_TYPES`], in any case, listed once.
    pub(super) fn commits(&self, raw: RawCommits) -> Result<CommitRules, ConfigError> {
        let mut rules = CommitRules::default();
        let mut types: Vec<_> = raw.types.into_iter().collect();
        // In the order of the file, so that a second spelling of a type is the one refused.
        types.sort_by_key(|(kind, _)| kind.span().start);
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (kind, bump) in types {
            let written = kind.get_ref();
            let lower = written.to_lowercase();
            if !COMMIT_TYPES.contains(&lower.as_str()) {
                return Err(self.error(
                    kind.span(),
                    "commits.types",
                    written,
                    &format!(
                        "expected one of the Conventional Commits types: {}",
                        COMMIT_TYPES.join(", ")
                    ),
                ));
            }
            if let Some(first) = seen.insert(lower.clone(), written.clone()) {
                return Err(self.error(
                    kind.span(),
                    "commits.types",
                    written,
                    &format!(
                        "expected each type once (types are read in lower case, and `{first}` is listed already)"
                    ),
                ));
            }
            let key = format!("commits.types.{written}");
            let (value, text) = match bump.get_ref() {
                toml::Value::String(text) => (parse_bump(text), text.clone()),
                toml::Value::Table(_) => (None, "a table".to_owned()),
                other => (None, other.to_string()),
            };
            let bump = value.ok_or_else(|| {
                self.error(
                    bump.span(),
                    &key,
                    &text,
                    "expected one of none, patch, minor, major",
                )
            })?;
            rules.types.insert(lower, bump);
        }
        if let Some(value) = raw.non_conventional {
            rules.non_conventional = match parse_bump(value.get_ref()) {
                Some(bump @ (Bump::None | Bump::Patch)) => bump,
                _ => {
                    return Err(self.error(
                        value.span(),
                        "commits.non_conventional",
                        value.get_ref(),
                        "expected none or patch",
                    ));
                }
            };
        }
        Ok(rules)
    }
}

fn parse_bump(value: &str) -> Option<Bump> {
    match value {
        "none" => Some(Bump::None),
        "patch" => Some(Bump::Patch),
        "minor" => Some(Bump::Minor),
        "major" => Some(Bump::Major),
        _ => None,
    }
}

/// A Conventional Commits type as git-conventional reads it: a word of letters, digits and
/// `-`, starting with a letter.
pub(super) fn is_commit_type(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}
