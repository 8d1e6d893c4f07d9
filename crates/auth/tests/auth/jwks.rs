//! The key cache: hits, single flight, rotation, the refetch floor, outages.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use streamhooks_auth::{AuthError, CognitoVerifier};

use crate::common::*;

#[tokio::test]
async fn many_verifies_fetch_once() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let token = bearer(&sign(&key1, &id_claims()));
    for second in 0..200 {
        verifier.verify(&token, at(second)).await.unwrap();
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cold_requests_share_one_fetch() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    server.delay(Duration::from_millis(200));
    let verifier = Arc::new(server.verifier(|_| {}));
    let token = Arc::new(bearer(&sign(&key1, &id_claims())));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token, t0()).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_a_failed_fetch_too() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    server.answer(500, "oops");
    server.delay(Duration::from_millis(200));
    let verifier = Arc::new(server.verifier(|_| {}));
    let token = Arc::new(bearer(&sign(&key1, &id_claims())));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move { verifier.verify(&token, t0()).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap_err().code(), "jwks-unavailable");
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_and_picks_up_a_rotation() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {}); // floor 30 s
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    assert_eq!(server.hits(), 1);
    // The pool rotates: key2 signs from now on, key1 is still published.
    server.publish(&[&key2, &key1]);
    let rotated = bearer(&sign(&key2, &id_claims()));
    let identity = verifier.verify(&rotated, at(40)).await.unwrap();
    assert_eq!(identity.bind(AGENT_ARN), Ok(()));
    assert_eq!(server.hits(), 2, "one refetch");
    for second in 41..100 {
        verifier.verify(&rotated, at(second)).await.unwrap();
        verifier
            .verify(&bearer(&sign(&key1, &id_claims())), at(second))
            .await
            .unwrap();
    }
    assert_eq!(server.hits(), 2, "then cache hits");
    // Key1 is retired: its tokens fail once the next refetch (TTL) drops it.
    server.publish(&[&key2]);
    let old = bearer(&sign(&key1, &with(id_claims(), json!({"exp": T0 + 7200}))));
    let err = verifier.verify(&old, at(3700)).await.unwrap_err();
    assert_eq!(err, AuthError::UnknownKey);
    assert_eq!(err.status(), 401);
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_rotation_within_the_floor_waits_for_the_floor() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    server.publish(&[&key2, &key1]);
    let rotated = bearer(&sign(&key2, &id_claims()));
    // 29 s after the last fetch: no refetch yet.
    assert_eq!(
        verifier.verify(&rotated, at(29)).await.unwrap_err().code(),
        "unknown-key"
    );
    assert_eq!(server.hits(), 1);
    // 30 s after: one refetch, and the key is found.
    verifier.verify(&rotated, at(30)).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn made_up_kids_refetch_at_most_once_per_floor() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {}); // floor 30 s
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    assert_eq!(server.hits(), 1);
    // 600 tokens with made-up kids over 5 minutes, two per second.
    for i in 0..600u32 {
        let now = at(31 + i64::from(i / 2));
        let token = bearer(&sign_with_kid(&key1, &format!("made-up-{i}"), &id_claims()));
        let err = verifier.verify(&token, now).await.unwrap_err();
        assert_eq!(err.code(), "unknown-key");
        assert_eq!(err.status(), 401);
    }
    // Refetches at 31, 61, 91, ..., 331: one per 30 s.
    assert_eq!(server.hits(), 1 + 10);
    // Real tokens were never disturbed.
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), at(340))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_flood_of_made_up_kids_refetches_once() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = Arc::new(server.verifier(|_| {}));
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    server.delay(Duration::from_millis(100));
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let verifier = verifier.clone();
            let token = bearer(&sign_with_kid(&key1, &format!("flood-{i}"), &id_claims()));
            tokio::spawn(async move { verifier.verify(&token, at(45)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap_err().code(), "unknown-key");
    }
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn keys_are_refetched_after_the_ttl() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|c| c.jwks_ttl = Duration::from_secs(600));
    let token = bearer(&sign(&key1, &id_claims()));
    verifier.verify(&token, t0()).await.unwrap();
    verifier.verify(&token, at(599)).await.unwrap();
    assert_eq!(server.hits(), 1);
    verifier.verify(&token, at(600)).await.unwrap();
    assert_eq!(server.hits(), 2);
    verifier.verify(&token, at(1199)).await.unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn jwks_down_is_a_503_with_backoff_then_recovers() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    server.answer(503, "unavailable");
    let verifier = server.verifier(|_| {}); // backoff 5 s
    let token = bearer(&sign(&key1, &id_claims()));
    let err = verifier.verify(&token, t0()).await.unwrap_err();
    assert_eq!(err.code(), "jwks-unavailable");
    assert_eq!(err.status(), 503);
    assert_eq!(err.www_authenticate(), None);
    assert!(err.to_string().contains("503"), "{err}");
    // Within the backoff: answered from the recorded failure, no request.
    for second in 0..5 {
        assert_eq!(
            verifier
                .verify(&token, at(second))
                .await
                .unwrap_err()
                .code(),
            "jwks-unavailable"
        );
    }
    assert_eq!(server.hits(), 1);
    // After it: one more attempt, still failing.
    assert_eq!(
        verifier.verify(&token, at(5)).await.unwrap_err().code(),
        "jwks-unavailable"
    );
    assert_eq!(server.hits(), 2);
    // Back up.
    server.publish(&[&key1]);
    verifier.verify(&token, at(10)).await.unwrap();
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn every_kind_of_jwks_failure_is_a_503() {
    let key1 = key(1);
    let token = bearer(&sign(&key1, &id_claims()));
    let huge = format!("{{\"keys\": [], \"pad\": \"{}\"}}", "x".repeat(300 * 1024));
    let cases: Vec<(&str, u16, String)> = vec![
        ("server error", 500, "oops".into()),
        ("not found", 404, "".into()),
        ("not JSON", 200, "<html>hello</html>".into()),
        ("no keys", 200, r#"{"keys": []}"#.into()),
        (
            "no RS256 keys",
            200,
            r#"{"keys": [{"kty": "EC", "kid": "x"}]}"#.into(),
        ),
        ("too large", 200, huge),
    ];
    for (what, status, body) in cases {
        let server = JwksServer::start(&[&key1]).await;
        server.answer(status, &body);
        let err = server
            .verifier(|_| {})
            .verify(&token, t0())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "jwks-unavailable", "{what}: {err}");
        assert_eq!(err.status(), 503, "{what}");
    }
    // A redirect is not followed.
    let server = JwksServer::start(&[&key1]).await;
    server.answer(302, "");
    server.header("Location", &server.url.clone());
    let err = server
        .verifier(|_| {})
        .verify(&token, t0())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "jwks-unavailable", "{err}");
    assert_eq!(server.hits(), 1);
    // Nothing listening.
    let mut config = server.config(|_| {});
    config.jwks_url = Some(closed_port_url().await);
    let err = CognitoVerifier::new(config)
        .unwrap()
        .verify(&token, t0())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "jwks-unavailable", "{err}");
}

#[tokio::test]
async fn a_hanging_jwks_endpoint_times_out() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    server.delay(Duration::from_secs(30));
    let verifier = server.verifier(|c| c.http_timeout = Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "jwks-unavailable");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn old_keys_serve_through_an_outage_for_one_more_ttl() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|c| c.jwks_ttl = Duration::from_secs(600));
    let token = bearer(&sign(&key1, &with(id_claims(), json!({"exp": T0 + 7200}))));
    verifier.verify(&token, t0()).await.unwrap();
    server.answer(500, "down");
    // Past the TTL: the refetch fails, the old keys still verify.
    verifier.verify(&token, at(600)).await.unwrap();
    assert_eq!(server.hits(), 2);
    // Within the backoff, no new attempt.
    verifier.verify(&token, at(603)).await.unwrap();
    assert_eq!(server.hits(), 2);
    // A kid the old keys lack cannot be decided: 503, not 401.
    let rotated = bearer(&sign(&key2, &with(id_claims(), json!({"exp": T0 + 7200}))));
    assert_eq!(
        verifier.verify(&rotated, at(604)).await.unwrap_err().code(),
        "jwks-unavailable"
    );
    // Twice the TTL old: no longer trusted.
    let err = verifier.verify(&token, at(1200)).await.unwrap_err();
    assert_eq!(err.code(), "jwks-unavailable");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_failed_refetch_for_an_unknown_kid_is_a_503() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), t0())
        .await
        .unwrap();
    server.answer(500, "down");
    let rotated = bearer(&sign(&key2, &id_claims()));
    assert_eq!(
        verifier.verify(&rotated, at(40)).await.unwrap_err().code(),
        "jwks-unavailable"
    );
    assert_eq!(server.hits(), 2);
    // Known keys keep working meanwhile.
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), at(41))
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn prefetch_warms_the_cache() {
    let (key1, key2) = (key(1), key(2));
    let server = JwksServer::start(&[&key1, &key2]).await;
    let verifier = server.verifier(|_| {});
    assert_eq!(verifier.prefetch(t0()).await, Ok(2));
    verifier
        .verify(&bearer(&sign(&key2, &id_claims())), t0())
        .await
        .unwrap();
    assert_eq!(server.hits(), 1);
    server.answer(500, "down");
    assert_eq!(
        verifier.prefetch(at(1)).await.unwrap_err().code(),
        "jwks-unavailable"
    );
    // The keys fetched before are still in use.
    verifier
        .verify(&bearer(&sign(&key1, &id_claims())), at(2))
        .await
        .unwrap();
}
