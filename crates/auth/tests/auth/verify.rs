//! Token verification: what passes, and every way a token is refused.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;
use streamhooks_auth::{AuthError, Authenticator, TokenUse};

use crate::common::*;

#[tokio::test]
async fn a_cognito_id_token_verifies() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let identity = verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    assert_eq!(identity.subject, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    assert_eq!(identity.username.as_deref(), Some("jdoe"));
    assert_eq!(identity.agent.as_deref(), Some(AGENT_ARN));
    assert_eq!(identity.token_use, TokenUse::Id);
    assert_eq!(identity.client_id, CLIENT);
    assert_eq!(identity.expires_at, at(3600));
    assert_eq!(identity.agent_claim, "custom:connect_agent_arn");
    assert_eq!(identity.bind(AGENT_ARN), Ok(()));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_cognito_access_token_verifies_when_configured() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let token = bearer(&sign(&key1, &access_claims()));
    let verifier = server.verifier(|c| c.token_use = TokenUse::Access);
    let identity = verifier.verify(&token, t0()).await.unwrap();
    assert_eq!(identity.token_use, TokenUse::Access);
    assert_eq!(identity.client_id, CLIENT);
    assert_eq!(identity.username.as_deref(), Some("jdoe"));
    // Access tokens carry no custom attributes.
    assert_eq!(identity.agent, None);
    assert_eq!(
        identity.bind(AGENT_ARN).map_err(|e| e.code()),
        Err("agent-claim-missing")
    );
    // The default (ID tokens only) refuses it.
    let err = server
        .verifier(|_| {})
        .verify(&token, t0())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "wrong-token-use");
    assert_eq!(
        err,
        AuthError::WrongTokenUse {
            expected: TokenUse::Id
        }
    );
}

#[tokio::test]
async fn token_use_any_takes_both_and_nothing_else() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let any = server.verifier(|c| c.token_use = TokenUse::Any);
    let access = server.verifier(|c| c.token_use = TokenUse::Access);
    let id_token = bearer(&sign(&key1, &id_claims()));
    let access_token = bearer(&sign(&key1, &access_claims()));
    assert_eq!(
        any.verify(&id_token, t0()).await.unwrap().token_use,
        TokenUse::Id
    );
    assert_eq!(
        any.verify(&access_token, t0()).await.unwrap().token_use,
        TokenUse::Access
    );
    assert_eq!(
        access.verify(&id_token, t0()).await.unwrap_err().code(),
        "wrong-token-use"
    );
    for token_use in [json!(null), json!("refresh"), json!("ID"), json!(1)] {
        let token = bearer(&sign(
            &key1,
            &with(id_claims(), json!({"token_use": token_use})),
        ));
        assert_eq!(
            any.verify(&token, t0()).await.unwrap_err().code(),
            "wrong-token-use",
            "{token_use}"
        );
    }
}

#[tokio::test]
async fn missing_tokens() {
    let server = JwksServer::start(&[&key(1)]).await;
    let verifier = server.verifier(|_| {});
    for value in [
        "",
        "  ",
        "Bearer",
        "bearer ",
        "Basic dXNlcjpwYXNz",
        "Digest a.b.c",
    ] {
        let err = verifier.verify(value, t0()).await.unwrap_err();
        assert_eq!(err.code(), "missing-token", "{value:?}");
        assert_eq!(err.status(), 401);
        assert_eq!(
            err.www_authenticate().as_deref(),
            Some(r#"Bearer realm="streamhooks""#)
        );
    }
    let err = verifier.authenticate(None).await.unwrap_err();
    assert_eq!(err.code(), "missing-token");
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn the_scheme_is_case_insensitive_and_a_bare_token_is_accepted() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let token = sign(&key1, &id_claims());
    for value in [
        format!("Bearer {token}"),
        format!("bearer {token}"),
        format!("BEARER  {token} "),
        token.clone(),
    ] {
        assert!(verifier.verify(&value, t0()).await.is_ok(), "{value}");
    }
}

#[tokio::test]
async fn malformed_tokens() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let good = sign(&key1, &id_claims());
    let (header, rest) = good.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let rs256 = |header: serde_json::Value, claims: &serde_json::Value| {
        sign_raw(&header, claims, Algorithm::RS256, &key1.encoding)
    };
    let cases = [
        ("two parts", format!("{header}.{payload}")),
        ("four parts", format!("{good}.{signature}")),
        (
            "a JWE (five parts)",
            format!("{header}.{payload}.a.b.{signature}"),
        ),
        ("padding", format!("{header}.{payload}.{signature}==")),
        ("a space", format!("{header}.{payload} .{signature}")),
        ("non-ASCII", format!("{header}.{payload}é.{signature}")),
        ("empty header", format!(".{payload}.{signature}")),
        ("empty signature", format!("{header}.{payload}.")),
        (
            "header not base64",
            format!("{header}A.{payload}.{signature}"),
        ),
        (
            "header not JSON",
            format!("{}.{payload}.{signature}", b64(b"alg=RS256")),
        ),
        (
            "header an array",
            format!("{}.{payload}.{signature}", b64(b"[\"RS256\"]")),
        ),
        (
            "payload not JSON",
            format!("{header}.{}.{signature}", b64(b"hello")),
        ),
        (
            "payload an array",
            format!("{header}.{}.{signature}", b64(b"[1,2]")),
        ),
        ("no alg", rs256(json!({"kid": key1.kid}), &id_claims())),
        (
            "alg a number",
            rs256(json!({"alg": 256, "kid": key1.kid}), &id_claims()),
        ),
        ("no kid", rs256(json!({"alg": "RS256"}), &id_claims())),
        (
            "kid a number",
            rs256(json!({"alg": "RS256", "kid": 1}), &id_claims()),
        ),
        (
            "empty kid",
            rs256(json!({"alg": "RS256", "kid": ""}), &id_claims()),
        ),
        (
            "critical extensions",
            rs256(
                json!({"alg": "RS256", "kid": key1.kid, "crit": ["b64"], "b64": false}),
                &id_claims(),
            ),
        ),
        (
            "a duplicate alg",
            format!(
                "{}.{payload}.{signature}",
                b64(br#"{"alg":"RS256","kid":"test-key1","alg":"none"}"#)
            ),
        ),
        (
            "too large",
            "a".repeat(streamhooks_auth::MAX_TOKEN_BYTES + 1),
        ),
    ];
    for (what, token) in &cases {
        let err = verifier.verify(&bearer(token), t0()).await.unwrap_err();
        assert_eq!(err.code(), "malformed-token", "{what}: {err}");
        assert_eq!(err.status(), 401);
    }
    // None of that reached the JWKS endpoint.
    assert_eq!(server.hits(), 0);
    // Signed tokens missing a required claim, or with one of the wrong type.
    for (what, changes) in [
        ("no exp", json!({"exp": null})),
        ("exp a string", json!({"exp": "tomorrow"})),
        ("iat a string", json!({"iat": "yesterday"})),
        ("no sub", json!({"sub": null})),
        ("empty sub", json!({"sub": ""})),
    ] {
        let token = sign(&key1, &with(id_claims(), changes));
        let err = verifier.verify(&bearer(&token), t0()).await.unwrap_err();
        assert_eq!(err.code(), "malformed-token", "{what}: {err}");
    }
}

#[tokio::test]
async fn only_rs256_is_accepted_and_no_key_is_fetched_for_others() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let claims = id_claims();
    let header = |alg: &str| json!({"alg": alg, "kid": key1.kid, "typ": "JWT"});
    let n = key1.jwk["n"].as_str().unwrap();
    let jwks_json = jwks(&[&key1]);
    let mut cases = vec![
        // alg none, with and without a signature.
        (
            "none, empty signature",
            format!(
                "{}.{}.",
                b64(header("none").to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            ),
        ),
        (
            "none, some signature",
            format!(
                "{}.{}.c2ln",
                b64(header("none").to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            ),
        ),
        (
            "None",
            format!(
                "{}.{}.c2ln",
                b64(header("None").to_string().as_bytes()),
                b64(claims.to_string().as_bytes())
            ),
        ),
        (
            "rs256 (lowercase)",
            sign_raw(&header("rs256"), &claims, Algorithm::RS256, &key1.encoding),
        ),
        (
            "RS512",
            sign_raw(&header("RS512"), &claims, Algorithm::RS512, &key1.encoding),
        ),
        (
            "PS256",
            sign_raw(&header("PS256"), &claims, Algorithm::PS256, &key1.encoding),
        ),
        (
            "empty alg",
            sign_raw(&header(""), &claims, Algorithm::RS256, &key1.encoding),
        ),
    ];
    // Algorithm confusion: HMAC keyed with what a careless verifier would hold as "the key".
    for (what, secret) in [
        (
            "HS256 keyed with the public key PEM",
            key1.public_pem.clone(),
        ),
        ("HS256 keyed with the JWK modulus", n.as_bytes().to_vec()),
        (
            "HS256 keyed with the JWKS document",
            jwks_json.as_bytes().to_vec(),
        ),
    ] {
        cases.push((
            what,
            sign_raw(
                &header("HS256"),
                &claims,
                Algorithm::HS256,
                &EncodingKey::from_secret(&secret),
            ),
        ));
    }
    for alg in ["HS384", "HS512", "ES256", "EdDSA"] {
        cases.push((
            alg,
            sign_raw(
                &header(alg),
                &claims,
                Algorithm::HS256,
                &EncodingKey::from_secret(&key1.public_pem),
            ),
        ));
    }
    for (what, token) in &cases {
        let err = verifier.verify(&bearer(token), t0()).await.unwrap_err();
        assert_eq!(err.code(), "unsupported-algorithm", "{what}: {err}");
        assert_eq!(err.status(), 401);
    }
    assert_eq!(server.hits(), 0, "refused before any key lookup");
}

#[tokio::test]
async fn bad_signatures() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let good = sign(&key1, &id_claims());
    let (message, signature) = good.rsplit_once('.').unwrap();
    // Another payload under the same signature (an elevated agent, say).
    let other = sign(
        &key1,
        &with(id_claims(), json!({"custom:connect_agent_arn": "x"})),
    );
    let (other_header_payload, _) = other.rsplit_once('.').unwrap();
    let flipped = {
        let mut bytes = signature.as_bytes().to_vec();
        bytes[10] = if bytes[10] == b'A' { b'B' } else { b'A' };
        String::from_utf8(bytes).unwrap()
    };
    let cases = [
        (
            "signed by another key under key1's kid",
            sign_with_kid(&key2, &key1.kid, &id_claims()),
        ),
        (
            "payload swapped",
            format!("{other_header_payload}.{signature}"),
        ),
        ("signature flipped", format!("{message}.{flipped}")),
        (
            "signature truncated",
            format!("{message}.{}", &signature[..100]),
        ),
        (
            "signature of zeros",
            format!("{message}.{}", b64(&[0u8; 256])),
        ),
    ];
    for (what, token) in &cases {
        let err = verifier.verify(&bearer(token), t0()).await.unwrap_err();
        assert_eq!(err.code(), "bad-signature", "{what}: {err}");
        assert_eq!(err.status(), 401);
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn expiry_and_leeway_edges() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {}); // leeway 60 s
    let exp = |offset: i64| {
        bearer(&sign(
            &key1,
            &with(
                id_claims(),
                json!({"exp": T0 as i64 + offset, "iat": T0 - 7200}),
            ),
        ))
    };
    // Valid while now < exp + leeway.
    assert!(verifier.verify(&exp(-59), t0()).await.is_ok());
    assert_eq!(
        verifier.verify(&exp(-60), t0()).await.unwrap_err().code(),
        "expired"
    );
    assert_eq!(
        verifier.verify(&exp(-3600), t0()).await.unwrap_err().code(),
        "expired"
    );
    // Fractions of a second do not matter; whole seconds do.
    assert!(
        verifier
            .verify(&exp(-59), at(0) + std::time::Duration::from_millis(999))
            .await
            .is_ok()
    );
    // A fractional exp is taken down to the second.
    let fractional = bearer(&sign(
        &key1,
        &with(id_claims(), json!({"exp": T0 as f64 - 58.9})),
    ));
    assert!(verifier.verify(&fractional, t0()).await.is_ok());
    // With no leeway, exp itself is already too late.
    let strict = server.verifier(|c| c.leeway = std::time::Duration::ZERO);
    assert!(strict.verify(&exp(1), t0()).await.is_ok());
    assert_eq!(
        strict.verify(&exp(0), t0()).await.unwrap_err().code(),
        "expired"
    );
    let err = strict.verify(&exp(0), t0()).await.unwrap_err();
    assert_eq!(err.status(), 401);
    assert_eq!(
        err.www_authenticate().as_deref(),
        Some(r#"Bearer realm="streamhooks", error="invalid_token", error_description="expired""#)
    );
}

#[tokio::test]
async fn not_yet_valid_edges() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    for claim in ["nbf", "iat"] {
        let token = |offset: i64| {
            bearer(&sign(
                &key1,
                &with(id_claims(), json!({ claim: T0 as i64 + offset })),
            ))
        };
        assert!(verifier.verify(&token(60), t0()).await.is_ok(), "{claim}");
        let err = verifier.verify(&token(61), t0()).await.unwrap_err();
        assert_eq!(err.code(), "not-yet-valid", "{claim}");
        assert_eq!(
            err,
            AuthError::NotYetValid {
                claim: if claim == "nbf" { "nbf" } else { "iat" }
            }
        );
        assert!(
            verifier.verify(&token(-100_000), t0()).await.is_ok(),
            "{claim}"
        );
    }
}

#[tokio::test]
async fn wrong_issuers() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    for iss in [
        json!("https://cognito-idp.us-west-2.amazonaws.com/us-west-2_OtherPool"),
        json!(format!("{ISSUER}/")),
        json!("https://cognito-idp.us-east-1.amazonaws.com/us-west-2_TestPool1"),
        json!(ISSUER.to_uppercase()),
        json!([ISSUER]),
        json!(null),
    ] {
        let token = bearer(&sign(&key1, &with(id_claims(), json!({ "iss": iss }))));
        let err = verifier.verify(&token, t0()).await.unwrap_err();
        assert_eq!(err.code(), "wrong-issuer", "{iss}");
        assert_eq!(err.status(), 401);
    }
    // An issuer override is matched exactly too.
    let local = server.verifier(|c| c.issuer = Some("http://localhost:9229/local_pool".into()));
    let token = bearer(&sign(
        &key1,
        &with(
            id_claims(),
            json!({"iss": "http://localhost:9229/local_pool"}),
        ),
    ));
    assert!(local.verify(&token, t0()).await.is_ok());
    assert_eq!(
        verifier.verify(&token, t0()).await.unwrap_err().code(),
        "wrong-issuer"
    );
}

#[tokio::test]
async fn wrong_audiences() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    for aud in [
        json!(OTHER_CLIENT),
        json!(""),
        json!(null),
        json!(7),
        json!([OTHER_CLIENT]),
    ] {
        let token = bearer(&sign(&key1, &with(id_claims(), json!({ "aud": aud }))));
        let err = verifier.verify(&token, t0()).await.unwrap_err();
        assert_eq!(err.code(), "wrong-audience", "{aud}");
        assert_eq!(err, AuthError::WrongAudience { claim: "aud" });
    }
    // A list (RFC 7519) is accepted when one of them is allowed.
    let token = bearer(&sign(
        &key1,
        &with(id_claims(), json!({"aud": [OTHER_CLIENT, "client-c"]})),
    ));
    assert_eq!(
        verifier.verify(&token, t0()).await.unwrap().client_id,
        "client-c"
    );
    // An ID token's client_id claim does not count; an access token's aud does not either.
    let token = bearer(&sign(
        &key1,
        &with(
            id_claims(),
            json!({"aud": OTHER_CLIENT, "client_id": CLIENT}),
        ),
    ));
    assert_eq!(
        verifier.verify(&token, t0()).await.unwrap_err().code(),
        "wrong-audience"
    );
    let access = server.verifier(|c| c.token_use = TokenUse::Access);
    for changes in [
        json!({"client_id": OTHER_CLIENT}),
        json!({"client_id": null, "aud": CLIENT}),
    ] {
        let token = bearer(&sign(&key1, &with(access_claims(), changes.clone())));
        let err = access.verify(&token, t0()).await.unwrap_err();
        assert_eq!(
            err,
            AuthError::WrongAudience { claim: "client_id" },
            "{changes}"
        );
    }
}

#[tokio::test]
async fn the_agent_claim_is_configurable_and_must_be_a_string() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let custom = server.verifier(|c| c.agent_claim = "custom:agent_id".into());
    let token = bearer(&sign(
        &key1,
        &with(id_claims(), json!({"custom:agent_id": AGENT_ID})),
    ));
    let identity = custom.verify(&token, t0()).await.unwrap();
    assert_eq!(identity.agent.as_deref(), Some(AGENT_ID));
    assert_eq!(identity.bind(AGENT_ARN), Ok(()));
    let verifier = server.verifier(|_| {});
    for value in [
        json!(1),
        json!([AGENT_ARN]),
        json!({"arn": AGENT_ARN}),
        json!(""),
        json!(null),
    ] {
        let token = bearer(&sign(
            &key1,
            &with(id_claims(), json!({ "custom:connect_agent_arn": value })),
        ));
        let identity = verifier.verify(&token, t0()).await.unwrap();
        assert_eq!(identity.agent, None, "{value}");
        let err = identity.bind(AGENT_ARN).unwrap_err();
        assert_eq!(err.code(), "agent-claim-missing");
        assert!(
            err.to_string().contains("custom:connect_agent_arn"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn error_messages_never_carry_the_token() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let tokens = [
        sign_with_kid(&key2, &key1.kid, &id_claims()),
        sign(&key1, &with(id_claims(), json!({"exp": T0 - 3600}))),
        sign(&key1, &with(id_claims(), json!({"aud": "secret-client"}))),
        sign_with_kid(&key1, "kid-from-the-attacker", &id_claims()),
        sign_raw(
            &json!({"alg": "<script>alert(1)</script>", "kid": "k"}),
            &id_claims(),
            Algorithm::RS256,
            &key1.encoding,
        ),
    ];
    for token in &tokens {
        let err = verifier.verify(&bearer(token), t0()).await.unwrap_err();
        let message = err.to_string();
        for part in token.split('.') {
            assert!(!message.contains(part), "{message}");
        }
        for secret in ["secret-client", "kid-from-the-attacker", "<script>", "jdoe"] {
            assert!(!message.contains(secret), "{message}");
        }
    }
}

#[test]
fn codes_are_stable_and_statuses_right() {
    let errors = [
        AuthError::MissingToken { reason: "x" },
        AuthError::MalformedToken { reason: "x".into() },
        AuthError::UnsupportedAlgorithm { alg: "x".into() },
        AuthError::UnknownKey,
        AuthError::BadSignature,
        AuthError::Expired,
        AuthError::NotYetValid { claim: "nbf" },
        AuthError::WrongIssuer,
        AuthError::WrongAudience { claim: "aud" },
        AuthError::WrongTokenUse {
            expected: TokenUse::Id,
        },
        AuthError::AgentMismatch { claim: "c".into() },
        AuthError::AgentClaimMissing { claim: "c".into() },
        AuthError::JwksUnavailable { reason: "x".into() },
    ];
    let codes: Vec<&str> = errors.iter().map(AuthError::code).collect();
    assert_eq!(codes, AuthError::CODES);
    for err in &errors {
        let expected = match err.code() {
            "agent-mismatch" | "agent-claim-missing" => 403,
            "jwks-unavailable" => 503,
            _ => 401,
        };
        assert_eq!(err.status(), expected, "{}", err.code());
        assert_eq!(err.www_authenticate().is_some(), expected == 401);
    }
}

#[tokio::test]
async fn verifiers_are_authenticators() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let authenticators: Vec<std::sync::Arc<dyn Authenticator>> = vec![
        std::sync::Arc::new(server.verifier(|_| {})),
        std::sync::Arc::new(streamhooks_auth::DevAuthenticator::insecure_new()),
    ];
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The trait reads the clock: a token valid now.
    let real = bearer(&sign(
        &key1,
        &with(id_claims(), json!({"iat": now_secs, "exp": now_secs + 600})),
    ));
    let dev = format!("Bearer dev:{AGENT_ARN}");
    let cognito = authenticators[0].authenticate(Some(&real)).await.unwrap();
    assert_eq!(cognito.bind(AGENT_ARN), Ok(()));
    assert_eq!(
        authenticators[0]
            .authenticate(Some(&dev))
            .await
            .unwrap_err()
            .code(),
        "malformed-token"
    );
    let insecure = authenticators[1].authenticate(Some(&dev)).await.unwrap();
    assert_eq!(insecure.bind(AGENT_ARN), Ok(()));
    assert_eq!(
        authenticators[1]
            .authenticate(Some(&real))
            .await
            .unwrap_err()
            .code(),
        "malformed-token",
        "the dev authenticator does not take real tokens either"
    );
}
