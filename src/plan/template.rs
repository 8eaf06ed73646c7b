//! The templates a maintainer writes into the configuration (a changelog entry, a GitHub
//! Release body): `{name}` placeholders, and `{% if name %}…{% endif %}` around text that only
//! makes sense when a value is there.
//!
//! Plain placeholder substitution is not enough: most values are optional (a commit without a
//! scope or a PR number, a first release without a comparison), and `- **{scope}:** {subject}`
//! would print `- **:** …` for every commit without a scope. minijinja (a well-kept, dependency
//! free Jinja engine) gives conditionals and filters; its variable delimiters are set to single
//! braces so that the plain `{subject}` form reads as documented. Values are data: text from a
//! commit is never read as a template.
//!
//! Pure: checking and rendering only; where the template was written is the caller's.

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    /// Byte offset in the template's text where the problem is.
    pub offset: usize,
    pub message: String,
}

/// A template checked against the placeholders it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
}

impl serde::Serialize for Template {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl Template {
    /// Parse `source`; every name it reads must be one of `placeholders`.
    pub fn parse(source: &str, placeholders: &[&str]) -> Result<Template, TemplateError> {
        let env = &*ENVIRONMENT;
        let template = env
            .template_from_str(source)
            .map_err(|e| syntax_error(source, &e))?;
        let globals: Vec<String> = env.globals().map(|(name, _)| name.to_owned()).collect();
        let mut unknown: Vec<String> = template
            .undeclared_variables(false)
            .into_iter()
            .filter(|name| !placeholders.contains(&name.as_str()) && !globals.contains(name))
            .collect();
        unknown.sort_by_key(|name| first_use(source, name));
        if let Some(name) = unknown.first() {
            let known: Vec<String> = placeholders.iter().map(|p| format!("{{{p}}}")).collect();
            return Err(TemplateError {
                offset: first_use(source, name),
                message: format!(
                    "unknown placeholder {{{name}}}; expected {}",
                    known.join(", ")
                ),
            });
        }
        Ok(Template {
            source: source.to_owned(),
        })
    }

    /// The template's text as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Fill in `values` (every placeholder the template was checked against). An empty value
    /// is false in `{% if … %}`.
    pub fn render(&self, values: &[(&str, &str)]) -> Result<String, TemplateError> {
        let env = &*ENVIRONMENT;
        let context: std::collections::BTreeMap<String, Value> = values
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Value::from(*value)))
            .collect();
        env.render_str(&self.source, Value::from(context))
            .map_err(|e| syntax_error(&self.source, &e))
    }
}

/// One environment for every template: building it (syntax, filters) for each rendered
/// changelog entry cost a build per commit.
static ENVIRONMENT: std::sync::LazyLock<Environment<'static>> =
    std::sync::LazyLock::new(environment);

/// `{name}` for values, `{% … %}` for blocks, `{# … #}` for comments; Markdown, not HTML, so
/// nothing is escaped; a name no value is given for is an error rather than empty text.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .variable_delimiters("{", "}")
        .block_delimiters("{%", "%}")
        .comment_delimiters("{#", "#}")
        .keep_trailing_newline(true)
        .build()
        .expect("distinct start delimiters");
    env.set_syntax(syntax);
    env.set_debug(true);
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

fn syntax_error(source: &str, error: &minijinja::Error) -> TemplateError {
    let offset = error.range().map_or(0, |r| r.start.min(source.len()));
    let message = match error.detail() {
        Some(detail) => detail.to_owned(),
        None => error.kind().to_string(),
    };
    TemplateError {
        offset,
        message: format!(
            "{message} (templates write `{{name}}` and `{{% if name %}}…{{% endif %}}`)"
        ),
    }
}

/// Where `name` is first read as a whole word (the start of the text when it is not found).
fn first_use(source: &str, name: &str) -> usize {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    source
        .match_indices(name)
        .find(|(at, _)| {
            let before = source[..*at].chars().next_back();
            let after = source[at + name.len()..].chars().next();
            !before.is_some_and(word) && !after.is_some_and(word)
        })
        .map_or(0, |(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["scope", "subject", "pr"];

    #[test]
    fn placeholders_are_filled_and_conditions_leave_out_empty_parts() {
        let t =
            Template::parse("- {% if scope %}**{scope}:** {% endif %}{subject}", NAMES).unwrap();
        let line = |scope| {
            t.render(&[("scope", scope), ("subject", "add x"), ("pr", "")])
                .unwrap()
        };
        assert_eq!(line("io"), "- **io:** add x");
        assert_eq!(line(""), "- add x");
    }

    #[test]
    fn values_are_data_not_templates() {
        let t = Template::parse("{subject}", NAMES).unwrap();
        let text = t
            .render(&[("subject", "{% if x %}{pr}<b>"), ("scope", ""), ("pr", "")])
            .unwrap();
        assert_eq!(text, "{% if x %}{pr}<b>");
    }

    #[test]
    fn filters_and_plain_text_work() {
        let t = Template::parse("* {subject|upper} — {pr}\n", NAMES).unwrap();
        assert_eq!(
            t.render(&[("subject", "x"), ("pr", "#1"), ("scope", "")])
                .unwrap(),
            "* X — #1\n"
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named_with_its_offset() {
        let err = Template::parse("- {subject} ({hash})", NAMES).unwrap_err();
        assert_eq!(err.offset, 14);
        assert_eq!(
            err.message,
            "unknown placeholder {hash}; expected {scope}, {subject}, {pr}"
        );
        let err = Template::parse("{% if nope %}x{% endif %}", NAMES).unwrap_err();
        assert_eq!(err.offset, 6);
    }

    #[test]
    fn an_unclosed_brace_is_a_syntax_error() {
        for text in ["- {subject", "{% if pr %}x", "{subject} {"] {
            let err = Template::parse(text, NAMES).unwrap_err();
            assert!(err.message.contains("templates write"), "{text}: {err:?}");
            assert!(err.offset <= text.len(), "{text}: {err:?}");
        }
    }
}
