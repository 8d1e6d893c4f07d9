//! Plugin manifests (`plugin.toml`): name, version, subscriptions, grants, limits, config and
//! failure policy, as `docs/plugins.md` specifies. Every error names the file and the field.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use streamhooks_events::EventKind;
use toml::{Table, Value};

use crate::grants::{GRANT_KEYS, Grant, Grants, Pattern};

/// What happens to an event when this plugin fails on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Record the failure; the event is otherwise handled (the default).
    Skip,
    /// Record the failure and fail the event, so its source retries it.
    FailEvent,
}

/// Per-call limits the engine enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginLimits {
    /// Linear memory, in bytes.
    pub memory_bytes: usize,
    /// Wall-clock budget of one call.
    pub timeout_ms: u64,
    /// Actions one call may return.
    pub max_actions: usize,
    /// Serialized size of one call's actions.
    pub max_output_bytes: usize,
    /// Log bytes kept per call.
    pub max_log_bytes: usize,
    /// Keys the plugin may hold in its state.
    pub max_state_keys: usize,
    /// Size of one state value.
    pub max_state_value_bytes: usize,
}

impl Default for PluginLimits {
    fn default() -> PluginLimits {
        PluginLimits {
            memory_bytes: 16 << 20,
            timeout_ms: 100,
            max_actions: 32,
            max_output_bytes: 64 << 10,
            max_log_bytes: 16 << 10,
            max_state_keys: 64,
            max_state_value_bytes: 4096,
        }
    }
}

/// A parsed and validated plugin manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Unique name (`[a-z0-9-]`, 1-64 characters).
    pub name: String,
    /// Semver version.
    pub version: String,
    /// What the plugin does.
    pub description: Option<String>,
    /// The component, resolved against the manifest's folder.
    pub component: PathBuf,
    /// Event kinds the plugin handles.
    pub subscribe: Vec<EventKind>,
    /// What a failure does to the event.
    pub failure: FailurePolicy,
    /// Per-call limits.
    pub limits: PluginLimits,
    /// Values the plugin reads with `host.config`.
    pub config: BTreeMap<String, String>,
    /// What the plugin may do.
    pub grants: Grants,
    /// The manifest file.
    pub path: PathBuf,
}

/// A manifest that cannot be used: the file, the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ManifestError {
    /// The manifest file.
    pub file: PathBuf,
    /// The field (`limits.memory_mib`), empty for the file as a whole.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.reason)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.field,
                self.reason
            )
        }
    }
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, field: &str, reason: impl Into<String>) -> ManifestError {
        ManifestError {
            file: self.file.to_owned(),
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    fn unknown_keys(
        &self,
        table: &Table,
        prefix: &str,
        known: &[&str],
    ) -> Result<(), ManifestError> {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                let field = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                return Err(self.err(
                    &field,
                    format!("unknown field (expected one of: {})", known.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn string<'t>(
        &self,
        table: &'t Table,
        key: &str,
        field: &str,
    ) -> Result<Option<&'t str>, ManifestError> {
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(
                field,
                format!("expected a string, found {}", other.type_str()),
            )),
        }
    }

    fn required_string<'t>(&self, table: &'t Table, key: &str) -> Result<&'t str, ManifestError> {
        self.string(table, key, key)?
            .ok_or_else(|| self.err(key, "required field is missing"))
    }

    fn strings(&self, value: &Value, field: &str) -> Result<Vec<String>, ManifestError> {
        let Value::Array(items) = value else {
            return Err(self.err(
                field,
                format!("expected an array of strings, found {}", value.type_str()),
            ));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(self.err(
                    &format!("{field}[{i}]"),
                    format!("expected a string, found {}", other.type_str()),
                )),
            })
            .collect()
    }

    fn bounded(
        &self,
        table: &Table,
        key: &str,
        min: i64,
        max: i64,
        default: i64,
    ) -> Result<i64, ManifestError> {
        let field = format!("limits.{key}");
        match table.get(key) {
            None => Ok(default),
            Some(Value::Integer(n)) if *n < min => {
                Err(self.err(&field, format!("{n} is below the minimum {min}")))
            }
            Some(Value::Integer(n)) if *n > max => {
                Err(self.err(&field, format!("{n} is above the maximum {max}")))
            }
            Some(Value::Integer(n)) => Ok(*n),
            Some(other) => Err(self.err(
                &field,
                format!("expected an integer, found {}", other.type_str()),
            )),
        }
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
}

fn valid_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Manifest {
    /// Reads and validates a manifest file.
    pub fn from_path(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|e| ManifestError {
            file: path.to_owned(),
            field: String::new(),
            reason: format!("cannot read: {e}"),
        })?;
        Manifest::parse(&text, path)
    }

    /// Parses and validates manifest text; `path` names the file in errors and anchors the
    /// component path.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
        let cx = Ctx { file: path };
        let table: Table = text
            .parse()
            .map_err(|e: toml::de::Error| cx.err("", format!("invalid TOML: {}", e.message())))?;
        cx.unknown_keys(
            &table,
            "",
            &[
                "name",
                "version",
                "description",
                "component",
                "subscribe",
                "failure",
                "limits",
                "config",
                "grants",
            ],
        )?;

        let name = cx.required_string(&table, "name")?;
        if !valid_name(name) {
            return Err(cx.err("name", format!("`{name}` must be 1-64 of a-z, 0-9 and -")));
        }
        let version = cx.required_string(&table, "version")?;
        if !valid_semver(version) {
            return Err(cx.err(
                "version",
                format!("`{version}` is not a semver version (1.2.3)"),
            ));
        }
        let description = cx
            .string(&table, "description", "description")?
            .map(str::to_owned);
        let component = cx.required_string(&table, "component")?;
        if component.is_empty() {
            return Err(cx.err("component", "must name the component file"));
        }
        let base = path.parent().unwrap_or(Path::new("."));

        let subscribe_value = table
            .get("subscribe")
            .ok_or_else(|| cx.err("subscribe", "required field is missing"))?;
        let names = cx.strings(subscribe_value, "subscribe")?;
        if names.is_empty() {
            return Err(cx.err("subscribe", "subscribe to at least one event kind"));
        }
        let mut subscribe = Vec::new();
        for (i, kind) in names.iter().enumerate() {
            let parsed = EventKind::from_name(kind).ok_or_else(|| {
                cx.err(
                    &format!("subscribe[{i}]"),
                    format!("unknown event kind `{kind}` (`streamhooks kinds` lists them)"),
                )
            })?;
            if !subscribe.contains(&parsed) {
                subscribe.push(parsed);
            }
        }

        let failure = match cx.string(&table, "failure", "failure")? {
            None | Some("skip") => FailurePolicy::Skip,
            Some("fail-event") => FailurePolicy::FailEvent,
            Some(other) => {
                return Err(cx.err(
                    "failure",
                    format!("`{other}` is not `skip` or `fail-event`"),
                ));
            }
        };

        let limits = match table.get("limits") {
            None => PluginLimits::default(),
            Some(Value::Table(t)) => limits(&cx, t)?,
            Some(other) => {
                return Err(cx.err(
                    "limits",
                    format!("expected a table, found {}", other.type_str()),
                ));
            }
        };

        let mut config = BTreeMap::new();
        match table.get("config") {
            None => {}
            Some(Value::Table(t)) => {
                for (key, value) in t {
                    // Plugins read strings; numbers and booleans are written as TOML has them.
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Integer(n) => n.to_string(),
                        Value::Float(f) => f.to_string(),
                        Value::Boolean(b) => b.to_string(),
                        other => {
                            return Err(cx.err(
                                &format!("config.{key}"),
                                format!(
                                    "expected a string, number or boolean, found {}",
                                    other.type_str()
                                ),
                            ));
                        }
                    };
                    config.insert(key.clone(), text);
                }
            }
            Some(other) => {
                return Err(cx.err(
                    "config",
                    format!("expected a table, found {}", other.type_str()),
                ));
            }
        }

        let grants = match table.get("grants") {
            None => Grants::default(),
            Some(Value::Table(t)) => grants(&cx, t)?,
            Some(other) => {
                return Err(cx.err(
                    "grants",
                    format!("expected a table, found {}", other.type_str()),
                ));
            }
        };

        Ok(Manifest {
            name: name.to_owned(),
            version: version.to_owned(),
            description,
            component: base.join(component),
            subscribe,
            failure,
            limits,
            config,
            grants,
            path: path.to_owned(),
        })
    }

    /// Whether the plugin handles events of this kind.
    pub fn subscribes_to(&self, kind: EventKind) -> bool {
        self.subscribe.contains(&kind)
    }
}

fn limits(cx: &Ctx<'_>, t: &Table) -> Result<PluginLimits, ManifestError> {
    cx.unknown_keys(
        t,
        "limits",
        &[
            "memory_mib",
            "timeout_ms",
            "max_actions",
            "max_output_kib",
            "max_log_kib",
            "max_state_keys",
            "max_state_value_bytes",
        ],
    )?;
    let d = PluginLimits::default();
    // The bounds keep every value far inside usize/u64 on every target.
    let to_usize = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(PluginLimits {
        memory_bytes: to_usize(cx.bounded(
            t,
            "memory_mib",
            1,
            256,
            (d.memory_bytes >> 20) as i64,
        )?) << 20,
        timeout_ms: cx
            .bounded(t, "timeout_ms", 1, 10_000, d.timeout_ms as i64)?
            .unsigned_abs(),
        max_actions: to_usize(cx.bounded(t, "max_actions", 0, 1000, d.max_actions as i64)?),
        max_output_bytes: to_usize(cx.bounded(
            t,
            "max_output_kib",
            1,
            1024,
            (d.max_output_bytes >> 10) as i64,
        )?) << 10,
        max_log_bytes: to_usize(cx.bounded(
            t,
            "max_log_kib",
            0,
            1024,
            (d.max_log_bytes >> 10) as i64,
        )?) << 10,
        max_state_keys: to_usize(cx.bounded(
            t,
            "max_state_keys",
            0,
            10_000,
            d.max_state_keys as i64,
        )?),
        max_state_value_bytes: to_usize(cx.bounded(
            t,
            "max_state_value_bytes",
            0,
            65_536,
            d.max_state_value_bytes as i64,
        )?),
    })
}

fn grants(cx: &Ctx<'_>, t: &Table) -> Result<Grants, ManifestError> {
    let mut known: Vec<&str> = GRANT_KEYS.iter().map(|(k, _)| *k).collect();
    known.push("client");
    cx.unknown_keys(t, "grants", &known)?;
    let mut grants = Grants::default();
    if let Some(value) = t.get("client") {
        let names = cx.strings(value, "grants.client")?;
        for (i, name) in names.iter().enumerate() {
            if !Grants::is_directive(name) {
                return Err(cx.err(
                    &format!("grants.client[{i}]"),
                    format!(
                        "unknown client directive `{name}` (one of: {})",
                        crate::action::ClientDirective::NAMES.join(", ")
                    ),
                ));
            }
        }
        grants.client = names;
    }
    for (key, scopes) in GRANT_KEYS {
        let Some(value) = t.get(*key) else { continue };
        let field = format!("grants.{key}");
        let grant = match value {
            Value::Boolean(false) => continue,
            Value::Boolean(true) => Grant::Any,
            Value::Table(scope_table) if !scopes.is_empty() => {
                cx.unknown_keys(scope_table, &field, scopes)?;
                let mut map = BTreeMap::new();
                for (scope, patterns) in scope_table {
                    let list = cx.strings(patterns, &format!("{field}.{scope}"))?;
                    map.insert(scope.clone(), list.into_iter().map(Pattern::new).collect());
                }
                Grant::Scoped(map)
            }
            other if scopes.is_empty() => {
                return Err(cx.err(
                    &field,
                    format!("expected true or false, found {}", other.type_str()),
                ));
            }
            other => {
                return Err(cx.err(
                    &field,
                    format!(
                        "expected true, false or a table of scopes ({}), found {}",
                        scopes.join(", "),
                        other.type_str()
                    ),
                ));
            }
        };
        grants.actions.insert((*key).to_owned(), grant);
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::{Action, PublishEvent};

    const GOOD: &str = r#"
name = "screen-pop"
version = "0.1.0"
component = "screen_pop.wasm"
subscribe = ["contact-connecting", "contact-accepted"]

[limits]
memory_mib = 8

[config]
record_url = "https://crm/{CustomerId}"

[grants]
client = ["screen-pop"]
publish = { detail_types = ["Popped"] }
stop_contact = true
"#;

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse(text, Path::new("plugins/x/plugin.toml"))
    }

    #[test]
    fn parses_a_full_manifest() {
        let m = parse(GOOD).unwrap();
        assert_eq!(m.name, "screen-pop");
        assert_eq!(m.component, Path::new("plugins/x/screen_pop.wasm"));
        assert_eq!(
            m.subscribe,
            [EventKind::ContactConnecting, EventKind::ContactAccepted]
        );
        assert_eq!(m.limits.memory_bytes, 8 << 20);
        assert_eq!(m.limits.timeout_ms, 100, "defaults fill the rest");
        assert_eq!(m.config["record_url"], "https://crm/{CustomerId}");
        assert_eq!(m.failure, FailurePolicy::Skip);
        assert!(m.subscribes_to(EventKind::ContactAccepted));
        let publish = |detail_type: &str| {
            Action::Publish(PublishEvent {
                detail_type: detail_type.into(),
                detail: serde_json::json!({}),
            })
        };
        assert!(m.grants.authorize(&publish("Popped")).is_ok());
        assert!(m.grants.authorize(&publish("Other")).is_err());
    }

    #[test]
    fn errors_name_the_file_and_field() {
        let cases = [
            (
                GOOD.replace("memory_mib = 8", "memory_mib = 512"),
                "plugins/x/plugin.toml: limits.memory_mib: 512 is above the maximum 256",
            ),
            (
                GOOD.replace("memory_mib = 8", "memory = 8"),
                "plugins/x/plugin.toml: limits.memory: unknown field (expected one of: memory_mib, timeout_ms, max_actions, max_output_kib, max_log_kib, max_state_keys, max_state_value_bytes)",
            ),
            (
                GOOD.replace("\"contact-accepted\"", "\"contact-acepted\""),
                "plugins/x/plugin.toml: subscribe[1]: unknown event kind `contact-acepted` (`streamhooks kinds` lists them)",
            ),
            (
                GOOD.replace("name = \"screen-pop\"", "name = \"Screen Pop\""),
                "plugins/x/plugin.toml: name: `Screen Pop` must be 1-64 of a-z, 0-9 and -",
            ),
            (
                GOOD.replace("version = \"0.1.0\"", "version = \"1\""),
                "plugins/x/plugin.toml: version: `1` is not a semver version (1.2.3)",
            ),
            (
                GOOD.replace("client = [\"screen-pop\"]", "client = [\"screenpop\"]"),
                "plugins/x/plugin.toml: grants.client[0]: unknown client directive `screenpop` (one of: accept, reject, hold, resume, send-digits, conference, mute, unmute, set-state, screen-pop)",
            ),
            (
                GOOD.replace("stop_contact = true", "stop_contact = { reasons = [] }"),
                "plugins/x/plugin.toml: grants.stop_contact: expected true or false, found table",
            ),
            (
                GOOD.replace("detail_types", "types"),
                "plugins/x/plugin.toml: grants.publish.types: unknown field (expected one of: detail_types)",
            ),
            (
                GOOD.replace("stop_contact = true", "teleport = true"),
                "plugins/x/plugin.toml: grants.teleport: unknown field (expected one of: put_user_status, update_contact_attributes, update_contact, stop_contact, transfer_contact, start_task_contact, start_outbound_voice_contact, dismiss_user_contact, suspend_contact_recording, resume_contact_recording, monitor_contact, tag_contact, crm, publish, client)",
            ),
            (
                GOOD.replace("record_url = \"https://crm/{CustomerId}\"", "retries = [3]"),
                "plugins/x/plugin.toml: config.retries: expected a string, number or boolean, found array",
            ),
            (
                GOOD.replace("component = \"screen_pop.wasm\"\n", ""),
                "plugins/x/plugin.toml: component: required field is missing",
            ),
            (
                GOOD.replace("[limits]", "[limits"),
                "plugins/x/plugin.toml: invalid TOML: unclosed table, expected `]`",
            ),
            // A key written after `[grants]` belongs to that table, and is reported there.
            (
                format!("{GOOD}\nfailure = \"skip\""),
                "plugins/x/plugin.toml: grants.failure: unknown field",
            ),
            (
                format!("{GOOD}\nstop_contact = false"),
                "plugins/x/plugin.toml: invalid TOML: duplicate key",
            ),
        ];
        for (text, want) in cases {
            let got = parse(&text).unwrap_err().to_string();
            assert!(got.starts_with(want), "\n got: {got}\nwant: {want}");
        }
        let mut top = String::from("failure = \"explode\"\n");
        top.push_str(GOOD);
        assert_eq!(
            parse(&top).unwrap_err().to_string(),
            "plugins/x/plugin.toml: failure: `explode` is not `skip` or `fail-event`"
        );
    }

    #[test]
    fn config_scalars_are_read_as_text() {
        let text = GOOD.replace(
            "record_url = \"https://crm/{CustomerId}\"",
            "max_acw_seconds = 180\nset_available = true\nratio = 0.5",
        );
        let m = parse(&text).unwrap();
        assert_eq!(m.config["max_acw_seconds"], "180");
        assert_eq!(m.config["set_available"], "true");
        assert_eq!(m.config["ratio"], "0.5");
    }

    #[test]
    fn reading_a_missing_file_names_it() {
        let err = Manifest::from_path(Path::new("/nonexistent/plugin.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("/nonexistent/plugin.toml: cannot read: ")
        );
    }
}
