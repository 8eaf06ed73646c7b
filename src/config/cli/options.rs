//! The option groups, each declared once (`group!`), and each subcommand's options: the groups
//! it reads, flattened in `--help` order (`stage_options!`).

use std::path::PathBuf;

use clap::Args;

use super::{Give, Given};

/// An option group: a clap `Args` struct whose fields are [`Given`]'s of the same names.
macro_rules! group {
    ($(#[$doc:meta])* $name:ident { $($(#[$arg:meta])* $field:ident: $ty:ty,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Args)]
        pub struct $name {
            $($(#[$arg])* $field: $ty,)+
        }

        impl Give for $name {
            fn give(self, to: &mut Given) {
                $(to.$field = self.$field;)+
            }
        }
    };
}

/// A subcommand's options: the groups it reads, in `--help` order.
macro_rules! stage_options {
    ($(#[$doc:meta])* $name:ident { $($field:ident: $group:ty,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Args)]
        pub struct $name {
            $(#[command(flatten)] $field: $group,)+
        }

        impl Give for $name {
            fn give(self, to: &mut Given) {
                $(self.$field.give(to);)+
            }
        }
    };
}

group! {
    /// Where the workspace and its configuration are (every subcommand).
    Place {
        /// Directory of the workspace root [default: .]
        #[arg(long, value_name = "DIR")]
        workspace: Option<PathBuf>,
        /// Configuration file, relative to the workspace [default: releasekit.toml]
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    }
}

group! {
    /// The Rust toolchain cargo runs with (every stage reads the workspace with cargo).
    Toolchain {
        /// Rust toolchain for every cargo command, e.g. stable, 1.97, nightly-2026-10-01;
        /// installed with rustup when missing [default: the workspace's rust-toolchain file,
        /// else rustup's default]
        #[arg(long, value_name = "TOOLCHAIN")]
        toolchain: Option<String>,
    }
}

group! {
    /// One release group.
    Group {
        /// Only this release group (a [groups.<name>] of releasekit.toml)
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
    }
}

group! {
    /// How the next versions are chosen (the subcommands that plan).
    Versions {
        /// How far to bump: auto (from the commits), patch, minor or major
        #[arg(long, value_name = "TYPE")]
        bump_type: Option<String>,
        /// Release as a prerelease, e.g. rc (1.3.0 -> 1.4.0-rc.1, then -rc.2) or rc.1 to set the
        /// number
        #[arg(long, value_name = "LABEL")]
        prerelease: Option<String>,
        /// Open the Release PR even when no crate needs a bump
        #[arg(long)]
        force_prepare: bool,
    }
}

group! {
    /// The registry the crates go to.
    Registry {
        /// Registry to publish to, as named in cargo's config [default: crates.io]
        #[arg(long, value_name = "NAME")]
        registry: Option<String>,
    }
}

group! {
    /// The subcommands that write to GitHub or the registry.
    Remote {
        /// Compute and report everything, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Retries of a failed upload or API call, 0 to 10 [default: 2]
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        max_retries: Option<String>,
    }
}

group! {
    /// Uploads.
    Uploads {
        /// Most uploads at once, 0 to 64; 0 = automatic [default: 0]
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        concurrency: Option<String>,
    }
}

group! {
    /// Whether `auto` uploads after a release.
    SkipPublish {
        /// Tag and release, but upload nothing
        #[arg(long)]
        skip_publish: bool,
    }
}

group! {
    /// What the registry has: asked, from a file, or not at all.
    PublishedFile {
        /// Versions already published, as JSON {"crate": ["1.0.0", ...]}, instead of asking the
        /// registry
        #[arg(long, value_name = "FILE")]
        published_file: Option<PathBuf>,
        /// Ask no registry: the release tags stand in for what was published (also
        /// CARGO_NET_OFFLINE=true)
        #[arg(long)]
        offline: bool,
    }
}

group! {
    /// `plan` and `publish` in a script.
    Json {
        /// Print the plan as JSON on stdout (publish: with what the run did), and nothing else
        #[arg(long)]
        json: bool,
    }
}

group! {
    /// `plan` on a laptop.
    MetadataFile {
        /// Read `cargo metadata --format-version 1` JSON from FILE instead of running cargo
        #[arg(long, value_name = "FILE")]
        metadata_file: Option<PathBuf>,
    }
}

group! {
    /// What `yank` rolls back, and which way.
    YankSet {
        /// This crate version instead of the merged Release PR's crates (repeatable)
        #[arg(long = "crate", value_name = "NAME@VERSION")]
        crates: Vec<String>,
        /// Unyank instead, and take the marks off the GitHub Releases
        #[arg(long)]
        undo: bool,
    }
}

stage_options! {
    /// What the stages that plan read (`apply` writes exactly what `plan` shows).
    ApplyArgs {
        place: Place,
        toolchain: Toolchain,
        group: Group,
        versions: Versions,
        registry: Registry,
        published: PublishedFile,
    }
}

stage_options! {
    PlanArgs {
        apply: ApplyArgs,
        json: Json,
        metadata: MetadataFile,
    }
}

stage_options! {
    PrepareArgs {
        apply: ApplyArgs,
        remote: Remote,
    }
}

stage_options! {
    /// Release reads the merged Release PR and the workspace at its merge commit (`cargo
    /// metadata`), and which members are publishable to the registry: no group of its own (the
    /// Release PR's).
    ReleaseArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
    }
}

stage_options! {
    PublishArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        group: Group,
        registry: Registry,
        uploads: Uploads,
        json: Json,
    }
}

stage_options! {
    /// Yank reads the merged Release PR (as release does) or takes the crates it is given, and
    /// the registry's index.
    YankArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
        set: YankSet,
    }
}

stage_options! {
    /// Notify reads what was released from the merged Release PR (as release does), and the
    /// registry's index.
    NotifyArgs {
        place: Place,
        toolchain: Toolchain,
        remote: Remote,
        registry: Registry,
    }
}

stage_options! {
    /// `auto` may run any stage, so it reads what the action does.
    AutoArgs {
        prepare: PrepareArgs,
        uploads: Uploads,
        skip: SkipPublish,
    }
}
