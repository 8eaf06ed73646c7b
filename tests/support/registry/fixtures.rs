//! Generators of the CARGO_HOME and the workspaces the publish tests run on.

use super::*;

/// The sparse index path of `name`: `1/a`, `2/ab`, `3/a/abc`, `he/ll/hello`, lower-cased.
pub fn index_path(name: &str) -> String {
    let name = name.to_lowercase();
    match name.len() {
        1 => format!("1/{name}"),
        2 => format!("2/{name}"),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// A CARGO_HOME whose config.toml names the registry `registry_name` at `index_url`; cargo's
/// other defaults stay (network retries included), as a user's would.
pub fn cargo_home(dir: &Path, registry_name: &str, index_url: &str) {
    std::fs::create_dir_all(dir).expect("CARGO_HOME dir");
    let config = format!("[registries.{registry_name}]\nindex = \"{index_url}\"\n");
    std::fs::write(dir.join("config.toml"), config).expect("write config.toml");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Normal,
    Build,
    Dev,
}

/// A workspace member for [`write_workspace`].
#[derive(Debug, Clone)]
pub struct CrateSpec {
    pub name: String,
    pub version: String,
    pub deps: Vec<DepSpec>,
}

/// A dependency on another member of the same generated workspace.
#[derive(Debug, Clone)]
pub struct DepSpec {
    pub name: String,
    pub kind: Kind,
    /// The requirement; `None` writes a path-only dependency (publishable only as a dev-dep).
    pub version: Option<String>,
    pub optional: bool,
    pub rename: Option<String>,
    /// `cfg(...)` or a target triple.
    pub target: Option<String>,
}

impl CrateSpec {
    pub fn new(name: &str, version: &str) -> CrateSpec {
        CrateSpec {
            name: name.to_owned(),
            version: version.to_owned(),
            deps: Vec::new(),
        }
    }

    pub fn dep(mut self, dep: DepSpec) -> CrateSpec {
        self.deps.push(dep);
        self
    }
}

impl DepSpec {
    /// A normal dependency on `name` with requirement `version`.
    pub fn new(name: &str, version: &str) -> DepSpec {
        DepSpec {
            name: name.to_owned(),
            kind: Kind::Normal,
            version: Some(version.to_owned()),
            optional: false,
            rename: None,
            target: None,
        }
    }

    pub fn kind(self, kind: Kind) -> DepSpec {
        DepSpec { kind, ..self }
    }

    pub fn path_only(self) -> DepSpec {
        DepSpec {
            version: None,
            ..self
        }
    }

    pub fn optional(self) -> DepSpec {
        DepSpec {
            optional: true,
            ..self
        }
    }

    pub fn rename(self, key: &str) -> DepSpec {
        DepSpec {
            rename: Some(key.to_owned()),
            ..self
        }
    }

    pub fn target(self, target: &str) -> DepSpec {
        DepSpec {
            target: Some(target.to_owned()),
            ..self
        }
    }

    /// The key in the manifest, and the feature of an optional dependency.
    pub(super) fn key(&self) -> &str {
        self.rename.as_deref().unwrap_or(&self.name)
    }

    /// `#[cfg(...)]` guarding the dependency's use, or `None` when it is always there.
    /// A target triple has no cfg of its own, so its dependency goes unused.
    pub(super) fn cfg(&self) -> Option<Option<String>> {
        let target = match self.target.as_deref() {
            None => None,
            Some(t) => match t.strip_prefix("cfg(").and_then(|t| t.strip_suffix(')')) {
                Some(predicate) => Some(predicate.to_owned()),
                None => return None,
            },
        };
        let feature = self
            .optional
            .then(|| format!("feature = \"{}\"", self.key()));
        Some(match (target, feature) {
            (Some(t), Some(f)) => Some(format!("all({t}, {f})")),
            (t, f) => t.or(f),
        })
    }
}

/// Writes a committed git repository at `dir` holding a workspace of `crates` under
/// `crates/<name>`, all publishable to `registry` only, with Cargo.lock. Each lib.rs (and
/// build.rs) uses every normal (build) dependency, so a missing one fails the build.
pub fn write_workspace(dir: &Path, registry: &str, crates: &[CrateSpec]) {
    let members: Vec<String> = crates
        .iter()
        .map(|c| format!("\"crates/{}\"", c.name))
        .collect();
    let root = format!(
        "[workspace]\nmembers = [{}]\nresolver = \"2\"\n",
        members.join(", ")
    );
    write(dir, "Cargo.toml", &root);
    write(dir, ".gitignore", "/target\n");
    for spec in crates {
        let base = format!("crates/{}", spec.name);
        write(
            dir,
            &format!("{base}/Cargo.toml"),
            &member_manifest(spec, registry),
        );
        write(dir, &format!("{base}/src/lib.rs"), &lib_rs(spec));
        if spec.deps.iter().any(|d| d.kind == Kind::Build) {
            write(dir, &format!("{base}/build.rs"), &build_rs(spec));
        }
    }
    // Cargo must know the registry to read `registry = …`; offline, it never contacts it.
    let variable = format!(
        "CARGO_REGISTRIES_{}_INDEX",
        registry.to_uppercase().replace('-', "_")
    );
    let mut lock = Command::new("cargo");
    lock.args(["generate-lockfile", "--offline", "--quiet"]);
    if std::env::var_os(&variable).is_none() {
        lock.env(&variable, "sparse+http://127.0.0.1:9/");
    }
    run(lock.current_dir(dir));
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.email", "dev@example.com"],
        &["config", "user.name", "Dev"],
        &["config", "commit.gpgsign", "false"],
        &["add", "-A"],
        &["commit", "-q", "-m", "chore: generated workspace"],
    ] {
        run(Command::new("git").args(args).current_dir(dir));
    }
}

pub(super) fn member_manifest(spec: &CrateSpec, registry: &str) -> String {
    let name = &spec.name;
    let mut text = format!(
        "[package]\nname = \"{name}\"\nversion = \"{}\"\nedition = \"2021\"\n\
         description = \"{name}, generated for registry tests\"\nlicense = \"MIT\"\n\
         publish = [\"{registry}\"]\n",
        spec.version
    );
    let mut tables: BTreeMap<(Option<&str>, Kind), Vec<String>> = BTreeMap::new();
    for dep in &spec.deps {
        let mut fields = vec![format!("path = \"../{}\"", dep.name)];
        if let Some(version) = &dep.version {
            fields.push(format!("version = \"{version}\""));
            fields.push(format!("registry = \"{registry}\""));
        }
        if dep.rename.is_some() {
            fields.push(format!("package = \"{}\"", dep.name));
        }
        if dep.optional {
            fields.push("optional = true".to_owned());
        }
        let line = format!("{} = {{ {} }}", dep.key(), fields.join(", "));
        tables
            .entry((dep.target.as_deref(), dep.kind))
            .or_default()
            .push(line);
    }
    for ((target, kind), lines) in tables {
        let table = match kind {
            Kind::Normal => "dependencies",
            Kind::Build => "build-dependencies",
            Kind::Dev => "dev-dependencies",
        };
        match target {
            Some(target) => text += &format!("\n[target.'{target}'.{table}]\n"),
            None => text += &format!("\n[{table}]\n"),
        }
        text += &(lines.join("\n") + "\n");
    }
    let optional: Vec<&DepSpec> = spec.deps.iter().filter(|d| d.optional).collect();
    if !optional.is_empty() {
        text += "\n[features]\n";
        for dep in optional {
            text += &format!("{0} = [\"dep:{0}\"]\n", dep.key());
        }
    }
    text
}

pub(super) fn lib_rs(spec: &CrateSpec) -> String {
    let mut text = format!(
        "//! `{0}`, generated for registry tests.\n\npub fn name() -> &'static str {{\n    \"{0}\"\n}}\n",
        spec.name
    );
    text += &uses(spec, Kind::Normal, "pub use");
    text
}

pub(super) fn build_rs(spec: &CrateSpec) -> String {
    let uses = uses(spec, Kind::Build, "use");
    format!("#![allow(unused_imports)]\n{uses}\nfn main() {{}}\n")
}

/// One `use` per distinct dependency of `kind`, guarded like its declaration.
pub(super) fn uses(spec: &CrateSpec, kind: Kind, keyword: &str) -> String {
    let mut seen = Vec::new();
    let mut text = String::new();
    for dep in spec.deps.iter().filter(|d| d.kind == kind) {
        let ident = dep.key().replace('-', "_");
        let Some(cfg) = dep.cfg() else { continue };
        if seen.contains(&ident) {
            continue;
        }
        if let Some(cfg) = cfg {
            text += &format!("#[cfg({cfg})]\n");
        }
        let alias = if keyword == "use" { " as _" } else { "" };
        text += &format!("{keyword} {ident}{alias};\n");
        seen.push(ident);
    }
    text
}

pub(super) fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

pub(super) fn run(command: &mut Command) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `layers` × `width` crates `l{k}-c{i}` at 0.1.0; crate i of layer k depends on crates i and
/// i+1 (wrapping) of layer k-1:
///
/// ```text
/// l1-c0  l1-c1  l1-c2
///   | \    | \    | \
/// l0-c0  l0-c1  l0-c2   (l1-c2 → l0-c2, l0-c0)
/// ```
pub fn layered(layers: usize, width: usize) -> Vec<CrateSpec> {
    layers_of(&vec![width; layers], false)
}

/// Layer k has `widths[k]` crates; crate i of layer k depends on crates i and i+1 (wrapping) of
/// layer k-1, and crate 0 of layer k also on crate 0 of layer k-2 (an edge that skips a layer).
pub fn irregular(widths: &[usize]) -> Vec<CrateSpec> {
    layers_of(widths, true)
}

pub(super) fn layers_of(widths: &[usize], skip: bool) -> Vec<CrateSpec> {
    let name = |k: usize, i: usize| format!("l{k}-c{i}");
    let mut crates = Vec::new();
    for (k, &width) in widths.iter().enumerate() {
        for i in 0..width {
            let mut spec = CrateSpec::new(&name(k, i), "0.1.0");
            let below = k.checked_sub(1).map_or(0, |b| widths[b]);
            let mut targets: Vec<String> = Vec::new();
            if below > 0 {
                targets.push(name(k - 1, i % below));
                targets.push(name(k - 1, (i + 1) % below));
            }
            if skip && k >= 2 && i == 0 && widths[k - 2] > 0 {
                targets.push(name(k - 2, 0));
            }
            targets.dedup();
            for target in targets {
                if !spec.deps.iter().any(|d| d.name == target) {
                    spec = spec.dep(DepSpec::new(&target, "0.1.0"));
                }
            }
            crates.push(spec);
        }
    }
    crates
}
