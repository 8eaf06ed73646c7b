//! The HTTP side of the fake: the axum handler, the response with GitHub's headers, the
//! reply shapes (JSON, errors, validation failures) and the small helpers (clock, SHAs,
//! query strings, percent-encoding).

use super::*;

pub(super) async fn serve(
    Extract(state): Extract<Arc<Mutex<State>>>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let incoming = Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        authorization,
        body: bytes.to_vec(),
    };
    let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
    let reply = state.handle(&incoming);
    let remaining = 5000u64.saturating_sub(state.log.len() as u64);
    let request_id = state.log.len();
    drop(state);
    respond(reply, remaining, request_id)
}

pub(super) fn respond(reply: Reply, remaining: u64, request_id: usize) -> Response {
    let reset = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 3600;
    let mut headers: Vec<(String, String)> = vec![
        ("x-github-api-version-selected".into(), "2022-11-28".into()),
        (
            "x-github-media-type".into(),
            "github.v3; format=json".into(),
        ),
        ("x-ratelimit-limit".into(), "5000".into()),
        ("x-ratelimit-remaining".into(), remaining.to_string()),
        ("x-ratelimit-reset".into(), reset.to_string()),
        ("x-ratelimit-used".into(), (5000 - remaining).to_string()),
        ("x-ratelimit-resource".into(), "core".into()),
        (
            "x-github-request-id".into(),
            format!("F4KE:{request_id:04X}:2A1B3C:3D4E5F:6560A1B2"),
        ),
    ];
    let body = match reply.body {
        Some(body) => {
            headers.push((
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            ));
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    // Later entries win, so a fault's headers can override the defaults.
    headers.extend(reply.headers);
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

impl Reply {
    pub(super) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(super) fn error(status: u16, message: &str, docs: &str) -> Reply {
        let body =
            json!({ "message": message, "documentation_url": docs, "status": status.to_string() });
        Reply::json(status, body)
    }

    pub(super) fn not_found() -> Reply {
        Reply::error(404, "Not Found", DOCS)
    }

    pub(super) fn invalid(resource: &str, code: &str, field: &str, docs: &str) -> Reply {
        let error = json!({ "resource": resource, "code": code, "field": field });
        Reply::validation(error, docs)
    }

    pub(super) fn validation(error: Value, docs: &str) -> Reply {
        let body = json!({
            "message": "Validation Failed",
            "errors": [error],
            "documentation_url": docs,
            "status": "422",
        });
        Reply::json(422, body)
    }
}

/// `2026-11-21T10:00:00Z` plus `seconds`, a clock that only moves when the fake's state does.
pub(super) fn timestamp(seconds: u64) -> String {
    let total = 10 * 3600 + seconds;
    let (day, rest) = (21 + total / 86_400, total % 86_400);
    format!(
        "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// A stable, git-looking 40-hex id derived from `seed` (FNV-1a, stretched).
pub(super) fn fake_sha(seed: &str) -> String {
    (0..3u64)
        .map(|round| {
            let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ round;
            for byte in seed.bytes().chain(round.to_le_bytes()) {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
            format!("{hash:016x}")
        })
        .collect::<String>()[..40]
        .to_owned()
}

pub(super) fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub(super) fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub(super) fn parse_query(query: &str) -> Vec<(String, String)> {
    let pairs = query.split('&').filter(|p| !p.is_empty());
    let pairs = pairs.map(|p| p.split_once('=').unwrap_or((p, "")));
    pairs
        .map(|(k, v)| {
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

pub(super) fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
