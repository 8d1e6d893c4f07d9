//! Binding a verified identity to the batch's agent.

use std::time::UNIX_EPOCH;

use serde_json::json;
use streamhooks_auth::{AuthError, Identity, TokenUse, agent_id_of};

use crate::common::*;

fn identity(agent: Option<&str>) -> Identity {
    Identity {
        subject: "sub".into(),
        username: None,
        agent: agent.map(str::to_owned),
        token_use: TokenUse::Id,
        client_id: CLIENT.into(),
        expires_at: UNIX_EPOCH,
        agent_claim: "custom:connect_agent_arn".into(),
    }
}

const INSTANCE: &str =
    "arn:aws:connect:us-west-2:111122223333:instance/8a1f2b3c-0000-4000-8000-000000000001";

#[test]
fn the_full_arn_or_the_agent_id_binds() {
    assert_eq!(agent_id_of(AGENT_ARN), Some(AGENT_ID));
    assert_eq!(identity(Some(AGENT_ARN)).bind(AGENT_ARN), Ok(()));
    assert_eq!(identity(Some(AGENT_ID)).bind(AGENT_ARN), Ok(()));
    // An id-only claim matches that agent id in any instance (documented).
    let other_instance = AGENT_ARN.replace("8a1f2b3c", "99999999");
    assert_eq!(identity(Some(AGENT_ID)).bind(&other_instance), Ok(()));
}

#[test]
fn other_agents_are_refused() {
    let other_agent = format!("{INSTANCE}/agent/00000000-0000-4000-8000-0000000000b2");
    let other_instance = AGENT_ARN.replace("8a1f2b3c", "99999999");
    let other_account = AGENT_ARN.replace("111122223333", "444455556666");
    let other_partition = AGENT_ARN.replace("arn:aws:", "arn:aws-us-gov:");
    let queue = format!("{INSTANCE}/queue/{AGENT_ID}");
    let cases: Vec<(&str, String, &str)> = vec![
        ("another agent", AGENT_ARN.into(), &other_agent),
        (
            "same agent id, another instance",
            AGENT_ARN.into(),
            &other_instance,
        ),
        (
            "same agent id, another account",
            AGENT_ARN.into(),
            &other_account,
        ),
        (
            "same agent id, another partition",
            AGENT_ARN.into(),
            &other_partition,
        ),
        ("agent id of another agent", AGENT_ID.into(), &other_agent),
        ("a suffix of the agent id", AGENT_ID[1..].into(), AGENT_ARN),
        ("a prefix of the agent id", AGENT_ID[..10].into(), AGENT_ARN),
        ("the instance ARN", INSTANCE.into(), AGENT_ARN),
        (
            "the ARN in another case",
            AGENT_ARN.to_uppercase(),
            AGENT_ARN,
        ),
        (
            "the ARN with a trailing slash",
            format!("{AGENT_ARN}/"),
            AGENT_ARN,
        ),
        ("the id with spaces", format!(" {AGENT_ID}"), AGENT_ARN),
        ("a wildcard", "*".into(), AGENT_ARN),
        ("the id, but no agent ARN", AGENT_ID.into(), AGENT_ID),
        ("the claim, but a queue ARN", queue.clone(), &queue),
        ("an empty ARN", AGENT_ID.into(), ""),
    ];
    for (what, claim, arn) in cases {
        let err = identity(Some(&claim)).bind(arn).unwrap_err();
        assert_eq!(err.code(), "agent-mismatch", "{what}");
        assert_eq!(err.status(), 403, "{what}");
        assert_eq!(
            err,
            AuthError::AgentMismatch {
                claim: "custom:connect_agent_arn".into()
            }
        );
    }
}

#[test]
fn a_missing_claim_is_named() {
    let err = identity(None).bind(AGENT_ARN).unwrap_err();
    assert_eq!(err.code(), "agent-claim-missing");
    assert_eq!(err.status(), 403);
    assert_eq!(
        err.to_string(),
        "the token has no `custom:connect_agent_arn` claim: the user is not mapped to an Amazon \
         Connect agent"
    );
}

#[tokio::test]
async fn end_to_end_another_users_token_cannot_post_for_this_agent() {
    let key1 = key(1);
    let server = JwksServer::start(&[&key1]).await;
    let verifier = server.verifier(|_| {});
    let other = format!("{INSTANCE}/agent/00000000-0000-4000-8000-0000000000b2");
    let token = bearer(&sign(
        &key1,
        &with(id_claims(), json!({"custom:connect_agent_arn": other})),
    ));
    let identity = verifier.verify(&token, t0()).await.unwrap();
    assert_eq!(identity.bind(&other), Ok(()));
    assert_eq!(
        identity.bind(AGENT_ARN).unwrap_err().code(),
        "agent-mismatch"
    );
}
