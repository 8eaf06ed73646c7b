//! `owners` from the configuration added to every crate this release publishes for the first
//! time, once: the registry's owner list is read first and only the missing owners are added
//! (an owner already there is success), so a re-run that finds the crate uploaded completes
//! what an interrupted run left. A failure is reported; it does not fail the publish.

use crate::adapters::registry_api::RegistryApi;
use crate::config::Secret;
use crate::hint::with_hint;
use crate::plan::publish::{OwnersOutcome, PublishPlan};
use crate::plan::schedule::{CrateState, Schedule};

use super::tokens::Tokens;

/// Add the configured owners to the first-time crates that are in the index now.
pub(super) fn add_owners(
    api: &RegistryApi,
    tokens: &Tokens,
    plan: &PublishPlan,
    schedule: &Schedule,
) -> Vec<OwnersOutcome> {
    if plan.owners.is_empty() {
        return Vec::new();
    }
    plan.crates
        .iter()
        .filter(|c| c.first)
        .filter(|c| {
            matches!(
                schedule.state(&c.name),
                CrateState::Visible | CrateState::Skipped
            )
        })
        .map(|c| OwnersOutcome {
            krate: c.name.clone(),
            result: tokens
                .current()
                .and_then(|token| ensure(api, &c.name, &plan.owners, &token)),
        })
        .collect()
}

/// The owners added (empty: all were owners already), or why not.
fn ensure(
    api: &RegistryApi,
    name: &str,
    owners: &[String],
    token: &Secret,
) -> Result<Vec<String>, String> {
    let current = api.owners(name, token).map_err(|e| with_hint(&e))?;
    let missing: Vec<String> = owners
        .iter()
        .filter(|o| !current.iter().any(|c| c.eq_ignore_ascii_case(o)))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(missing);
    }
    api.add_owners(name, &missing, token)
        .map(|_| missing)
        .map_err(|e| with_hint(&e))
}
