//! Fakes of the trusted-publishing token exchange (mint, revoke) and of GitHub's OIDC token
//! endpoint.

use super::*;

/// `POST /api/v1/trusted_publishing/tokens`: a JWT in, a fresh publish token out.
pub(super) fn mint(shared: &Shared, body: &[u8]) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(jwt) = request["jwt"].as_str().filter(|j| !j.is_empty()) else {
        return error(400, "invalid JSON body: missing field `jwt`");
    };
    let token = format!("cio{}", random_text(32));
    let mut state = shared.lock();
    state.jwts.push(jwt.to_owned());
    state.minted.push(token.clone());
    json_response(200, json!({ "token": token }))
}

/// `DELETE /api/v1/trusted_publishing/tokens` with the token itself as `Authorization`.
pub(super) fn revoke(shared: &Shared, headers: &HeaderMap) -> Response {
    let token = authorization(headers);
    let token = token.strip_prefix("Bearer ").unwrap_or(&token);
    let mut state = shared.lock();
    let live = state.minted.iter().any(|t| t == token) && !state.revoked.iter().any(|t| t == token);
    if !live {
        return error(401, "authentication failed");
    }
    state.revoked.push(token.to_owned());
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}

/// GitHub's `ACTIONS_ID_TOKEN_REQUEST_URL`: a bearer request token in, a JWT for `audience` out.
pub(super) fn oidc(shared: &Shared, parts: &Parts) -> Response {
    let auth = authorization(&parts.headers);
    let bearer = auth
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "));
    if !bearer || auth[7..].trim().is_empty() {
        return json_response(
            401,
            json!({"message": "Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable"}),
        );
    }
    let query = parts.uri.query().unwrap_or_default();
    let audience = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "audience")
        .map(|(_, v)| percent_decode(v))
        .unwrap_or_default();
    shared.lock().audiences.push(audience.clone());
    json_response(200, json!({ "value": fake_jwt(&audience) }))
}

pub(super) fn fake_jwt(audience: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "fake"});
    let claims = json!({
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": "repo:acme/widgets:ref:refs/heads/main",
        "repository": "acme/widgets",
        "jti": random_text(16),
        "iat": now,
        "exp": now + 300,
    });
    let encode = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_text(64));
    format!("{}.{}.{signature}", encode(&header), encode(&claims))
}
