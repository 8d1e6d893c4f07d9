//! Why a request was not authenticated, or not authorized for the agent it names.

use crate::TokenUse;

/// Why a request was refused. Each variant has a stable [`code`](Self::code) (for logs, metrics
/// and the response body) and an HTTP [`status`](Self::status). Messages say what is wrong and
/// never carry the token or any part of it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No bearer token: no `Authorization` header, an empty one, or another scheme.
    #[error("no bearer token: {reason}")]
    MissingToken {
        /// What was found instead.
        reason: &'static str,
    },
    /// The token is not a well-formed JWT (or lacks a claim every token must have).
    #[error("malformed token: {reason}")]
    MalformedToken {
        /// What is wrong with it.
        reason: String,
    },
    /// The token is not signed with RS256, the only algorithm Cognito user pools use.
    #[error("unsupported token algorithm {alg}: only RS256 is accepted")]
    UnsupportedAlgorithm {
        /// The header's `alg`, when short and printable; otherwise a placeholder.
        alg: String,
    },
    /// The token's `kid` is not among the user pool's signing keys (after a refetch, or within
    /// the refetch floor).
    #[error("the token's signing key (kid) is not one of the user pool's keys")]
    UnknownKey,
    /// The signature does not verify with the user pool's key.
    #[error("the token's signature does not verify")]
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` or `iat` is in the future (beyond the leeway).
    #[error("the token is not valid yet ({claim} is in the future)")]
    NotYetValid {
        /// `nbf` or `iat`.
        claim: &'static str,
    },
    /// `iss` is not the configured user pool.
    #[error("the token was not issued by the configured user pool")]
    WrongIssuer,
    /// ID token `aud` / access token `client_id` is not one of the configured app clients.
    #[error("the token was issued to another app client ({claim} is not an allowed client id)")]
    WrongAudience {
        /// `aud` (ID tokens) or `client_id` (access tokens).
        claim: &'static str,
    },
    /// `token_use` is missing or not the configured kind.
    #[error("wrong token kind: {expected} token required")]
    WrongTokenUse {
        /// What the configuration accepts.
        expected: TokenUse,
    },
    /// The token's agent is not the agent the request names.
    #[error("the token's agent ({claim}) is not the agent named by the request")]
    AgentMismatch {
        /// The agent claim.
        claim: String,
    },
    /// The token has no agent claim, so it cannot speak for any agent.
    #[error("the token has no `{claim}` claim: the user is not mapped to an Amazon Connect agent")]
    AgentClaimMissing {
        /// The agent claim.
        claim: String,
    },
    /// The user pool's keys could not be fetched: the request may succeed later.
    #[error("the user pool's signing keys are unavailable: {reason}")]
    JwksUnavailable {
        /// What failed (status, timeout, invalid document).
        reason: String,
    },
}

impl AuthError {
    /// Every code [`code`](Self::code) can return.
    pub const CODES: &'static [&'static str] = &[
        "missing-token",
        "malformed-token",
        "unsupported-algorithm",
        "unknown-key",
        "bad-signature",
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "wrong-token-use",
        "agent-mismatch",
        "agent-claim-missing",
        "jwks-unavailable",
    ];

    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken { .. } => "missing-token",
            Self::MalformedToken { .. } => "malformed-token",
            Self::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            Self::UnknownKey => "unknown-key",
            Self::BadSignature => "bad-signature",
            Self::Expired => "expired",
            Self::NotYetValid { .. } => "not-yet-valid",
            Self::WrongIssuer => "wrong-issuer",
            Self::WrongAudience { .. } => "wrong-audience",
            Self::WrongTokenUse { .. } => "wrong-token-use",
            Self::AgentMismatch { .. } => "agent-mismatch",
            Self::AgentClaimMissing { .. } => "agent-claim-missing",
            Self::JwksUnavailable { .. } => "jwks-unavailable",
        }
    }

    /// The HTTP status to answer with: 401 (not authenticated), 403 (authenticated, but not as
    /// the agent the request names) or 503 (cannot tell right now; retry later).
    pub fn status(&self) -> u16 {
        match self {
            Self::AgentMismatch { .. } | Self::AgentClaimMissing { .. } => 403,
            Self::JwksUnavailable { .. } => 503,
            _ => 401,
        }
    }

    /// The `WWW-Authenticate` header value for a 401 answer (RFC 6750), `None` otherwise.
    pub fn www_authenticate(&self) -> Option<String> {
        match self.status() {
            401 if matches!(self, Self::MissingToken { .. }) => {
                Some(r#"Bearer realm="streamhooks""#.to_owned())
            }
            401 => Some(format!(
                r#"Bearer realm="streamhooks", error="invalid_token", error_description="{}""#,
                self.code()
            )),
            _ => None,
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        Self::MalformedToken {
            reason: reason.into(),
        }
    }

    pub(crate) fn jwks(reason: impl Into<String>) -> Self {
        Self::JwksUnavailable {
            reason: reason.into(),
        }
    }
}
