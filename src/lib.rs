//! releasekit-cargo: release the crates of a Cargo workspace.
//!
//! `plan` is the pure core, `adapters` touch the world, `jobs` orchestrate, `config` turns
//! inputs into one validated [`config::Config`]. [`run`] is the whole program minus the process
//! exit.

pub mod adapters;
pub mod config;
pub mod error;
pub mod hint;
pub mod jobs;
pub mod plan;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use adapters::actions::{Runner, annotation, mask_command};
use config::{Command, Env};
use error::{Error, Result};
use plan::release::PlanError;

/// Run the program with these arguments and this environment, printing to `out`.
pub fn run(args: impl IntoIterator<Item = OsString>, env: &Env, out: &mut dyn Write) -> Result<()> {
    let in_actions = env.in_actions();
    // Mask every secret before anything else is printed, even before validating the inputs.
    if in_actions {
        for secret in env.secrets() {
            let _ = writeln!(out, "{}", mask_command(secret.expose()));
        }
    }
    // The inputs and the environment (the repository, the event) are read and checked first.
    let config = config::load_from(args, env)?;
    if config.metadata_file.is_none() && !config.workspace.is_dir() {
        return Err(config::ConfigError::NoWorkspace {
            path: config.workspace,
        }
        .into());
    }
    let runner = Runner {
        output: config.env.output_file.clone(),
        summary: config.env.summary_file.clone(),
    };
    // What the run reports to is checked before anything else: finding out after the tags
    // were made would leave a release half done.
    runner.check().map_err(Error::RunnerFile)?;
    let command = config.command;
    let workspace = config.workspace.clone();
    // Every stage reads the workspace with cargo, so it finds its toolchain before anything
    // else (`auto` once it knows it runs a stage).
    let uses_cargo = match command {
        Command::Plan | Command::Apply => config.metadata_file.is_none(),
        Command::Publish => !config.skip_publish,
        Command::Prepare | Command::Release | Command::Notify | Command::Yank => true,
        Command::Auto => false,
    };
    let mut ctx = jobs::Context {
        config,
        runner,
        out: adapters::actions::Console::new(out, in_actions),
        cargo: std::sync::OnceLock::new(),
        repo: std::sync::OnceLock::new(),
    };
    if uses_cargo {
        ctx.announce_toolchain()?;
    }
    let result = match command {
        Command::Plan => jobs::plan::run(&mut ctx).map(drop),
        Command::Apply => jobs::apply::run(&mut ctx).map(drop),
        Command::Prepare => jobs::prepare::run(&mut ctx).map(drop),
        Command::Release => jobs::release::run(&mut ctx, None).map(drop),
        Command::Publish => jobs::publish::run(&mut ctx, None).map(drop),
        Command::Notify => jobs::notify::run(&mut ctx, None).map(drop),
        Command::Yank => jobs::yank::run(&mut ctx).map(drop),
        Command::Auto => jobs::auto::run(&mut ctx),
    };
    // Which toolchain ran, in the summary; not after a refusal (exit 2), which writes nothing.
    if let Some(toolchain) = ctx.toolchain_used()
        && result.as_ref().err().is_none_or(|e| e.exit_code() != 2)
    {
        let written = ctx.runner.summary(&toolchain.markdown());
        if result.is_ok() {
            written?;
        }
    }
    if let (true, Err(Error::Plan(PlanError::Manifests(problems)))) = (in_actions, &result) {
        for p in problems {
            let text = std::fs::read_to_string(workspace.join(&p.manifest)).unwrap_or_default();
            let line = plan::manifest::dependency_line(&text, p.kind, &p.dependency);
            let _ = ctx
                .out
                .command(&annotation("error", Some(&p.manifest), line, &p.message));
        }
    }
    // The runner reads commands again after the run (`main` prints the error annotation).
    let resumed = ctx.out.resume();
    result.and(resumed.map_err(|source| Error::Io {
        action: "write to",
        path: PathBuf::from("stdout"),
        source,
    }))
}
