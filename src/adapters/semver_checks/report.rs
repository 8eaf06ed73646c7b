//! The report of `cargo semver-checks check-release -vv`: its verdict and each break's lint and
//! item path.

use crate::plan::api::ApiBreak;

/// The breaks of a cargo-semver-checks report, or `None` when it gave no verdict. A verdict
/// is its summary line; each `--- failure <lint>: … ---` section lists the items (with `-vv`,
/// each with its output values, whose `path` names the item).
pub(super) fn parse_report(stdout: &str, stderr: &str) -> Option<Vec<ApiBreak>> {
    let summary = stderr
        .lines()
        .chain(stdout.lines())
        .map(str::trim_start)
        .find_map(|l| l.strip_prefix("Summary "))?;
    let mut breaks = Vec::new();
    let mut lint: Option<&str> = None;
    let mut failed_in = false;
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("--- failure ") {
            lint = rest.split(':').next().map(str::trim);
            failed_in = false;
        } else if line.trim() == "Failed in:" {
            failed_in = true;
        } else if line.trim() == "lint rule output values:" {
            let mut json = String::new();
            while let Some(next) = lines.next_if(|l| l.starts_with("    ")) {
                json.push_str(next);
                json.push('\n');
            }
            let values = serde_json::from_str::<serde_json::Value>(&json).ok();
            if let (Some(b), Some(item)) = (breaks.last_mut(), values.as_ref().and_then(item_path))
            {
                let b: &mut ApiBreak = b;
                b.item = item;
            }
        } else if let (true, Some(lint)) = (failed_in, lint)
            && let Some(message) = line.strip_prefix("  ").filter(|m| !m.starts_with(' '))
        {
            breaks.push(ApiBreak {
                lint: lint.to_owned(),
                item: strip_location(message).to_owned(),
            });
        }
    }
    let says_break = summary.starts_with("semver requires new");
    (says_break != breaks.is_empty()).then_some(breaks)
}

/// `widgets::Thing::parse` from a lint's output values: the item's `path`, and the member the
/// lint names inside it.
fn item_path(values: &serde_json::Value) -> Option<String> {
    let text = |key: &str| values.get(key).and_then(serde_json::Value::as_str);
    let mut path = match values.get("path").and_then(serde_json::Value::as_array) {
        Some(parts) => parts
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect::<Vec<_>>()
            .join("::"),
        None => text("name")?.to_owned(),
    };
    for member in [
        "variant_name",
        "method_name",
        "field_name",
        "associated_constant",
    ] {
        if let Some(name) = text(member)
            && !path.ends_with(&format!("::{name}"))
        {
            path = format!("{path}::{name}");
        }
    }
    Some(path)
}

/// A "Failed in" line without its source location.
fn strip_location(message: &str) -> &str {
    [
        ", previously in file ",
        " in file ",
        ", previously at ",
        ", in ",
        " in ",
    ]
    .iter()
    .filter_map(|sep| message.rfind(sep))
    .max()
    .map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "
--- failure function_missing: pub fn removed or renamed ---

Description:
A publicly-visible function cannot be imported by its prior path.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove
       impl: https://github.com/obi1kenobi/cargo-semver-checks/tree/v0.51.0/src/lints/function_missing.ron

Failed in:
  function widgets::parse, previously in file crates/widgets/src/lib.rs:1
\tlint rule output values:
    {
      \"name\": \"parse\",
      \"path\": [
        \"widgets\",
        \"parse\"
      ],
      \"span_begin_line\": 1
    }
  function widgets::render, previously in file crates/widgets/src/lib.rs:9
\tlint rule output values:
    {
      \"name\": \"render\",
      \"path\": [\"widgets\", \"render\"]
    }

--- failure inherent_method_missing: pub method removed or renamed ---

Failed in:
  Thing::go, previously in file crates/widgets/src/lib.rs:4
\tlint rule output values:
    {
      \"method_name\": \"go\",
      \"path\": [\"widgets\", \"Thing\"]
    }
";

    #[test]
    fn a_report_with_failures_gives_each_lint_and_item_path() {
        let stderr =
            "     Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        let breaks = parse_report(REPORT, stderr).unwrap();
        let shown: Vec<String> = breaks.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "function_missing: widgets::parse",
                "function_missing: widgets::render",
                "inherent_method_missing: widgets::Thing::go"
            ]
        );
    }

    #[test]
    fn a_passing_report_has_no_breaks_and_no_summary_is_no_verdict() {
        let passed = "     Checked [   0.083s] 202 checks: 202 pass, 58 skip\n     Summary no semver update required\n";
        assert_eq!(parse_report("", passed), Some(Vec::new()));
        assert_eq!(parse_report("", "error: failed to load rustdoc\n"), None);
        // A summary that disagrees with the sections is no verdict either.
        assert_eq!(parse_report(REPORT, passed), None);
    }

    #[test]
    fn without_output_values_the_failed_in_line_names_the_item() {
        let stdout = "--- failure trait_missing: pub trait removed ---\n\nFailed in:\n  trait widgets::Render in file src/lib.rs:3\n";
        let stderr = "Summary semver requires new major version: 1 major and 0 minor checks failed";
        let breaks = parse_report(stdout, stderr).unwrap();
        assert_eq!(
            breaks[0].to_string(),
            "trait_missing: trait widgets::Render"
        );
    }
}
