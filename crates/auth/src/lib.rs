//! Authentication of Streams clients: the browser forwarders that POST agent and contact event
//! batches to the ingest function's URL.
//!
//! Each request carries an Amazon Cognito user-pool JWT (`Authorization: Bearer <jwt>`).
//! [`CognitoVerifier`] checks it against the pool's published keys (JWKS, fetched and cached)
//! and returns an [`Identity`]; [`Identity::bind`] then checks that the identity may speak for
//! the batch's `agent_arn` (see `docs/wire-format.md`), through a claim — by default the custom
//! attribute `custom:connect_agent_arn` — holding the agent's ARN or id.
//!
//! ```no_run
//! # async fn handle(authorization: Option<&str>, agent_arn: &str)
//! #     -> Result<(), streamhooks_auth::AuthError> {
//! use streamhooks_auth::{Authenticator, CognitoConfig, CognitoVerifier};
//!
//! let config = CognitoConfig::from_process_env().expect("configuration");
//! let verifier = CognitoVerifier::new(config).expect("verifier");
//! let identity = verifier.authenticate(authorization).await?;
//! identity.bind(agent_arn)?; // 403 when the batch names another agent
//! # Ok(()) }
//! ```
//!
//! Every refusal is an [`AuthError`] with a stable [`code`](AuthError::code) and an HTTP
//! [`status`](AuthError::status): 401 (no valid token), 403 (valid token, wrong agent) or 503
//! (the keys cannot be fetched; retry).
//!
//! [`DevAuthenticator`] is an **insecure** stand-in for the local dev server only.

use std::future::Future;
use std::pin::Pin;

mod config;
mod dev;
mod error;
mod identity;
mod jwks;
mod verifier;

pub use config::{
    AGENT_CLAIM_VAR, AWS_REGION_VAR, CLIENT_IDS_VAR, CognitoConfig, ConfigError,
    DEFAULT_AGENT_CLAIM, DEFAULT_HTTP_TIMEOUT, DEFAULT_JWKS_TTL, DEFAULT_LEEWAY,
    DEFAULT_REFRESH_FLOOR, DEFAULT_RETRY_BACKOFF, ISSUER_VAR, JWKS_URL_VAR, MAX_LEEWAY, REGION_VAR,
    TOKEN_USE_VAR, TokenUse, USER_POOL_ID_VAR,
};
pub use dev::{DEV_TOKEN_PREFIX, DevAuthenticator};
pub use error::AuthError;
pub use identity::{Identity, agent_id_of};
pub use verifier::{CognitoVerifier, MAX_TOKEN_BYTES};

/// A boxed, `Send` future: what [`Authenticator`] returns, so the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Turns a request's `Authorization` header into an [`Identity`]. Object-safe: hold an
/// `Arc<dyn Authenticator>`.
pub trait Authenticator: Send + Sync {
    /// Authenticates `authorization` (the header's value, `None` when absent) at the current
    /// time.
    fn authenticate<'a>(
        &'a self,
        authorization: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Identity, AuthError>>;
}
