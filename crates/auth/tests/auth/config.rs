//! Configuration from the environment, and its validation.

use std::collections::HashMap;
use std::time::Duration;

use streamhooks_auth::{CognitoConfig, CognitoVerifier, ConfigError, TokenUse};

fn from(vars: &[(&str, &str)]) -> Result<CognitoConfig, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    CognitoConfig::from_env(|name| vars.get(name).cloned())
}

const POOL: (&str, &str) = ("STREAMHOOKS_COGNITO_USER_POOL_ID", "eu-west-1_AbC123");
const CLIENTS: (&str, &str) = ("STREAMHOOKS_COGNITO_CLIENT_IDS", " client-a, client-b ,,");

fn invalid_name(result: Result<CognitoConfig, ConfigError>) -> (String, String) {
    match result {
        Err(ConfigError::Invalid { name, reason }) => (name, reason),
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn the_minimal_environment_has_the_defaults() {
    let config = from(&[POOL, CLIENTS]).unwrap();
    assert_eq!(config.region, "eu-west-1");
    assert_eq!(config.user_pool_id, "eu-west-1_AbC123");
    assert_eq!(config.client_ids, ["client-a", "client-b"]);
    assert_eq!(config.token_use, TokenUse::Id);
    assert_eq!(config.agent_claim, "custom:connect_agent_arn");
    assert_eq!(config.jwks_url, None);
    assert_eq!(config.issuer, None);
    assert_eq!(config.leeway, Duration::from_secs(60));
    assert_eq!(config.jwks_ttl, Duration::from_secs(3600));
    assert_eq!(config.refresh_floor, Duration::from_secs(30));
    assert_eq!(
        config.expected_issuer(),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    );
    assert_eq!(
        config.jwks_endpoint(),
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json"
    );
    assert!(CognitoVerifier::new(config).is_ok());
}

#[test]
fn every_variable_is_read() {
    let config = from(&[
        POOL,
        CLIENTS,
        ("STREAMHOOKS_COGNITO_REGION", "eu-west-1"),
        ("STREAMHOOKS_COGNITO_TOKEN_USE", "Access"),
        ("STREAMHOOKS_AGENT_CLAIM", "custom:agent"),
        (
            "STREAMHOOKS_COGNITO_JWKS_URL",
            "http://127.0.0.1:9229/jwks.json",
        ),
        (
            "STREAMHOOKS_COGNITO_ISSUER",
            "http://127.0.0.1:9229/eu-west-1_AbC123",
        ),
    ])
    .unwrap();
    assert_eq!(config.token_use, TokenUse::Access);
    assert_eq!(config.agent_claim, "custom:agent");
    assert_eq!(config.jwks_endpoint(), "http://127.0.0.1:9229/jwks.json");
    assert_eq!(
        config.expected_issuer(),
        "http://127.0.0.1:9229/eu-west-1_AbC123"
    );
    // Only the issuer overridden: the JWKS is under it.
    let config = from(&[
        POOL,
        CLIENTS,
        ("STREAMHOOKS_COGNITO_ISSUER", "https://idp.example.com/pool"),
        ("STREAMHOOKS_COGNITO_TOKEN_USE", "any"),
        ("STREAMHOOKS_AGENT_CLAIM", ""),
    ])
    .unwrap();
    assert_eq!(config.token_use, TokenUse::Any);
    assert_eq!(
        config.agent_claim, "custom:connect_agent_arn",
        "empty is unset"
    );
    assert_eq!(
        config.jwks_endpoint(),
        "https://idp.example.com/pool/.well-known/jwks.json"
    );
}

#[test]
fn the_region_falls_back_to_aws_region() {
    let local = ("STREAMHOOKS_COGNITO_USER_POOL_ID", "local_abc123");
    let config = from(&[local, CLIENTS, ("AWS_REGION", "us-east-2")]).unwrap();
    assert_eq!(config.region, "us-east-2");
    // The pool's own region wins over AWS_REGION.
    let config = from(&[POOL, CLIENTS, ("AWS_REGION", "us-east-2")]).unwrap();
    assert_eq!(config.region, "eu-west-1");
    let (name, reason) = invalid_name(from(&[local, CLIENTS]));
    assert_eq!(name, "STREAMHOOKS_COGNITO_REGION");
    assert!(reason.contains("AWS_REGION"), "{reason}");
}

#[test]
fn errors_name_the_variable() {
    assert_eq!(
        from(&[CLIENTS]).unwrap_err(),
        ConfigError::Missing {
            var: "STREAMHOOKS_COGNITO_USER_POOL_ID".into()
        }
    );
    assert_eq!(
        from(&[POOL, ("STREAMHOOKS_COGNITO_CLIENT_IDS", "  ")]).unwrap_err(),
        ConfigError::Missing {
            var: "STREAMHOOKS_COGNITO_CLIENT_IDS".into()
        }
    );
    assert_eq!(
        from(&[POOL]).unwrap_err().to_string(),
        "STREAMHOOKS_COGNITO_CLIENT_IDS is not set"
    );
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case<'_>] = &[
        (
            &[POOL, ("STREAMHOOKS_COGNITO_CLIENT_IDS", ",,")],
            "STREAMHOOKS_COGNITO_CLIENT_IDS",
            "no client id",
        ),
        (
            &[POOL, ("STREAMHOOKS_COGNITO_CLIENT_IDS", "a b")],
            "STREAMHOOKS_COGNITO_CLIENT_IDS",
            "`a b`",
        ),
        (
            &[("STREAMHOOKS_COGNITO_USER_POOL_ID", "not a pool"), CLIENTS],
            "STREAMHOOKS_COGNITO_USER_POOL_ID",
            "not a Cognito user pool id",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_COGNITO_REGION", "us-east-1")],
            "STREAMHOOKS_COGNITO_REGION",
            "not the region of user pool",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_COGNITO_REGION", "Ireland")],
            "STREAMHOOKS_COGNITO_REGION",
            "not an AWS region",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_COGNITO_TOKEN_USE", "refresh")],
            "STREAMHOOKS_COGNITO_TOKEN_USE",
            "id, access or any",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_AGENT_CLAIM", "custom: agent")],
            "STREAMHOOKS_AGENT_CLAIM",
            "not a claim name",
        ),
        (
            &[
                POOL,
                CLIENTS,
                (
                    "STREAMHOOKS_COGNITO_JWKS_URL",
                    "http://example.com/jwks.json",
                ),
            ],
            "STREAMHOOKS_COGNITO_JWKS_URL",
            "plain HTTP",
        ),
        (
            &[
                POOL,
                CLIENTS,
                ("STREAMHOOKS_COGNITO_JWKS_URL", "file:///etc/jwks.json"),
            ],
            "STREAMHOOKS_COGNITO_JWKS_URL",
            "scheme `file`",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_COGNITO_JWKS_URL", "jwks.json")],
            "STREAMHOOKS_COGNITO_JWKS_URL",
            "not a URL",
        ),
        (
            &[
                POOL,
                CLIENTS,
                ("STREAMHOOKS_COGNITO_ISSUER", "http://example.com/pool"),
            ],
            "STREAMHOOKS_COGNITO_JWKS_URL",
            "plain HTTP",
        ),
        (
            &[POOL, CLIENTS, ("STREAMHOOKS_COGNITO_ISSUER", "a b")],
            "STREAMHOOKS_COGNITO_ISSUER",
            "whitespace",
        ),
    ];
    for (vars, var, needle) in cases {
        let (name, reason) = invalid_name(from(vars));
        assert_eq!(&name, var, "{vars:?}");
        assert!(reason.contains(needle), "{vars:?}: {reason}");
    }
}

#[test]
fn validation_of_the_knobs() {
    let ok = CognitoConfig::new("us-west-2", "us-west-2_AbC123", ["client-a"]);
    assert_eq!(ok.validate(), Ok(()));
    type Tweak = Box<dyn Fn(&mut CognitoConfig)>;
    let cases: Vec<(&str, Tweak)> = vec![
        ("leeway", Box::new(|c| c.leeway = Duration::from_secs(301))),
        ("jwks_ttl", Box::new(|c| c.jwks_ttl = Duration::ZERO)),
        (
            "http_timeout",
            Box::new(|c| c.http_timeout = Duration::ZERO),
        ),
        (
            "refresh_floor",
            Box::new(|c| c.refresh_floor = Duration::from_secs(7200)),
        ),
        ("client_ids", Box::new(|c| c.client_ids.clear())),
        ("client_ids", Box::new(|c| c.client_ids.push(String::new()))),
        ("agent_claim", Box::new(|c| c.agent_claim.clear())),
        ("issuer", Box::new(|c| c.issuer = Some(String::new()))),
    ];
    for (field, tweak) in cases {
        let mut config = ok.clone();
        tweak(&mut config);
        let (name, _) = invalid_name(config.validate().map(|()| config.clone()));
        assert_eq!(name, field);
        assert!(CognitoVerifier::new(config).is_err(), "{field}");
    }
}
