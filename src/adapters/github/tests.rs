//! Unit tests of the GitHub client's reading of answers, without a server.

use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;

use super::transport::{Reply, encode, encode_ref, failure_of};
use super::*;
use crate::hint::Hint;
use crate::plan::retry::Failure;

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status: StatusCode::from_u16(status).unwrap(),
        body: body.into(),
    }
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        map.insert(*k, v.parse().unwrap());
    }
    map
}

#[test]
fn failures_are_classified_from_status_headers_and_text() {
    let none = headers(&[]);
    let cases: Vec<(Reply, HeaderMap, Option<Failure>)> = vec![
        (reply(200, "{}"), none.clone(), None),
        (reply(404, "{}"), none.clone(), None),
        (reply(422, "{}"), none.clone(), None),
        (reply(401, "{}"), none.clone(), Some(Failure::Unauthorized)),
        (reply(502, ""), none.clone(), Some(Failure::Transient)),
        (
            reply(
                403,
                r#"{"message":"Resource not accessible by integration"}"#,
            ),
            none.clone(),
            None,
        ),
        (
            reply(
                403,
                r#"{"message":"You have exceeded a secondary rate limit"}"#,
            ),
            headers(&[("retry-after", "7")]),
            Some(Failure::RateLimited {
                wait: Some(Duration::from_secs(7)),
            }),
        ),
        (
            reply(
                403,
                r#"{"message":"You have exceeded a secondary rate limit"}"#,
            ),
            none.clone(),
            Some(Failure::RateLimited { wait: None }),
        ),
        (
            reply(429, "{}"),
            headers(&[("retry-after", "2")]),
            Some(Failure::RateLimited {
                wait: Some(Duration::from_secs(2)),
            }),
        ),
    ];
    for (reply, headers, expected) in cases {
        assert_eq!(
            failure_of(&reply, &headers),
            expected,
            "{} {}",
            reply.status,
            reply.body
        );
    }
}

#[test]
fn validation_errors_that_mean_already_there_are_recognised() {
    assert!(reply(422, r#"{"message":"Reference already exists"}"#).already_exists());
    assert!(
            reply(
                422,
                r#"{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}]}"#
            )
            .already_exists()
        );
    assert!(
        !reply(
            422,
            r#"{"message":"Validation Failed","errors":[{"code":"invalid"}]}"#
        )
        .already_exists()
    );
    assert!(!reply(201, "already exists").already_exists());
}

#[test]
fn error_text_includes_validation_details() {
    let r = reply(
        422,
        r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and x"}]}"#,
    );
    assert_eq!(
        r.message(),
        "Validation Failed; No commits between main and x"
    );
}

#[test]
fn a_web_page_where_json_should_be_points_at_github_api_url() {
    let page = reply(200, "\n  <!DOCTYPE html><html><title>GitHub</title></html>");
    let err = page
        .json::<Value>(&Method::GET, "/repos/acme/widgets")
        .unwrap_err();
    assert!(
        matches!(err, GitHubError::NotJson { status: 200, .. }),
        "{err}"
    );
    assert!(err.hint().unwrap().starts_with("check GITHUB_API_URL"));
    assert!(reply(200, "{}").json::<Value>(&Method::GET, "/x").is_ok());
}

#[test]
fn an_api_url_that_is_not_http_is_refused() {
    let repository = Repository::parse("acme/widgets").unwrap();
    for url in [
        "ftp://api.github.com",
        "file:///etc",
        "api.github.com",
        "javascript:x",
    ] {
        let err = GitHub::new(url, &repository, None, 0, true).err().unwrap();
        assert!(matches!(err, GitHubError::BadApiUrl { .. }), "{url}: {err}");
        assert!(err.is_input());
    }
    assert!(GitHub::new("HTTPS://api.github.com", &repository, None, 0, true).is_ok());
}

#[test]
fn names_are_percent_encoded_but_ref_separators_kept() {
    assert_eq!(encode("autorelease: pending"), "autorelease%3A%20pending");
    assert_eq!(encode("o:releasekit/release"), "o%3Areleasekit%2Frelease");
    assert_eq!(encode_ref("serde-v1.0.0"), "serde-v1.0.0");
    assert_eq!(encode_ref("group/a+b-v1"), "group/a%2Bb-v1");
}
