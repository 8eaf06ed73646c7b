//! The values both paths (action inputs and the command line) share, still as the user wrote
//! them, and their validation into a [`Config`].

use std::path::PathBuf;

use super::*;

/// The values both paths share, still as the user wrote them.
pub(crate) struct Common<'a> {
    pub command: Command,
    pub dry_run: bool,
    pub force_prepare: bool,
    pub skip_publish: bool,
    pub group: Option<&'a str>,
    pub bump_type: Option<&'a str>,
    pub prerelease: Option<&'a str>,
    pub concurrency: Option<&'a str>,
    pub max_retries: Option<&'a str>,
    pub registry: Option<&'a str>,
    pub toolchain: Option<&'a str>,
    pub token: Option<Secret>,
    /// Absolute workspace directory.
    pub workspace: PathBuf,
    pub config: Option<&'a str>,
}

impl Common<'_> {
    /// Validate; `setting` names a value the way this path shows it (input or flag).
    pub(crate) fn into_config(
        self,
        env: &Env,
        setting: impl Fn(&'static str) -> Setting,
    ) -> Result<Config, ConfigError> {
        let config_file = absolute(
            &self.workspace,
            Path::new(self.config.unwrap_or(DEFAULT_CONFIG_FILE)),
        );
        let run_env = env::resolve(env, &self.workspace)?;
        let cargo = CargoSetup {
            toolchain: toolchain(setting("toolchain"), self.toolchain)?,
            // The home cargo reads its registries and credentials from too.
            home: run_env.registry.cargo_home.clone(),
            target_dir: env.get("CARGO_TARGET_DIR").map(PathBuf::from),
            hidden: env
                .vars
                .keys()
                .filter(|name| is_secret_variable(name))
                .cloned()
                .collect(),
        };
        Ok(Config {
            command: self.command,
            in_actions: env.in_actions(),
            dry_run: self.dry_run,
            force_prepare: self.force_prepare,
            skip_publish: self.skip_publish,
            group: name(setting("group"), self.group)?,
            bump_type: bump_type(setting("bump_type"), self.bump_type)?,
            prerelease: prerelease(setting("prerelease"), self.prerelease)?,
            concurrency: count(
                setting("concurrency"),
                self.concurrency,
                0,
                MAX_CONCURRENCY as u32,
            )? as usize,
            max_retries: count(
                setting("max_retries"),
                self.max_retries,
                DEFAULT_MAX_RETRIES,
                MAX_MAX_RETRIES,
            )?,
            token: self.token,
            registry: name(setting("registry"), self.registry)?,
            workspace: self.workspace,
            config_file,
            config_explicit: self.config.is_some(),
            json: false,
            metadata_file: None,
            published_file: None,
            cargo,
            offline: env.get("CARGO_NET_OFFLINE") == Some("true"),
            yank: YankOptions::default(),
            env: run_env,
        })
    }
}
