//! Who a verified token speaks for, and whether that is the agent a request names.

use std::time::SystemTime;

use crate::{AuthError, TokenUse};

/// The caller, as a verified token (or the [dev authenticator](crate::DevAuthenticator))
/// describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user's `sub`.
    pub subject: String,
    /// `cognito:username` (ID tokens) or `username` (access tokens), when present.
    pub username: Option<String>,
    /// The agent claim: the agent's ARN, or its id. `None` when the claim is absent, empty or
    /// not a string; [`bind`](Self::bind) then refuses every agent.
    pub agent: Option<String>,
    /// The kind of token presented: [`TokenUse::Id`] or [`TokenUse::Access`], never `Any`.
    pub token_use: TokenUse,
    /// The app client the token was issued to (ID token `aud`, access token `client_id`).
    pub client_id: String,
    /// When the token expires (`exp`, without the leeway).
    pub expires_at: SystemTime,
    /// The name of the claim [`agent`](Self::agent) came from, for error messages.
    pub agent_claim: String,
}

impl Identity {
    /// Checks that this identity may speak for `agent_arn` (the batch's `agent_arn`): the agent
    /// claim must equal that ARN exactly, or equal its agent id (the segment after `/agent/`).
    ///
    /// An identity without the claim is refused with [`AuthError::AgentClaimMissing`]; any
    /// other agent, or an `agent_arn` that is not an Amazon Connect agent ARN, with
    /// [`AuthError::AgentMismatch`]. Both are 403s.
    ///
    /// A claim holding only the agent id matches that agent id in any Connect instance: use
    /// full ARNs in the claim when one user pool serves several instances.
    pub fn bind(&self, agent_arn: &str) -> Result<(), AuthError> {
        let Some(agent) = self.agent.as_deref() else {
            return Err(AuthError::AgentClaimMissing {
                claim: self.agent_claim.clone(),
            });
        };
        let mismatch = || AuthError::AgentMismatch {
            claim: self.agent_claim.clone(),
        };
        let agent_id = agent_id_of(agent_arn).ok_or_else(mismatch)?;
        if agent == agent_arn || agent == agent_id {
            Ok(())
        } else {
            Err(mismatch())
        }
    }
}

/// The agent id of an Amazon Connect agent ARN
/// (`arn:<partition>:connect:<region>:<account>:instance/<id>/agent/<id>`), or `None` when
/// `arn` is not one.
pub fn agent_id_of(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts[..] else {
        return None;
    };
    let segments: Vec<&str> = resource.split('/').collect();
    let [instance, _, agent, agent_id] = segments[..] else {
        return None;
    };
    let valid = prefix == "arn"
        && !partition.is_empty()
        && service == "connect"
        && !region.is_empty()
        && !account.is_empty()
        && account.bytes().all(|b| b.is_ascii_digit())
        && instance == "instance"
        && agent == "agent"
        && segments.iter().all(|s| !s.is_empty())
        && arn.bytes().all(|b| b.is_ascii_graphic());
    valid.then_some(agent_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_ids() {
        assert_eq!(
            agent_id_of("arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1"),
            Some("a-1")
        );
        for bad in [
            "",
            "a-1",
            "arn:aws:connect:us-west-2:111122223333:instance/i-1",
            "arn:aws:connect:us-west-2:111122223333:instance/i-1/queue/q-1",
            "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/",
            "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a-1/x",
            "arn:aws:iam:us-west-2:111122223333:instance/i-1/agent/a-1",
            "arn:aws:connect:us-west-2:acct:instance/i-1/agent/a-1",
            "arn:aws:connect:us-west-2:111122223333:instance/i-1/agent/a 1",
        ] {
            assert_eq!(agent_id_of(bad), None, "{bad}");
        }
    }
}
