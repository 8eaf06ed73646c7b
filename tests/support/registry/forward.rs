//! Forwarding a request to ferro, and the small response helpers.

use super::*;

impl Forwarded {
    pub(super) fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_GATEWAY);
        for (name, value) in &self.headers {
            // hyper frames the body itself.
            let framing = [
                header::TRANSFER_ENCODING,
                header::CONNECTION,
                header::CONTENT_LENGTH,
            ];
            if !framing.contains(name) {
                response.headers_mut().append(name, value.clone());
            }
        }
        response
    }
}

pub(super) async fn forward(shared: &Shared, parts: &Parts, body: Bytes) -> Forwarded {
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{target}", shared.ferro);
    let mut headers = parts.headers.clone();
    for hop in [header::HOST, header::CONNECTION, header::CONTENT_LENGTH] {
        headers.remove(hop);
    }
    let sent = shared
        .client
        .request(parts.method.clone(), &url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => return bad_gateway(&url, &e),
    };
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    match answer.bytes().await {
        Ok(body) => Forwarded {
            status,
            headers,
            body,
        },
        Err(e) => bad_gateway(&url, &e),
    }
}

pub(super) fn bad_gateway(url: &str, e: &reqwest::Error) -> Forwarded {
    let body = json!({"errors": [{"detail": format!("proxy: {url}: {e}")}]});
    Forwarded {
        status: 502,
        headers: HeaderMap::new(),
        body: Bytes::from(body.to_string()),
    }
}

pub(super) fn authorization(headers: &HeaderMap) -> String {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    value.unwrap_or_default().trim().to_owned()
}

pub(super) fn error(status: u16, detail: &str) -> Response {
    json_response(status, json!({"errors": [{"detail": detail}]}))
}

pub(super) fn json_response(status: u16, body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let json = HeaderValue::from_static("application/json; charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, json);
    response
}

pub(super) fn text_response(status: u16, body: &str) -> Response {
    let mut response = Response::new(Body::from(body.to_owned()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let text = HeaderValue::from_static("text/plain; charset=utf-8");
    response.headers_mut().insert(header::CONTENT_TYPE, text);
    response
}

pub(super) fn reason(status: u16) -> &'static str {
    let reason = StatusCode::from_u16(status).ok();
    reason.and_then(|s| s.canonical_reason()).unwrap_or("Error")
}

pub(super) fn random_text(n: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(n)
        .collect()
}
