//! CRM connectors for the streamhooks executor: the adapters behind its
//! [`CrmConnector`] port.
//!
//! A plugin's `crm` action names a connector; the operator configures each connector, with its
//! secrets, here, and plugins never see them. Each [`CrmConnector::write`] makes one HTTP
//! exchange (plus, for Salesforce, the token request it needs) and says how it failed, as a
//! [`CallError`]: 429 is throttled (with `Retry-After`), 5xx, timeouts and connection failures
//! are transient, other 4xx are permanent with a stable code (`http-400`, a Salesforce
//! `errorCode` ...) and at most 500 bytes of the answer's message, never the request body.
//! Retries, backoff and rate limits are the executor's; each request's timeout is the configured
//! one, or the time left before [`CallContext::deadline`] if that is shorter.
//!
//! - [`WebhookConnector`]: a signed JSON POST to an HTTPS endpoint (scheme in [`webhook`]).
//! - [`SalesforceConnector`]: sObject create, update and upsert by external id, with OAuth 2.0
//!   client credentials ([`salesforce`]).
//!
//! It is not a CRM client library: it writes the one record an action describes and nothing else.
//!
//! # Configuration
//!
//! [`connectors_from_env`] reads `STREAMHOOKS_CRM_CONNECTORS`, a comma-separated list of
//! `name=kind` (`kind` is `webhook` or `salesforce`), and each connector's settings from
//! `STREAMHOOKS_CRM_<NAME>_*` (the name upper-cased, `-` as `_`):
//!
//! ```text
//! STREAMHOOKS_CRM_CONNECTORS=salesforce=salesforce,orders=webhook
//! STREAMHOOKS_CRM_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com
//! STREAMHOOKS_CRM_SALESFORCE_CLIENT_ID=...
//! STREAMHOOKS_CRM_SALESFORCE_CLIENT_SECRET=...
//! STREAMHOOKS_CRM_SALESFORCE_API_VERSION=v60.0     # optional
//! STREAMHOOKS_CRM_SALESFORCE_TIMEOUT_MS=5000       # optional
//! STREAMHOOKS_CRM_ORDERS_URL=https://orders.example.com/streamhooks
//! STREAMHOOKS_CRM_ORDERS_SECRET=...
//! STREAMHOOKS_CRM_ORDERS_TIMEOUT_MS=5000           # optional
//! ```
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use streamhooks_crm::{ConnectorConfig, WebhookConfig, build_connectors};
//!
//! let mut orders = WebhookConfig::new("https://orders.example.com/streamhooks", "secret");
//! orders.timeout = Duration::from_secs(3);
//! let connectors = build_connectors([("orders".to_owned(), ConnectorConfig::Webhook(orders))])?;
//! assert!(connectors.contains_key("orders"));
//! // The executor looks up `CrmUpdate::connector` here and calls
//! // `connectors["orders"].write(&update, &cx).await`.
//! # Ok::<(), streamhooks_crm::ConfigError>(())
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub use streamhooks_executor::{CallContext, CallError, CrmConnector};

mod http;
pub mod salesforce;
pub mod webhook;

pub use salesforce::{SalesforceConfig, SalesforceConnector};
pub use webhook::{WebhookConfig, WebhookConnector, signature, verify_signature};

/// The configured connectors by name, as the executor looks them up.
pub type Connectors = BTreeMap<String, Arc<dyn CrmConnector>>;

/// The environment variable listing the connectors, as `name=kind,...`.
pub const CONNECTORS_VAR: &str = "STREAMHOOKS_CRM_CONNECTORS";

/// A connector configuration was missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A required environment variable is not set.
    #[error("{var} is not set")]
    Missing {
        /// The variable.
        var: String,
    },
    /// A setting has a value that cannot be used.
    #[error("{name}: {reason}")]
    Invalid {
        /// The setting (or environment variable).
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// One connector's configuration.
#[derive(Debug, Clone)]
pub enum ConnectorConfig {
    /// A signed webhook.
    Webhook(WebhookConfig),
    /// A Salesforce org.
    Salesforce(SalesforceConfig),
}

impl ConnectorConfig {
    /// Builds the connector.
    pub fn build(self) -> Result<Arc<dyn CrmConnector>, ConfigError> {
        Ok(match self {
            ConnectorConfig::Webhook(c) => Arc::new(WebhookConnector::new(c)?),
            ConnectorConfig::Salesforce(c) => Arc::new(SalesforceConnector::new(c)?),
        })
    }
}

/// Builds every connector, or says which configuration is wrong.
pub fn build_connectors(
    configs: impl IntoIterator<Item = (String, ConnectorConfig)>,
) -> Result<Connectors, ConfigError> {
    let mut connectors = Connectors::new();
    for (name, config) in configs {
        check_name(&name)?;
        let connector = config.build().map_err(|e| match e {
            ConfigError::Invalid {
                name: setting,
                reason,
            } => ConfigError::Invalid {
                name: format!("connector `{name}`: {setting}"),
                reason,
            },
            missing => missing,
        })?;
        if connectors.insert(name.clone(), connector).is_some() {
            return Err(ConfigError::Invalid {
                name: format!("connector `{name}`"),
                reason: "is configured twice".into(),
            });
        }
    }
    Ok(connectors)
}

/// The connectors [`CONNECTORS_VAR`] lists, configured from the environment (see the
/// [crate docs](crate)). None when the variable is not set.
pub fn connectors_from_env() -> Result<Connectors, ConfigError> {
    connectors_from_vars(|name| std::env::var(name).ok())
}

/// [`connectors_from_env`] with the variables looked up by `var`.
pub fn connectors_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<Connectors, ConfigError> {
    let Some(list) = var(CONNECTORS_VAR) else {
        return Ok(Connectors::new());
    };
    let mut configs = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, kind)) = entry.split_once('=') else {
            return Err(ConfigError::Invalid {
                name: CONNECTORS_VAR.into(),
                reason: format!("`{entry}` is not `name=kind`"),
            });
        };
        let (name, kind) = (name.trim(), kind.trim());
        check_name(name)?;
        let prefix = format!(
            "STREAMHOOKS_CRM_{}",
            name.to_ascii_uppercase().replace('-', "_")
        );
        let config = match kind {
            "webhook" => ConnectorConfig::Webhook(WebhookConfig::from_vars(&prefix, &var)?),
            "salesforce" => {
                ConnectorConfig::Salesforce(SalesforceConfig::from_vars(&prefix, &var)?)
            }
            other => {
                return Err(ConfigError::Invalid {
                    name: CONNECTORS_VAR.into(),
                    reason: format!(
                        "connector `{name}` has kind `{other}`; use `webhook` or `salesforce`"
                    ),
                });
            }
        };
        configs.push((name.to_owned(), config));
    }
    build_connectors(configs)
}

fn check_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            name: format!("connector `{name}`"),
            reason: "names are lowercase letters, digits, `-` and `_`".into(),
        })
    }
}

/// Environment variables under one prefix.
struct Vars<'a> {
    prefix: &'a str,
    var: &'a dyn Fn(&str) -> Option<String>,
}

impl Vars<'_> {
    fn name(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.prefix)
    }

    fn optional(&self, suffix: &str) -> Option<String> {
        (self.var)(&self.name(suffix)).filter(|v| !v.is_empty())
    }

    fn required(&self, suffix: &str) -> Result<String, ConfigError> {
        self.optional(suffix).ok_or_else(|| ConfigError::Missing {
            var: self.name(suffix),
        })
    }

    fn timeout(&self) -> Result<Option<Duration>, ConfigError> {
        let Some(value) = self.optional("TIMEOUT_MS") else {
            return Ok(None);
        };
        match value.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Ok(Some(Duration::from_millis(ms))),
            _ => Err(ConfigError::Invalid {
                name: self.name("TIMEOUT_MS"),
                reason: format!("`{value}` is not a positive number of milliseconds"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn connectors_come_from_the_environment() {
        let env = vars(&[
            (
                "STREAMHOOKS_CRM_CONNECTORS",
                "salesforce=salesforce, order-hook=webhook",
            ),
            (
                "STREAMHOOKS_CRM_SALESFORCE_INSTANCE_URL",
                "https://acme.my.salesforce.com",
            ),
            ("STREAMHOOKS_CRM_SALESFORCE_CLIENT_ID", "id"),
            ("STREAMHOOKS_CRM_SALESFORCE_CLIENT_SECRET", "secret"),
            (
                "STREAMHOOKS_CRM_ORDER_HOOK_URL",
                "https://orders.example.com/h",
            ),
            ("STREAMHOOKS_CRM_ORDER_HOOK_SECRET", "s"),
            ("STREAMHOOKS_CRM_ORDER_HOOK_TIMEOUT_MS", "1500"),
        ]);
        let connectors = connectors_from_vars(&env).unwrap();
        assert_eq!(
            connectors.keys().collect::<Vec<_>>(),
            ["order-hook", "salesforce"]
        );
        let hook = WebhookConfig::from_vars("STREAMHOOKS_CRM_ORDER_HOOK", &env).unwrap();
        assert_eq!(hook.timeout, Duration::from_millis(1500));
        assert!(connectors_from_vars(vars(&[])).unwrap().is_empty());
    }

    #[test]
    fn configuration_errors_name_the_setting() {
        let err = connectors_from_vars(vars(&[("STREAMHOOKS_CRM_CONNECTORS", "sf=salesforce")]))
            .err()
            .unwrap();
        assert_eq!(
            err,
            ConfigError::Missing {
                var: "STREAMHOOKS_CRM_SF_INSTANCE_URL".into()
            }
        );
        let err = connectors_from_vars(vars(&[("STREAMHOOKS_CRM_CONNECTORS", "x=hubspot")]))
            .err()
            .unwrap();
        assert!(err.to_string().contains("hubspot"), "{err}");
        let err = connectors_from_vars(vars(&[
            ("STREAMHOOKS_CRM_CONNECTORS", "w=webhook"),
            ("STREAMHOOKS_CRM_W_URL", "http://crm.example.com"),
            ("STREAMHOOKS_CRM_W_SECRET", "s"),
        ]))
        .err()
        .unwrap();
        assert!(
            err.to_string().starts_with("connector `w`: webhook url"),
            "{err}"
        );
        let err = connectors_from_vars(vars(&[
            ("STREAMHOOKS_CRM_CONNECTORS", "w=webhook"),
            ("STREAMHOOKS_CRM_W_URL", "https://crm.example.com"),
            ("STREAMHOOKS_CRM_W_SECRET", "s"),
            ("STREAMHOOKS_CRM_W_TIMEOUT_MS", "soon"),
        ]))
        .err()
        .unwrap();
        assert!(err.to_string().contains("TIMEOUT_MS"), "{err}");
        assert!(
            build_connectors([(
                "Bad Name".to_owned(),
                ConnectorConfig::Webhook(WebhookConfig::new("https://crm.example.com", "s"))
            )])
            .is_err()
        );
    }
}
