//! What one crate's GitHub Release says and how it is created (`[github_release]`, and
//! `[package.<name>.github_release]` per crate): whether there is one, as a draft or not, its
//! body from a template, and whether it may become the repository's latest release.
//!
//! Pure: the release stage reads the changelog section at the merge commit and creates what
//! comes back.

use serde::{Deserialize, Serialize};

use super::template::{Template, TemplateError};

/// What a release body template may use.
pub const BODY_PLACEHOLDERS: &[&str] = &["changelog", "name", "version", "tag", "compare_url"];

/// Whether a release may take GitHub's "Latest" badge (`make_latest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Latest {
    /// The primary crate's release, unless it is a prerelease (`make_latest: "true"`); every
    /// other crate's release `"false"`.
    #[default]
    Auto,
    /// Never (`make_latest: "false"`): the badge stays where it is.
    Never,
}

/// The GitHub Release settings of one crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GithubReleaseOptions {
    /// `false`: the crate is tagged, and gets no GitHub Release.
    pub enabled: bool,
    /// Created as a draft: nobody but the repository's writers sees it until it is published.
    pub draft: bool,
    /// `None`: the changelog section alone (`{changelog}`).
    pub body: Option<Template>,
    pub latest: Latest,
}

impl Default for GithubReleaseOptions {
    fn default() -> GithubReleaseOptions {
        GithubReleaseOptions {
            enabled: true,
            draft: false,
            body: None,
            latest: Latest::Auto,
        }
    }
}

/// The crate a release is made for.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseInput<'a> {
    pub name: &'a str,
    pub version: &'a semver::Version,
    pub tag: &'a str,
    /// The tag of the release before, when there was one.
    pub previous_tag: Option<&'a str>,
    /// The primary crate of the release (the one users install).
    pub primary: bool,
    /// The crate's changelog section for this version, when a changelog has one.
    pub changelog: Option<&'a str>,
    /// `https://github.com/owner/repo`.
    pub repository_url: Option<&'a str>,
}

/// The release to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseText {
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub prerelease: bool,
    /// GitHub's `make_latest`: `"true"` or `"false"`.
    pub make_latest: &'static str,
}

impl GithubReleaseOptions {
    /// The release of `input`, or `None` when releases are off for the crate.
    pub fn release(&self, input: &ReleaseInput<'_>) -> Result<Option<ReleaseText>, TemplateError> {
        if !self.enabled {
            return Ok(None);
        }
        let changelog = match input.changelog {
            Some(text) if !text.trim().is_empty() => text.to_owned(),
            _ => format!("Release of {} {}.", input.name, input.version),
        };
        let body = match &self.body {
            None => changelog,
            Some(template) => {
                let compare = match (input.repository_url, input.previous_tag) {
                    (Some(url), Some(previous)) => {
                        super::changelog::compare_url(url, previous, input.tag)
                    }
                    _ => String::new(),
                };
                let version = input.version.to_string();
                let text = template.render(&[
                    ("changelog", &changelog),
                    ("name", input.name),
                    ("version", &version),
                    ("tag", input.tag),
                    ("compare_url", &compare),
                ])?;
                text.trim_end().to_owned()
            }
        };
        let prerelease = !input.version.pre.is_empty();
        // GitHub gives no draft or prerelease the badge; "true" stays the primary's own ask.
        let latest = self.latest == Latest::Auto && input.primary && !prerelease;
        Ok(Some(ReleaseText {
            name: format!("{} {}", input.name, input.version),
            body,
            draft: self.draft,
            prerelease,
            make_latest: if latest { "true" } else { "false" },
        }))
    }
}

#[cfg(test)]
mod tests {
    use semver::Version;

    use super::*;

    const BODY: &str = "{changelog}\n\n{% if compare_url %}**Full diff:** {compare_url}\n{% endif %}Install: `cargo install {name}@{version}` ({tag})\n";

    fn input<'a>(version: &'a Version, previous: Option<&'a str>) -> ReleaseInput<'a> {
        ReleaseInput {
            name: "widgets",
            version,
            tag: "widgets-v1.4.0",
            previous_tag: previous,
            primary: true,
            changelog: Some("### Features\n\n- add `New` (ccccccc)"),
            repository_url: Some("https://github.com/owner/repo"),
        }
    }

    fn shaped(draft: bool, latest: Latest) -> GithubReleaseOptions {
        GithubReleaseOptions {
            enabled: true,
            draft,
            body: Some(Template::parse(BODY, BODY_PLACEHOLDERS).unwrap()),
            latest,
        }
    }

    #[test]
    fn release_body_template() {
        let version = Version::new(1, 4, 0);
        let options = shaped(false, Latest::Auto);
        let with_previous = options
            .release(&input(&version, Some("widgets-v1.3.0")))
            .unwrap()
            .unwrap();
        let first = options.release(&input(&version, None)).unwrap().unwrap();
        insta::assert_snapshot!(
            "release_body_template",
            format!(
                "name: {}\n--- with a release before\n{}\n--- first release\n{}",
                with_previous.name, with_previous.body, first.body
            )
        );
    }

    #[test]
    fn default_body_is_the_changelog_section_or_a_line_saying_what_was_released() {
        let version = Version::new(1, 4, 0);
        let options = GithubReleaseOptions::default();
        let text = options.release(&input(&version, None)).unwrap().unwrap();
        assert_eq!(text.body, "### Features\n\n- add `New` (ccccccc)");
        let mut bare = input(&version, None);
        bare.changelog = None;
        let text = options.release(&bare).unwrap().unwrap();
        assert_eq!(text.body, "Release of widgets 1.4.0.");
    }

    #[test]
    fn disabled_means_no_release() {
        let version = Version::new(1, 4, 0);
        let options = GithubReleaseOptions {
            enabled: false,
            ..GithubReleaseOptions::default()
        };
        assert_eq!(options.release(&input(&version, None)).unwrap(), None);
    }

    #[test]
    fn latest_goes_to_the_primary_stable_release_unless_never() {
        let stable = Version::new(1, 4, 0);
        let rc = Version::parse("1.4.0-rc.1").unwrap();
        let latest = |options: &GithubReleaseOptions, version: &Version, primary: bool| {
            let mut i = input(version, None);
            i.primary = primary;
            options.release(&i).unwrap().unwrap().make_latest
        };
        let auto = shaped(true, Latest::Auto);
        assert_eq!(latest(&auto, &stable, true), "true");
        assert_eq!(latest(&auto, &stable, false), "false");
        assert_eq!(latest(&auto, &rc, true), "false");
        assert_eq!(
            latest(&shaped(false, Latest::Never), &stable, true),
            "false"
        );
        assert!(auto.release(&input(&stable, None)).unwrap().unwrap().draft);
    }
}
