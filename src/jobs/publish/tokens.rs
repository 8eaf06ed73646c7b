//! The token the uploads send: the configured one, or with trusted publishing one minted from
//! the job's OIDC token, renewed before crates.io's 30 minutes run out and revoked at the end.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::adapters::actions::mask_command;
use crate::adapters::oidc::TrustedPublishing;
use crate::config::Secret;
use crate::error::Result;
use crate::hint::with_hint;
use crate::jobs::Context;

/// A trusted-publishing token is renewed when it is this old (crates.io's live 30 minutes).
const RENEW_AFTER: Duration = Duration::from_secs(25 * 60);

pub(super) enum Tokens {
    /// The registry token from the environment or cargo's credentials.
    Configured(Secret),
    Trusted {
        tp: Box<TrustedPublishing>,
        lease: Mutex<Lease>,
    },
}

pub(super) struct Lease {
    token: Secret,
    minted: Instant,
    /// `::add-mask::` lines of tokens minted on a worker thread, for the main thread to print.
    masks: Vec<String>,
    /// Tokens replaced by a newer one, revoked at the end.
    retired: Vec<Secret>,
}

impl Tokens {
    /// The configured token, else trusted publishing: the first token minted and masked now,
    /// before any upload. `None` when there is neither (pre-flight said so).
    pub fn start(
        ctx: &mut Context<'_>,
        configured: Option<&Secret>,
        trusted: Option<TrustedPublishing>,
    ) -> Result<Option<Tokens>> {
        if let Some(token) = configured {
            return Ok(Some(Tokens::Configured(token.clone())));
        }
        let Some(tp) = trusted else {
            return Ok(None);
        };
        let token = tp.mint()?;
        ctx.command(&mask_command(token.expose()))?;
        super::say(
            ctx,
            "trusted publishing: exchanged the job's OIDC token for a registry token\n",
        )?;
        Ok(Some(Tokens::Trusted {
            tp: Box::new(tp),
            lease: Mutex::new(Lease {
                token,
                minted: Instant::now(),
                masks: Vec::new(),
                retired: Vec::new(),
            }),
        }))
    }

    /// The token for the next request, renewed when it is old.
    pub fn current(&self) -> std::result::Result<Secret, String> {
        match self {
            Tokens::Configured(token) => Ok(token.clone()),
            Tokens::Trusted { tp, lease } => {
                let mut lease = lease.lock().unwrap_or_else(PoisonError::into_inner);
                if lease.minted.elapsed() >= RENEW_AFTER {
                    let fresh = tp.mint().map_err(|e| with_hint(&e))?;
                    lease.masks.push(mask_command(fresh.expose()));
                    let old = std::mem::replace(&mut lease.token, fresh);
                    lease.retired.push(old);
                    lease.minted = Instant::now();
                }
                Ok(lease.token.clone())
            }
        }
    }

    /// `::add-mask::` lines of tokens minted since the last call.
    pub fn take_masks(&self) -> Vec<String> {
        match self {
            Tokens::Configured(_) => Vec::new(),
            Tokens::Trusted { lease, .. } => {
                std::mem::take(&mut lease.lock().unwrap_or_else(PoisonError::into_inner).masks)
            }
        }
    }

    /// Revoke every token minted; what could not be revoked, as warnings.
    pub fn finish(&self) -> Vec<String> {
        let Tokens::Trusted { tp, lease } = self else {
            return Vec::new();
        };
        let lease = lease.lock().unwrap_or_else(PoisonError::into_inner);
        std::iter::once(&lease.token)
            .chain(lease.retired.iter())
            .filter_map(|t| tp.revoke(t).err())
            .map(|e| with_hint(&e))
            .collect()
    }
}
