//! **INSECURE**: an authenticator for the local dev server only.

use std::time::{Duration, SystemTime};

use crate::identity::agent_id_of;
use crate::verifier::bearer_token;
use crate::{AuthError, Authenticator, BoxFuture, Identity, TokenUse};

/// The prefix of a dev token: `Bearer dev:<agent ARN or agent id>`.
pub const DEV_TOKEN_PREFIX: &str = "dev:";

/// The agent claim name dev identities report.
const DEV_CLAIM: &str = "dev-token";

/// # ⚠ INSECURE — local development only ⚠
///
/// Accepts `Authorization: Bearer dev:<agent ARN or agent id>` and believes it: **anyone can
/// claim to be any agent**. It exists so the local dev server can take batches from a forwarder
/// without a Cognito user pool. It must never be wired into a Lambda function or anything
/// reachable from a network; the functions build a [`CognitoVerifier`](crate::CognitoVerifier)
/// and nothing else. Building one logs a warning.
///
/// Identities it returns have `subject` `dev:<agent>`, `client_id` `dev`, `token_use`
/// [`TokenUse::Id`], and expire an hour after `now`.
#[derive(Debug)]
pub struct DevAuthenticator {
    _private: (),
}

impl DevAuthenticator {
    /// Builds the insecure dev authenticator (and says so in the log). The name is meant to
    /// stand out in review.
    pub fn insecure_new() -> Self {
        tracing::warn!(
            "DevAuthenticator in use: `Bearer dev:<agent>` is accepted without any check. \
             Local development only."
        );
        Self { _private: () }
    }

    /// Reads a dev token (see the type docs).
    pub fn verify(&self, authorization: &str, now: SystemTime) -> Result<Identity, AuthError> {
        let token = bearer_token(authorization)?;
        let agent = token.strip_prefix(DEV_TOKEN_PREFIX).ok_or_else(|| {
            AuthError::malformed("the dev authenticator accepts only `Bearer dev:<agent>` tokens")
        })?;
        let is_agent_id = !agent.is_empty()
            && agent.len() <= 256
            && agent
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'/' && b != b':');
        if !is_agent_id && agent_id_of(agent).is_none() {
            return Err(AuthError::malformed(
                "a dev token names an Amazon Connect agent ARN or agent id",
            ));
        }
        Ok(Identity {
            subject: format!("{DEV_TOKEN_PREFIX}{agent}"),
            username: Some(agent.to_owned()),
            agent: Some(agent.to_owned()),
            token_use: TokenUse::Id,
            client_id: "dev".to_owned(),
            expires_at: now + Duration::from_secs(3600),
            agent_claim: DEV_CLAIM.to_owned(),
        })
    }
}

impl Authenticator for DevAuthenticator {
    fn authenticate<'a>(
        &'a self,
        authorization: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Identity, AuthError>> {
        let result = match authorization {
            Some(authorization) => self.verify(authorization, SystemTime::now()),
            None => Err(AuthError::MissingToken {
                reason: "no Authorization header",
            }),
        };
        Box::pin(std::future::ready(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1";

    #[test]
    fn dev_tokens() {
        let dev = DevAuthenticator::insecure_new();
        let now = SystemTime::now();
        let identity = dev
            .verify(&format!("Bearer dev:{ARN}"), now)
            .expect("an ARN");
        assert_eq!(identity.agent.as_deref(), Some(ARN));
        assert_eq!(identity.bind(ARN), Ok(()));
        let identity = dev.verify("bearer dev:a-1", now).expect("an agent id");
        assert_eq!(identity.bind(ARN), Ok(()));
        assert_eq!(
            identity
                .bind("arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-2")
                .map_err(|e| e.code()),
            Err("agent-mismatch")
        );
        for bad in [
            "Bearer dev:",
            "Bearer a.b.c",
            "Bearer dev:a/b",
            "Bearer dev:arn:aws:x",
        ] {
            assert_eq!(
                dev.verify(bad, now).map_err(|e| e.code()),
                Err("malformed-token"),
                "{bad}"
            );
        }
        assert_eq!(
            dev.verify("", now).map_err(|e| e.code()),
            Err("missing-token")
        );
    }
}
