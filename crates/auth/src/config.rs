//! Which user pool, which app clients, which claim names the agent, and how keys are cached.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use reqwest::Url;

/// The user pool id (`<region>_<id>`).
pub const USER_POOL_ID_VAR: &str = "STREAMHOOKS_COGNITO_USER_POOL_ID";
/// Comma-separated app client ids whose tokens are accepted.
pub const CLIENT_IDS_VAR: &str = "STREAMHOOKS_COGNITO_CLIENT_IDS";
/// The pool's region; by default the region part of the pool id, else `AWS_REGION`.
pub const REGION_VAR: &str = "STREAMHOOKS_COGNITO_REGION";
/// `id` (default), `access` or `any`.
pub const TOKEN_USE_VAR: &str = "STREAMHOOKS_COGNITO_TOKEN_USE";
/// The claim naming the agent (default `custom:connect_agent_arn`).
pub const AGENT_CLAIM_VAR: &str = "STREAMHOOKS_AGENT_CLAIM";
/// Overrides the JWKS URL (tests, local emulators).
pub const JWKS_URL_VAR: &str = "STREAMHOOKS_COGNITO_JWKS_URL";
/// Overrides the expected `iss` (tests, local emulators).
pub const ISSUER_VAR: &str = "STREAMHOOKS_COGNITO_ISSUER";
/// The Lambda runtime's region, the last fallback for the pool's region.
pub const AWS_REGION_VAR: &str = "AWS_REGION";

/// The default agent claim: a Cognito custom attribute holding the agent's ARN (or id).
pub const DEFAULT_AGENT_CLAIM: &str = "custom:connect_agent_arn";
/// Default clock-skew allowance for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);
/// The most leeway [`CognitoConfig::validate`] accepts.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);
/// Default time a fetched key set is used before it is fetched again.
pub const DEFAULT_JWKS_TTL: Duration = Duration::from_secs(3600);
/// Default minimum interval between refetches caused by an unknown `kid`.
pub const DEFAULT_REFRESH_FLOOR: Duration = Duration::from_secs(30);
/// Default wait after a failed fetch before the next one (when no fresh keys are cached).
pub const DEFAULT_RETRY_BACKOFF: Duration = Duration::from_secs(5);
/// Default timeout of one JWKS request.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Which Cognito tokens are accepted, and (in an [`Identity`](crate::Identity)) which kind
/// was presented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TokenUse {
    /// ID tokens (`token_use: id`, audience in `aud`). The default: Cognito puts custom
    /// attributes, such as the agent claim, in ID tokens only.
    #[default]
    Id,
    /// Access tokens (`token_use: access`, audience in `client_id`).
    Access,
    /// Either (configuration only; an identity is always `Id` or `Access`).
    Any,
}

impl TokenUse {
    /// `id`, `access` or `any`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
            Self::Any => "any",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenUse {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" => Ok(Self::Id),
            "access" => Ok(Self::Access),
            "any" => Ok(Self::Any),
            _ => Err(format!("`{s}` is not a token use (id, access or any)")),
        }
    }
}

/// A configuration was missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required environment variable is not set (or is empty).
    #[error("{var} is not set")]
    Missing {
        /// The variable.
        var: String,
    },
    /// A setting has a value that cannot be used.
    #[error("{name}: {reason}")]
    Invalid {
        /// The setting (a field of [`CognitoConfig`], or the environment variable it came from).
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn invalid(name: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// How to verify Cognito user-pool tokens. Build with [`new`](Self::new) or
/// [`from_env`](Self::from_env); [`CognitoVerifier::new`](crate::CognitoVerifier::new)
/// validates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoConfig {
    /// The user pool's region (`us-west-2`).
    pub region: String,
    /// The user pool id (`us-west-2_AbCdEfGhI`).
    pub user_pool_id: String,
    /// App client ids whose tokens are accepted (ID token `aud`, access token `client_id`).
    pub client_ids: Vec<String>,
    /// Which tokens are accepted (default [`TokenUse::Id`]).
    pub token_use: TokenUse,
    /// The claim naming the agent: the agent's ARN, or its id (default
    /// [`DEFAULT_AGENT_CLAIM`]).
    pub agent_claim: String,
    /// Overrides the JWKS URL (default [`jwks_endpoint`](Self::jwks_endpoint)). HTTPS, or plain HTTP
    /// to 127.0.0.1 / localhost only.
    pub jwks_url: Option<String>,
    /// Overrides the expected `iss` (default
    /// `https://cognito-idp.<region>.amazonaws.com/<user pool id>`).
    pub issuer: Option<String>,
    /// Clock-skew allowance for `exp`, `nbf` and `iat` (default 60 s, at most 5 min).
    pub leeway: Duration,
    /// How long a fetched key set is used before it is fetched again (default 1 h). If that
    /// fetch fails, the old keys stay in use for up to another `jwks_ttl`.
    pub jwks_ttl: Duration,
    /// Minimum interval between refetches caused by an unknown `kid` (default 30 s): key
    /// rotation is picked up, and tokens with made-up kids cannot flood the JWKS endpoint.
    pub refresh_floor: Duration,
    /// Wait after a failed fetch before trying again while no fresh keys are cached
    /// (default 5 s); meanwhile requests get [`AuthError::JwksUnavailable`](crate::AuthError).
    pub retry_backoff: Duration,
    /// Timeout of one JWKS request, connection included (default 5 s).
    pub http_timeout: Duration,
}

impl CognitoConfig {
    /// A configuration with the defaults for everything but the pool and its app clients.
    pub fn new(
        region: impl Into<String>,
        user_pool_id: impl Into<String>,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            region: region.into(),
            user_pool_id: user_pool_id.into(),
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            token_use: TokenUse::default(),
            agent_claim: DEFAULT_AGENT_CLAIM.to_owned(),
            jwks_url: None,
            issuer: None,
            leeway: DEFAULT_LEEWAY,
            jwks_ttl: DEFAULT_JWKS_TTL,
            refresh_floor: DEFAULT_REFRESH_FLOOR,
            retry_backoff: DEFAULT_RETRY_BACKOFF,
            http_timeout: DEFAULT_HTTP_TIMEOUT,
        }
    }

    /// Reads the configuration from environment variables through `lookup` (pass
    /// `|name| std::env::var(name).ok()`, or see [`from_process_env`](Self::from_process_env)):
    ///
    /// | variable | |
    /// |---|---|
    /// | `STREAMHOOKS_COGNITO_USER_POOL_ID` | required |
    /// | `STREAMHOOKS_COGNITO_CLIENT_IDS` | required, comma-separated |
    /// | `STREAMHOOKS_COGNITO_REGION` | default: the region part of the pool id, else `AWS_REGION` |
    /// | `STREAMHOOKS_COGNITO_TOKEN_USE` | `id` (default), `access`, `any` |
    /// | `STREAMHOOKS_AGENT_CLAIM` | default `custom:connect_agent_arn` |
    /// | `STREAMHOOKS_COGNITO_JWKS_URL` | override (tests, local emulators) |
    /// | `STREAMHOOKS_COGNITO_ISSUER` | override (tests, local emulators) |
    ///
    /// Empty (or all-blank) values count as unset. The result is validated; errors name the
    /// variable.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |var: &str| {
            lookup(var)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required = |var: &str| {
            get(var).ok_or_else(|| ConfigError::Missing {
                var: var.to_owned(),
            })
        };
        let user_pool_id = required(USER_POOL_ID_VAR)?;
        if !is_user_pool_id(&user_pool_id) {
            return Err(invalid(USER_POOL_ID_VAR, bad_pool_id(&user_pool_id)));
        }
        let client_ids: Vec<String> = required(CLIENT_IDS_VAR)?
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect();
        if client_ids.is_empty() {
            return Err(invalid(CLIENT_IDS_VAR, "lists no client id"));
        }
        let region = match get(REGION_VAR) {
            Some(region) => region,
            None => match pool_region(&user_pool_id) {
                Some(region) => region.to_owned(),
                None => get(AWS_REGION_VAR).ok_or_else(|| {
                    invalid(
                        REGION_VAR,
                        format!(
                            "is not set, the user pool id `{user_pool_id}` does not start with a \
                             region, and {AWS_REGION_VAR} is not set either"
                        ),
                    )
                })?,
            },
        };
        let mut config = Self::new(region, user_pool_id, client_ids);
        if let Some(token_use) = get(TOKEN_USE_VAR) {
            config.token_use = token_use
                .parse()
                .map_err(|reason: String| invalid(TOKEN_USE_VAR, reason))?;
        }
        if let Some(claim) = get(AGENT_CLAIM_VAR) {
            config.agent_claim = claim;
        }
        config.jwks_url = get(JWKS_URL_VAR);
        config.issuer = get(ISSUER_VAR);
        config.validate().map_err(|e| match e {
            ConfigError::Invalid { name, reason } => ConfigError::Invalid {
                name: env_var_of(&name).unwrap_or(&name).to_owned(),
                reason,
            },
            missing => missing,
        })?;
        Ok(config)
    }

    /// [`from_env`](Self::from_env) with the process environment.
    pub fn from_process_env() -> Result<Self, ConfigError> {
        Self::from_env(|name| std::env::var(name).ok())
    }

    /// Checks every setting; errors name the field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !is_region(&self.region) {
            return Err(invalid(
                "region",
                format!("`{}` is not an AWS region (like us-west-2)", self.region),
            ));
        }
        if !is_user_pool_id(&self.user_pool_id) {
            return Err(invalid("user_pool_id", bad_pool_id(&self.user_pool_id)));
        }
        if let Some(pool_region) = pool_region(&self.user_pool_id)
            && pool_region != self.region
        {
            return Err(invalid(
                "region",
                format!(
                    "`{}` is not the region of user pool `{}` ({pool_region})",
                    self.region, self.user_pool_id
                ),
            ));
        }
        if self.client_ids.is_empty() {
            return Err(invalid("client_ids", "lists no client id"));
        }
        if let Some(bad) = self.client_ids.iter().find(|id| !is_client_id(id)) {
            return Err(invalid(
                "client_ids",
                format!("`{bad}` is not an app client id (1 to 128 letters, digits, +, _ or -)"),
            ));
        }
        if self.agent_claim.is_empty() || !self.agent_claim.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "agent_claim",
                format!(
                    "`{}` is not a claim name (printable ASCII, no spaces)",
                    self.agent_claim
                ),
            ));
        }
        if let Some(issuer) = &self.issuer
            && (issuer.is_empty() || issuer.chars().any(char::is_whitespace))
        {
            return Err(invalid(
                "issuer",
                "must be non-empty and have no whitespace",
            ));
        }
        checked_url("jwks_url", &self.jwks_endpoint())?;
        if self.leeway > MAX_LEEWAY {
            return Err(invalid(
                "leeway",
                format!(
                    "{:?} is more than the {:?} allowed: expired tokens would be accepted",
                    self.leeway, MAX_LEEWAY
                ),
            ));
        }
        for (name, value) in [
            ("jwks_ttl", self.jwks_ttl),
            ("refresh_floor", self.refresh_floor),
            ("retry_backoff", self.retry_backoff),
            ("http_timeout", self.http_timeout),
        ] {
            if value.is_zero() {
                return Err(invalid(name, "must be more than zero"));
            }
        }
        if self.refresh_floor > self.jwks_ttl {
            return Err(invalid(
                "refresh_floor",
                format!(
                    "{:?} is longer than jwks_ttl ({:?})",
                    self.refresh_floor, self.jwks_ttl
                ),
            ));
        }
        Ok(())
    }

    /// The expected `iss`: the override, or
    /// `https://cognito-idp.<region>.amazonaws.com/<user pool id>`.
    pub fn expected_issuer(&self) -> String {
        match &self.issuer {
            Some(issuer) => issuer.clone(),
            None => {
                // The China regions have their own domain.
                let domain = if self.region.starts_with("cn-") {
                    "amazonaws.com.cn"
                } else {
                    "amazonaws.com"
                };
                format!(
                    "https://cognito-idp.{}.{domain}/{}",
                    self.region, self.user_pool_id
                )
            }
        }
    }

    /// The JWKS URL: the override, or `<issuer>/.well-known/jwks.json` (with the issuer
    /// override, if any).
    pub fn jwks_endpoint(&self) -> String {
        match &self.jwks_url {
            Some(url) => url.clone(),
            None => format!("{}/.well-known/jwks.json", self.expected_issuer()),
        }
    }
}

/// The environment variable a field is read from, if any.
fn env_var_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "region" => REGION_VAR,
        "user_pool_id" => USER_POOL_ID_VAR,
        "client_ids" => CLIENT_IDS_VAR,
        "token_use" => TOKEN_USE_VAR,
        "agent_claim" => AGENT_CLAIM_VAR,
        "jwks_url" => JWKS_URL_VAR,
        "issuer" => ISSUER_VAR,
        _ => return None,
    })
}

/// Parses `url` and refuses anything but HTTPS, except plain HTTP to this machine (tests and
/// local emulators): keys fetched in the clear could be swapped by anyone on the path.
pub(crate) fn checked_url(name: &str, url: &str) -> Result<Url, ConfigError> {
    let parsed =
        Url::parse(url).map_err(|e| invalid(name, format!("`{url}` is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(invalid(
                name,
                format!(
                    "`{url}` is plain HTTP; use HTTPS (HTTP is allowed only for 127.0.0.1 and \
                     localhost)"
                ),
            ));
        }
        other => {
            return Err(invalid(
                name,
                format!("`{url}` has scheme `{other}`; use HTTPS"),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(name, format!("`{url}` has no host")));
    }
    Ok(parsed)
}

/// Whether `url` points at this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// `us-west-2`, `us-gov-west-1`, `ap-southeast-3`: lowercase words and a number, by hyphens.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `<prefix>_<id>` as Cognito defines it (`[\w-]+_[0-9a-zA-Z]+`, at most 55 characters).
fn is_user_pool_id(s: &str) -> bool {
    let Some((prefix, id)) = s.split_once('_') else {
        return false;
    };
    s.len() <= 55
        && !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn bad_pool_id(pool_id: &str) -> String {
    format!("`{pool_id}` is not a Cognito user pool id (<region>_<id>, like us-west-2_AbC123)")
}

/// The region part of a user pool id, when it is one (`local_abc` has none).
fn pool_region(pool_id: &str) -> Option<&str> {
    let (prefix, _) = pool_id.split_once('_')?;
    is_region(prefix).then_some(prefix)
}

/// Cognito app client ids are `[\w+]+`, at most 128 characters; `-` is allowed for emulators.
fn is_client_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_pool_ids() {
        for ok in ["us-west-2", "us-gov-west-1", "ap-southeast-3", "cn-north-1"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us",
            "us-west",
            "US-WEST-2",
            "us-west-",
            "-west-2",
            "us_west_2",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        assert!(is_user_pool_id("us-west-2_AbC123"));
        assert!(is_user_pool_id("local_abc"));
        for bad in [
            "",
            "us-west-2",
            "_abc",
            "us-west-2_",
            "us-west-2_a-b",
            "a b_c",
        ] {
            assert!(!is_user_pool_id(bad), "{bad}");
        }
        assert_eq!(pool_region("us-west-2_AbC123"), Some("us-west-2"));
        assert_eq!(pool_region("local_abc"), None);
    }

    #[test]
    fn default_issuer_and_jwks_url() {
        let config = CognitoConfig::new("us-west-2", "us-west-2_AbC123", ["client"]);
        assert_eq!(
            config.expected_issuer(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123"
        );
        assert_eq!(
            config.jwks_endpoint(),
            "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_AbC123/.well-known/jwks.json"
        );
        let china = CognitoConfig::new("cn-north-1", "cn-north-1_AbC123", ["client"]);
        assert!(
            china
                .expected_issuer()
                .starts_with("https://cognito-idp.cn-north-1.amazonaws.com.cn/")
        );
        assert_eq!(config.validate(), Ok(()));
    }
}
