//! Whatever arrives in the header, verification answers with an error, never a panic.

use std::sync::OnceLock;

use proptest::prelude::*;
use streamhooks_auth::CognitoVerifier;
use tokio::runtime::Runtime;

use crate::common::*;

struct Fixture {
    runtime: Runtime,
    verifier: CognitoVerifier,
    good: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let key1 = key(1);
        let server = runtime.block_on(JwksServer::start(&[&key1]));
        let verifier = server.verifier(|_| {});
        let good = sign(&key1, &id_claims());
        runtime
            .block_on(verifier.verify(&bearer(&good), t0()))
            .expect("the good token verifies");
        Fixture {
            runtime,
            verifier,
            good,
        }
    })
}

fn verify(header: &str) -> Result<streamhooks_auth::Identity, streamhooks_auth::AuthError> {
    let fixture = fixture();
    fixture
        .runtime
        .block_on(fixture.verifier.verify(header, t0()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_headers_are_refused(header in any::<String>()) {
        let err = verify(&header).unwrap_err();
        prop_assert!(streamhooks_auth::AuthError::CODES.contains(&err.code()));
    }

    #[test]
    fn arbitrary_three_part_tokens_are_refused(
        header in "[A-Za-z0-9_-]{0,64}",
        payload in "[A-Za-z0-9_-]{0,256}",
        signature in "[A-Za-z0-9_-]{0,400}",
    ) {
        let value = format!("Bearer {header}.{payload}.{signature}");
        prop_assert!(verify(&value).is_err());
    }

    #[test]
    fn json_in_the_parts_is_refused(
        header in proptest::collection::btree_map("[a-z]{1,4}", "[ -~]{0,12}", 0..5),
        claims in proptest::collection::btree_map("[a-z:_]{1,10}", "[ -~]{0,20}", 0..10),
    ) {
        let token = format!(
            "{}.{}.{}",
            b64(serde_json::to_string(&header).unwrap().as_bytes()),
            b64(serde_json::to_string(&claims).unwrap().as_bytes()),
            b64(&[7u8; 256]),
        );
        prop_assert!(verify(&bearer(&token)).is_err());
    }

    #[test]
    fn any_change_to_a_good_token_is_refused(
        index in 0usize..2000,
        byte in proptest::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.".to_vec()),
    ) {
        let good = &fixture().good;
        let mut bytes = good.as_bytes().to_vec();
        let index = index % bytes.len();
        prop_assume!(bytes[index] != byte);
        bytes[index] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(verify(&bearer(&changed)).is_err(), "{}", changed);
    }

    #[test]
    fn oversized_tokens_are_refused_cheaply(extra in 1usize..100_000) {
        let token = "a".repeat(streamhooks_auth::MAX_TOKEN_BYTES + extra);
        prop_assert_eq!(verify(&bearer(&token)).unwrap_err().code(), "malformed-token");
    }
}
