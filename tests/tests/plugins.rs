//! The five example plugins end to end: each built component (`target/plugins/examples/<name>`,
//! from `scripts/build-plugins.sh`) runs in the real engine on canonical events decoded from
//! small documents in the three source formats (Streams batches, agent event stream records,
//! EventBridge events), with one in-memory state store per scenario so that state carries from
//! event to event as it does in production. Every expectation is the exact action the plugin's
//! README promises, parameters included, written here independently of the plugin's code.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};
use streamhooks_actions::{
    Action, ClientAction, ClientDirective, ContactRecording, CrmOperation, CrmUpdate, Manifest,
    PutUserStatus, RecordingType, ScreenPop, StartTaskContact, TaskReference,
};
use streamhooks_engine::{Engine, MemoryStore, PluginFailure, PluginRun, Plugins};
use streamhooks_events::{Event, Limits, decode_value};

// ---------------------------------------------------------------------------------------------
// Where the built plugins are, and loading them
// ---------------------------------------------------------------------------------------------

const EXAMPLES: [&str; 5] = [
    "acw-watchdog",
    "crm-call-log",
    "hold-recording",
    "missed-call-callback",
    "screen-pop",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// `target/plugins/<group>/<name>`; panics with what to run when it is missing.
fn built(group: &str, name: &str) -> PathBuf {
    let dir = repo().join("target/plugins").join(group).join(name);
    assert!(
        dir.join("plugin.toml").is_file(),
        "{} is missing: these tests run the built plugins; run `bash scripts/build-plugins.sh --all` \
         from the repository root first",
        dir.display()
    );
    dir
}

/// The languages the screen-pop and crm-call-log examples are written in: the same tests run
/// on each (`plugins/`, `plugins/js/`, `plugins/python/`), so each language's version must
/// decide exactly what the Rust one does.
#[derive(Debug, Clone, Copy)]
enum Lang {
    Rust,
    Js,
    Python,
}

impl Lang {
    /// Where `scripts/build-plugins.sh` lays them out: `target/plugins/<group>/<name>`.
    fn group(self) -> &'static str {
        match self {
            Lang::Rust => "examples",
            Lang::Js => "js",
            Lang::Python => "python",
        }
    }
}

/// Runs each named test function (`fn name(lang: Lang)`) once per language, as
/// `rust::name`, `js::name` and `python::name`.
macro_rules! in_every_language {
    ($($name:ident),+ $(,)?) => {
        mod rust {
            $(#[test] fn $name() { super::$name(super::Lang::Rust) })+
        }
        mod js {
            $(#[test] fn $name() { super::$name(super::Lang::Js) })+
        }
        mod python {
            $(#[test] fn $name() { super::$name(super::Lang::Python) })+
        }
    };
}

/// One engine for the whole test binary, as in a real process.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::new().expect("the plugin engine starts"))
}

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "streamhooks-tests-{}-{}-{label}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create a scratch dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One example plugin loaded alone with a fresh state store: one scenario.
struct Scenario {
    name: &'static str,
    plugins: Plugins,
    store: Arc<MemoryStore>,
    _dir: Option<TempDir>,
}

impl Scenario {
    /// The built plugin as shipped.
    fn example(name: &'static str) -> Scenario {
        Scenario::example_in(Lang::Rust, name)
    }

    /// The built plugin as shipped, written in `lang`.
    fn example_in(lang: Lang, name: &'static str) -> Scenario {
        let manifest = built(lang.group(), name).join("plugin.toml");
        Scenario::load(name, &manifest, None)
    }

    /// The built component with its shipped manifest changed by `edit` (a config variant),
    /// laid out in a scratch plugin directory.
    fn variant(name: &'static str, edit: impl FnOnce(String) -> String) -> Scenario {
        Scenario::variant_in(Lang::Rust, name, edit)
    }

    /// [`Scenario::variant`] of the plugin written in `lang`.
    fn variant_in(lang: Lang, name: &'static str, edit: impl FnOnce(String) -> String) -> Scenario {
        let from = built(lang.group(), name);
        let dir = TempDir::new(name);
        for entry in std::fs::read_dir(&from).expect("read the built plugin dir") {
            let path = entry.expect("dir entry").path();
            if path.is_file() {
                let file = path.file_name().expect("a file name");
                std::fs::copy(&path, dir.0.join(file)).expect("copy the built plugin");
            }
        }
        let manifest = dir.0.join("plugin.toml");
        let text = std::fs::read_to_string(&manifest).expect("read the manifest");
        std::fs::write(&manifest, edit(text)).expect("write the changed manifest");
        Scenario::load(name, &manifest, Some(dir))
    }

    fn load(name: &'static str, manifest: &Path, dir: Option<TempDir>) -> Scenario {
        let store = Arc::new(MemoryStore::new());
        let plugins = engine()
            .load(manifest, store.clone())
            .unwrap_or_else(|e| panic!("loading {}: {e}", manifest.display()));
        Scenario {
            name,
            plugins,
            store,
            _dir: dir,
        }
    }

    /// Dispatches `event` as the host does (only if the plugin subscribes to its kind) and
    /// returns the plugin's run, if it ran.
    fn dispatch(&self, event: &Event) -> Option<PluginRun> {
        let mut dispatch = self.plugins.dispatch(event);
        assert!(dispatch.runs.len() <= 1, "one plugin, at most one run");
        dispatch.runs.pop()
    }

    /// The actions decided on `event`; each must be granted and the call must succeed.
    fn actions(&self, event: &Event) -> Vec<Action> {
        let Some(run) = self.dispatch(event) else {
            return Vec::new();
        };
        match run.result {
            Ok(decisions) => decisions
                .into_iter()
                .map(|d| {
                    assert!(
                        d.granted(),
                        "{}: action {} on {} {} is denied: {:?}",
                        self.name,
                        d.index,
                        event.kind,
                        event.id,
                        d.verdict
                    );
                    d.action
                })
                .collect(),
            Err(failure) => panic!(
                "{} failed on {} {}: {} ({failure}); logs: {:?}",
                self.name,
                event.kind,
                event.id,
                failure.kind(),
                run.logs
            ),
        }
    }

    /// The actions decided on each of `events`, in order, all together.
    fn actions_all(&self, events: &[Event]) -> Vec<Action> {
        events.iter().flat_map(|e| self.actions(e)).collect()
    }

    /// Why the call on `event` failed (it must have).
    fn failure(&self, event: &Event) -> PluginFailure {
        let run = self
            .dispatch(event)
            .unwrap_or_else(|| panic!("{} does not subscribe to {}", self.name, event.kind));
        match run.result {
            Err(failure) => failure,
            Ok(decisions) => panic!(
                "{} succeeded on {} {} with {decisions:?}, expected a failure",
                self.name, event.kind, event.id
            ),
        }
    }

    /// The keys of the plugin's state.
    fn state_keys(&self) -> Vec<String> {
        self.store.snapshot(self.name).into_keys().collect()
    }
}

/// The plugin error code of a failure, or a panic naming the failure.
fn plugin_error_code(failure: &PluginFailure) -> &str {
    match failure {
        PluginFailure::Plugin { code, .. } => code,
        other => panic!("expected a plugin-error, got {} ({other})", other.kind()),
    }
}

/// `manifest` with `key` of `[config]` set to `value`, or removed when `value` is `None`.
fn with_config(manifest: String, key: &str, value: Option<&str>) -> String {
    let mut lines: Vec<String> = manifest.lines().map(str::to_owned).collect();
    let config = lines
        .iter()
        .position(|l| l.trim() == "[config]")
        .expect("the manifest has a [config] table");
    let end = lines[config + 1..]
        .iter()
        .position(|l| l.trim_start().starts_with('['))
        .map_or(lines.len(), |i| config + 1 + i);
    let existing = lines[config + 1..end].iter().position(|l| {
        l.split('=')
            .next()
            .is_some_and(|k| k.trim() == key && l.contains('='))
    });
    match (existing, value) {
        (Some(i), Some(v)) => lines[config + 1 + i] = format!("{key} = {v:?}"),
        (Some(i), None) => {
            lines.remove(config + 1 + i);
        }
        (None, Some(v)) => lines.insert(config + 1, format!("{key} = {v:?}")),
        (None, None) => panic!("the manifest has no config.{key} to remove:\n{manifest}"),
    }
    lines.join("\n") + "\n"
}

// ---------------------------------------------------------------------------------------------
// Events, decoded from documents in the sources' own formats
// ---------------------------------------------------------------------------------------------

const INSTANCE: &str =
    "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17";
const AGENT_A: &str = "5d2c7e40-8b1a-4c9e-a3f6-0e7d2b9c4a11";
const AGENT_B: &str = "0b7e2d44-1c3a-4f5e-9d8c-7a6b5c4d3e21";

fn agent_arn(agent: &str) -> String {
    format!("{INSTANCE}/agent/{agent}")
}

fn queue_arn() -> String {
    format!("{INSTANCE}/queue/5e7f9a1b-c3d5-4f6a-9b8c-0d1e2f3a4b56")
}

/// `2026-11-20T09:00:00Z` plus `ms` milliseconds, RFC 3339 with milliseconds.
fn at(ms: i64) -> String {
    use chrono::{SecondsFormat, TimeZone, Utc};
    let base = Utc
        .with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .expect("a valid date");
    (base + chrono::Duration::milliseconds(ms)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Decodes one document; it must decode without errors.
fn decode(doc: &Value) -> Vec<Event> {
    let decoded = decode_value(doc, &Limits::default());
    assert!(
        decoded.errors.is_empty(),
        "the test document does not decode: {:?}\n{doc:#}",
        decoded.errors
    );
    decoded.events
}

/// The one event of `kind` among `events`.
fn one(events: Vec<Event>, kind: &str) -> Event {
    let mut found: Vec<Event> = events
        .into_iter()
        .filter(|e| e.kind.as_str() == kind)
        .collect();
    assert_eq!(found.len(), 1, "expected one {kind} event, got {found:?}");
    found.remove(0)
}

/// A contact as the test documents describe it.
#[derive(Clone)]
struct Contact {
    id: String,
    initial_id: Option<String>,
    channel: &'static str,
    method: &'static str,
    attributes: Vec<(String, String)>,
}

impl Contact {
    /// An inbound voice call in the `Support` queue.
    fn voice(id: &str) -> Contact {
        Contact {
            id: id.to_owned(),
            initial_id: None,
            channel: "VOICE",
            method: "INBOUND",
            attributes: Vec::new(),
        }
    }

    fn chat(id: &str) -> Contact {
        Contact {
            channel: "CHAT",
            ..Contact::voice(id)
        }
    }

    fn attr(mut self, key: &str, value: &str) -> Contact {
        self.attributes.push((key.to_owned(), value.to_owned()));
        self
    }

    fn initial(mut self, id: &str) -> Contact {
        self.initial_id = Some(id.to_owned());
        self
    }

    /// Streams' contact data in `state` since `since`; `connected_onhold` is a connected
    /// contact whose customer connection is on hold.
    fn streams(&self, state: &str, since: &str) -> Value {
        let (state, customer) = match state {
            "connected_onhold" => ("connected", "hold"),
            "connected" => ("connected", "connected"),
            "ended" | "missed" => (state, "disconnected"),
            other => (other, "connected"),
        };
        let attributes: serde_json::Map<String, Value> = self
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), json!({"name": k, "value": v})))
            .collect();
        json!({
            "contactId": self.id,
            "initialContactId": self.initial_id.as_deref().unwrap_or(&self.id),
            "type": self.channel.to_ascii_lowercase(),
            "initiationMethod": self.method.to_ascii_lowercase(),
            "state": {"type": state, "timestamp": since},
            "queue": {"name": "Support", "queueARN": queue_arn()},
            "queueTimestamp": at(-60_000),
            "attributes": attributes,
            "connections": [
                {"type": "agent", "initial": false, "state": {"type": state, "timestamp": since}},
                {"type": "inbound", "initial": true, "state": {"type": customer, "timestamp": since},
                 "endpoint": {"type": "phone_number", "phoneNumber": "+12065550199"}}
            ]
        })
    }

    /// The agent event stream's contact in `state` (`CONNECTED`, `CONNECTED_ONHOLD`, `ENDED`
    /// ...) since `since`.
    fn agent_stream(&self, state: &str, since: &str) -> Value {
        json!({
            "ContactId": self.id,
            "InitialContactId": self.initial_id,
            "Channel": self.channel,
            "InitiationMethod": self.method,
            "State": state,
            "StateStartTimestamp": since,
            "ConnectedToAgentTimestamp": at(-30_000),
            "QueueTimestamp": at(-60_000),
            "Queue": {"ARN": queue_arn(), "Name": "Support"}
        })
    }
}

/// One entry of a Streams batch: `event` (`contact::connecting` ...) at `occurred_at`, with the
/// contact's data if any, the agent in state `state` (name, Streams type).
fn streams_entry(
    id: &str,
    event: &str,
    occurred_at: &str,
    contact: Option<Value>,
    state: (&str, &str),
) -> Value {
    let contacts: Vec<Value> = contact
        .iter()
        .map(|c| json!({"contactId": c["contactId"]}))
        .collect();
    let mut entry = json!({
        "id": id,
        "event": event,
        "occurred_at": occurred_at,
        "agent": {
            "snapshot": {
                "state": {"name": state.0, "type": state.1, "startTimestamp": occurred_at},
                "contacts": contacts
            },
            "configuration": {"username": "msantos", "name": "Maria Santos"}
        }
    });
    if let Some(contact) = contact {
        entry["contact_id"] = contact["contactId"].clone();
        entry["contact"] = contact;
    }
    entry
}

/// A Streams batch of `agent`'s entries, decoded.
fn streams(agent: &str, entries: Vec<Value>) -> Vec<Event> {
    decode(&json!({
        "format": "streamhooks.streams.v1",
        "agent_arn": agent_arn(agent),
        "sent_at": entries.last().map(|e| e["occurred_at"].clone()),
        "client": {"forwarder": "0.1.0", "streams": "2.28.2"},
        "events": entries
    }))
}

/// One Streams event of `agent` about `contact` (`contact::connecting` ...): the contact in
/// `contact_state` since `occurred_at`, the agent `Busy`.
fn streams_contact_event(
    agent: &str,
    id: &str,
    event: &str,
    occurred_at: &str,
    contact: &Contact,
    contact_state: &str,
) -> Event {
    let entry = streams_entry(
        id,
        event,
        occurred_at,
        Some(contact.streams(contact_state, occurred_at)),
        ("Busy", "system"),
    );
    let mut events = streams(agent, vec![entry]);
    assert_eq!(events.len(), 1);
    events.remove(0)
}

/// An agent event stream record of `agent` (`STATE_CHANGE`, `HEART_BEAT`, `LOGOUT` ...) with
/// the previous and current contact lists, the agent `Available` in both, decoded.
fn agent_stream(
    agent: &str,
    event_id: &str,
    event_type: &str,
    occurred_at: &str,
    previous: Vec<Value>,
    current: Vec<Value>,
) -> Vec<Event> {
    let snapshot = |contacts: Vec<Value>| {
        json!({
            "AgentStatus": {"ARN": format!("{INSTANCE}/agent-state/available"), "Name": "Available",
                            "StartTimestamp": at(-3_600_000), "Type": "ROUTABLE"},
            "Configuration": {"Username": "msantos", "FirstName": "Maria", "LastName": "Santos",
                              "RoutingProfile": {"ARN": format!("{INSTANCE}/routing-profile/rp"),
                                                 "Name": "Support"}},
            "Contacts": contacts
        })
    };
    decode(&json!({
        "AWSAccountId": "111122223333",
        "AgentARN": agent_arn(agent),
        "EventId": event_id,
        "EventTimestamp": occurred_at,
        "EventType": event_type,
        "InstanceARN": INSTANCE,
        "Version": "2017-10-01",
        "PreviousAgentSnapshot": snapshot(previous),
        "CurrentAgentSnapshot": snapshot(current)
    }))
}

/// An EventBridge "Amazon Connect Contact Event", decoded.
fn eventbridge(id: &str, time: &str, detail: Value) -> Event {
    let mut events = decode(&json!({
        "version": "0",
        "id": id,
        "detail-type": "Amazon Connect Contact Event",
        "source": "aws.connect",
        "account": "111122223333",
        "time": time,
        "region": "us-west-2",
        "resources": [],
        "detail": detail
    }));
    assert_eq!(events.len(), 1);
    events.remove(0)
}

// ---------------------------------------------------------------------------------------------
// Every built plugin imports only the streamhooks host interface
// ---------------------------------------------------------------------------------------------

#[test]
fn every_built_plugin_imports_only_the_host_interface() {
    let mut checked = Vec::new();
    for group in ["examples", "hostile", "js", "python"] {
        let root = repo().join("target/plugins").join(group);
        assert!(
            root.is_dir(),
            "{} is missing: run `bash scripts/build-plugins.sh --all` from the repository root first",
            root.display()
        );
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .expect("read the built plugins")
            .map(|e| e.expect("dir entry").path())
            .filter(|p| p.join("plugin.toml").is_file())
            .collect();
        dirs.sort();
        assert!(!dirs.is_empty(), "no built plugin in {}", root.display());
        for dir in dirs {
            let manifest =
                Manifest::from_path(&dir.join("plugin.toml")).unwrap_or_else(|e| panic!("{e}"));
            let component = &manifest.component;
            let bytes =
                std::fs::read(component).unwrap_or_else(|e| panic!("{}: {e}", component.display()));
            if let Err(e) = streamhooks_plugin_build::check_imports(&bytes) {
                panic!("{}: {e}", component.display());
            }
            if let Err(e) = streamhooks_plugin_build::check_exports(&bytes) {
                panic!("{}: {e}", component.display());
            }
            let name = dir.file_name().expect("a name").to_string_lossy();
            checked.push(format!("{group}/{name}"));
        }
    }
    let in_js_and_python = ["js/screen-pop", "js/crm-call-log"]
        .into_iter()
        .chain(["python/screen-pop", "python/crm-call-log"])
        .map(str::to_owned);
    for name in EXAMPLES
        .iter()
        .map(|name| format!("examples/{name}"))
        .chain(in_js_and_python)
    {
        assert!(
            checked.contains(&name),
            "the example plugin {name} is not built (checked: {checked:?}): run \
             `bash scripts/build-plugins.sh --all`"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// screen-pop
// ---------------------------------------------------------------------------------------------

in_every_language!(
    screen_pop_pops_the_record_url_once_per_contact_and_agent,
    screen_pop_falls_back_to_the_search_page,
    screen_pop_without_a_fillable_url_does_nothing,
    screen_pop_without_record_url_is_missing_config,
    crm_call_log_logs_a_completed_contact_once,
    crm_call_log_carries_the_disposition_seen_earlier,
    crm_call_log_updates_the_log_with_a_disposition_set_later,
    crm_call_log_keeps_the_last_disposition_when_it_changes_back,
    crm_call_log_skips_contacts_no_agent_handled,
    crm_call_log_can_log_when_the_contact_ends,
);

fn pop(agent: &str, contact: &str, url: &str) -> Action {
    Action::Client(ClientAction {
        agent_arn: agent_arn(agent),
        contact_id: Some(contact.to_owned()),
        directive: ClientDirective::ScreenPop(ScreenPop {
            url: Some(url.to_owned()),
            title: Some("Customer record".to_owned()),
            data: vec![
                ("Queue".to_owned(), "Support".to_owned()),
                ("Channel".to_owned(), "VOICE".to_owned()),
            ],
        }),
    })
}

fn screen_pop_pops_the_record_url_once_per_contact_and_agent(lang: Lang) {
    let s = Scenario::example_in(lang, "screen-pop");
    let contact = Contact::voice("a5c3e2d1-7f9b-4d2e-8c4a-6e1f3b5d7c09")
        .attr("CustomerId", "C 10/01&ü?#")
        .attr("Language", "en-US");

    // Offered to agent A: the record URL, its attribute percent-encoded (RFC 3986).
    let connecting = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::connecting",
        &at(0),
        &contact,
        "connecting",
    );
    assert_eq!(
        s.actions(&connecting),
        vec![pop(
            AGENT_A,
            &contact.id,
            "https://crm.example.com/customers/C%2010%2F01%26%C3%BC%3F%23"
        )]
    );

    // Accepted by the same agent, then connected as the agent event stream reports it: no
    // second pop.
    let accepted = streams_contact_event(
        AGENT_A,
        "e-2",
        "contact::accepted",
        &at(4_000),
        &contact,
        "connecting",
    );
    assert_eq!(s.actions(&accepted), vec![]);
    let connected = one(
        agent_stream(
            AGENT_A,
            "ev-3",
            "STATE_CHANGE",
            &at(5_000),
            vec![contact.agent_stream("CONNECTING", &at(0))],
            vec![contact.agent_stream("CONNECTED", &at(5_000))],
        ),
        "contact-connected",
    );
    assert_eq!(s.actions(&connected), vec![]);
    let again = streams_contact_event(
        AGENT_A,
        "e-4",
        "contact::connected",
        &at(5_100),
        &contact,
        "connected",
    );
    assert_eq!(
        s.actions(&again),
        vec![],
        "the same contact for the same agent"
    );

    // Another agent offered the same contact gets its own pop.
    let other_agent = streams_contact_event(
        AGENT_B,
        "e-5",
        "contact::connecting",
        &at(60_000),
        &contact,
        "connecting",
    );
    assert_eq!(
        s.actions(&other_agent),
        vec![pop(
            AGENT_B,
            &contact.id,
            "https://crm.example.com/customers/C%2010%2F01%26%C3%BC%3F%23"
        )]
    );
}

fn screen_pop_falls_back_to_the_search_page(lang: Lang) {
    let s = Scenario::example_in(lang, "screen-pop");
    // No CustomerId: the search page, filled with the contact id.
    let missing = Contact::voice("c1e2d3f4-0000-4000-8000-000000000001");
    let event = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::connecting",
        &at(0),
        &missing,
        "connecting",
    );
    assert_eq!(
        s.actions(&event),
        vec![pop(
            AGENT_A,
            &missing.id,
            "https://crm.example.com/search?contact=c1e2d3f4-0000-4000-8000-000000000001"
        )]
    );
    // An empty CustomerId counts as missing.
    let empty = Contact::voice("c1e2d3f4-0000-4000-8000-000000000002").attr("CustomerId", "");
    let event = streams_contact_event(
        AGENT_A,
        "e-2",
        "contact::connecting",
        &at(1_000),
        &empty,
        "connecting",
    );
    assert_eq!(
        s.actions(&event),
        vec![pop(
            AGENT_A,
            &empty.id,
            "https://crm.example.com/search?contact=c1e2d3f4-0000-4000-8000-000000000002"
        )]
    );
    // The agent event stream carries no attributes: the search page too.
    let server = Contact::voice("c1e2d3f4-0000-4000-8000-000000000003");
    let connected = one(
        agent_stream(
            AGENT_A,
            "ev-3",
            "STATE_CHANGE",
            &at(2_000),
            vec![],
            vec![server.agent_stream("CONNECTED", &at(2_000))],
        ),
        "contact-connected",
    );
    assert_eq!(
        s.actions(&connected),
        vec![pop(
            AGENT_A,
            &server.id,
            "https://crm.example.com/search?contact=c1e2d3f4-0000-4000-8000-000000000003"
        )]
    );
}

fn screen_pop_without_a_fillable_url_does_nothing(lang: Lang) {
    // The search page needs an attribute too.
    let s = Scenario::variant_in(lang, "screen-pop", |m| {
        with_config(
            m,
            "search_url",
            Some("https://crm.example.com/search?phone={CustomerNumber}"),
        )
    });
    let bare = Contact::voice("c1e2d3f4-0000-4000-8000-000000000010");
    let connecting = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::connecting",
        &at(0),
        &bare,
        "connecting",
    );
    let run = s.dispatch(&connecting).expect("screen-pop runs");
    assert_eq!(
        run.result.as_ref().map(Vec::len),
        Ok(0),
        "no URL can be filled: no action"
    );
    assert!(
        run.logs.iter().any(|l| l.message.contains(&bare.id)),
        "an info line says why: {:?}",
        run.logs
    );
    // Nothing was remembered: once the attribute is known, the contact pops.
    let known = bare.clone().attr("CustomerId", "C-1001");
    let accepted = streams_contact_event(
        AGENT_A,
        "e-2",
        "contact::accepted",
        &at(3_000),
        &known,
        "connecting",
    );
    assert_eq!(
        s.actions(&accepted),
        vec![pop(
            AGENT_A,
            &bare.id,
            "https://crm.example.com/customers/C-1001"
        )]
    );

    // No search_url at all.
    let s = Scenario::variant_in(lang, "screen-pop", |m| with_config(m, "search_url", None));
    let event = streams_contact_event(
        AGENT_A,
        "e-3",
        "contact::connecting",
        &at(0),
        &bare,
        "connecting",
    );
    assert_eq!(s.actions(&event), vec![]);
}

fn screen_pop_without_record_url_is_missing_config(lang: Lang) {
    let s = Scenario::variant_in(lang, "screen-pop", |m| with_config(m, "record_url", None));
    let contact = Contact::voice("c1e2d3f4-0000-4000-8000-000000000020").attr("CustomerId", "42");
    let event = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::connecting",
        &at(0),
        &contact,
        "connecting",
    );
    let failure = s.failure(&event);
    assert_eq!(failure.kind(), "plugin-error");
    assert_eq!(plugin_error_code(&failure), "missing-config", "{failure}");
}

// ---------------------------------------------------------------------------------------------
// crm-call-log
// ---------------------------------------------------------------------------------------------

/// An EventBridge `COMPLETED` of a voice call initiated at 10:00:00, connected to `agent` at
/// 10:00:40.250, disconnected at 10:05:30.500, After Contact Work ended at 10:06:10.
fn completed(id: &str, contact: &str, agent: Option<&str>) -> Event {
    let mut detail = json!({
        "eventType": "COMPLETED",
        "contactId": contact,
        "initialContactId": contact,
        "channel": "VOICE",
        "instanceArn": INSTANCE,
        "initiationMethod": "INBOUND",
        "initiationTimestamp": "2026-11-20T10:00:00.000Z",
        "connectedToSystemTimestamp": "2026-11-20T10:00:00.400Z",
        "disconnectTimestamp": "2026-11-20T10:05:30.500Z",
        "queueInfo": {"queueType": "STANDARD", "queueArn": queue_arn(),
                      "enqueueTimestamp": "2026-11-20T10:00:20.000Z"},
        "disconnectReason": "CUSTOMER_DISCONNECT"
    });
    if let Some(agent) = agent {
        detail["agentInfo"] = json!({
            "agentArn": agent_arn(agent),
            "connectedToAgentTimestamp": "2026-11-20T10:00:40.250Z",
            "afterContactWorkStartTimestamp": "2026-11-20T10:05:30.500Z",
            "afterContactWorkEndTimestamp": "2026-11-20T10:06:10.000Z",
            "afterContactWorkDuration": 40
        });
    }
    eventbridge(id, "2026-11-20T10:06:10Z", detail)
}

/// The call log the README documents for [`completed`].
fn completed_log(contact: &str, agent: &str, disposition: Option<&str>) -> Action {
    let mut fields = json!({
        "Subject": "Amazon Connect contact",
        "ContactId": contact,
        "InitialContactId": contact,
        "Agent": agent_arn(agent),
        "AgentArn": agent_arn(agent),
        "Queue": queue_arn(),
        "Channel": "VOICE",
        "InitiationMethod": "INBOUND",
        "StartTime": "2026-11-20T10:00:00Z",
        "ConnectedTime": "2026-11-20T10:00:40.250Z",
        "EndTime": "2026-11-20T10:05:30.500Z",
        "AcwEndTime": "2026-11-20T10:06:10Z",
        "DurationSeconds": 330
    });
    if let Some(d) = disposition {
        fields["Disposition"] = json!(d);
    }
    crm_upsert(contact, fields)
}

fn crm_upsert(contact: &str, fields: Value) -> Action {
    Action::Crm(CrmUpdate {
        connector: "salesforce".into(),
        object: "Task".into(),
        operation: CrmOperation::Upsert,
        id_field: Some("ContactId".into()),
        id: Some(contact.to_owned()),
        fields,
    })
}

fn crm_call_log_logs_a_completed_contact_once(lang: Lang) {
    let s = Scenario::example_in(lang, "crm-call-log");
    let contact = Contact::voice("b3f1c2d4-6a8e-4f0b-9c1d-2e3f4a5b6c7d");

    // contact-ended only remembers (log_on = "completed").
    let ended = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::ended",
        "2026-11-20T10:05:30.600Z",
        &contact,
        "ended",
    );
    assert_eq!(s.actions(&ended), vec![]);

    let event = completed("c35d7d3b-0001", &contact.id, Some(AGENT_A));
    assert_eq!(
        s.actions(&event),
        vec![completed_log(&contact.id, AGENT_A, None)]
    );
    // The same event redelivered, and the same contact completed again: nothing.
    assert_eq!(s.actions(&event), vec![]);
    let again = completed("c35d7d3b-0002", &contact.id, Some(AGENT_A));
    assert_eq!(s.actions(&again), vec![]);
    assert!(
        s.state_keys().contains(&"logged".to_owned()),
        "the README's `logged` set: {:?}",
        s.state_keys()
    );
}

/// Whether the plugin still keeps a disposition for `contact` (`disposition/<contact id>`).
fn keeps_disposition_of(s: &Scenario, contact: &str) -> bool {
    s.state_keys().contains(&format!("disposition/{contact}"))
}

fn crm_call_log_carries_the_disposition_seen_earlier(lang: Lang) {
    let s = Scenario::example_in(lang, "crm-call-log");
    let contact = Contact::voice("b3f1c2d4-6a8e-4f0b-9c1d-2e3f4a5b6c70");

    // The agent sets a disposition during After Contact Work, then changes it.
    let acw = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::acw",
        "2026-11-20T10:05:31.000Z",
        &contact.clone().attr("Disposition", "Pending"),
        "ended",
    );
    assert_eq!(s.actions(&acw), vec![]);
    let destroyed = streams_contact_event(
        AGENT_A,
        "e-2",
        "contact::destroyed",
        "2026-11-20T10:06:09.000Z",
        &contact.clone().attr("Disposition", "Resolved"),
        "ended",
    );
    assert_eq!(s.actions(&destroyed), vec![]);
    assert!(
        keeps_disposition_of(&s, &contact.id),
        "{:?}",
        s.state_keys()
    );

    // EventBridge carries no attributes: the last disposition seen goes into the log.
    let event = completed("c35d7d3b-0003", &contact.id, Some(AGENT_A));
    assert_eq!(
        s.actions(&event),
        vec![completed_log(&contact.id, AGENT_A, Some("Resolved"))]
    );
    assert!(
        !keeps_disposition_of(&s, &contact.id),
        "the disposition is forgotten once logged: {:?}",
        s.state_keys()
    );
}

/// A Streams event carrying `contact`'s disposition `disposition` (the contact in ACW).
fn disposition_event(
    contact: &Contact,
    id: &str,
    event: &str,
    ms: i64,
    disposition: &str,
) -> Event {
    streams_contact_event(
        AGENT_A,
        id,
        event,
        &at(ms),
        &contact.clone().attr("Disposition", disposition),
        "ended",
    )
}

fn disposition_update(contact: &str, disposition: &str) -> Action {
    crm_upsert(
        contact,
        json!({"ContactId": contact, "Disposition": disposition}),
    )
}

fn crm_call_log_updates_the_log_with_a_disposition_set_later(lang: Lang) {
    // EventBridge's COMPLETED often arrives before the browser's batch with the disposition:
    // the logged record is then updated with just that field, once per disposition.
    let s = Scenario::example_in(lang, "crm-call-log");
    let contact = Contact::voice("b3f1c2d4-6a8e-4f0b-9c1d-2e3f4a5b6c72");
    let event = completed("c35d7d3b-0010", &contact.id, Some(AGENT_A));
    assert_eq!(
        s.actions(&event),
        vec![completed_log(&contact.id, AGENT_A, None)]
    );
    let late = disposition_event(
        &contact,
        "e-1",
        "contact::refresh",
        3_900_000,
        "Callback requested",
    );
    assert_eq!(
        s.actions(&late),
        vec![disposition_update(&contact.id, "Callback requested")]
    );
    // The same disposition again, as contact::destroyed carries it: nothing new to write.
    let copy = disposition_event(
        &contact,
        "e-2",
        "contact::destroyed",
        3_901_000,
        "Callback requested",
    );
    assert_eq!(s.actions(&copy), vec![]);
    // The agent changes it: the record follows.
    let changed = disposition_event(&contact, "e-3", "contact::refresh", 3_902_000, "Resolved");
    assert_eq!(
        s.actions(&changed),
        vec![disposition_update(&contact.id, "Resolved")]
    );
    assert!(
        !keeps_disposition_of(&s, &contact.id),
        "{:?}",
        s.state_keys()
    );
}

fn crm_call_log_keeps_the_last_disposition_when_it_changes_back(lang: Lang) {
    // "Sale", then "Callback requested", then "Sale" again: the CRM must end with "Sale", the
    // disposition the agent left, not the one in between.
    let s = Scenario::example_in(lang, "crm-call-log");
    let contact = Contact::voice("b3f1c2d4-6a8e-4f0b-9c1d-2e3f4a5b6c73");
    let acw = disposition_event(&contact, "e-1", "contact::acw", 3_900_000, "Sale");
    assert_eq!(s.actions(&acw), vec![]);
    let event = completed("c35d7d3b-0011", &contact.id, Some(AGENT_A));
    assert_eq!(
        s.actions(&event),
        vec![completed_log(&contact.id, AGENT_A, Some("Sale"))]
    );
    let changed = disposition_event(
        &contact,
        "e-2",
        "contact::refresh",
        3_960_000,
        "Callback requested",
    );
    assert_eq!(
        s.actions(&changed),
        vec![disposition_update(&contact.id, "Callback requested")]
    );
    let back = disposition_event(&contact, "e-3", "contact::refresh", 3_990_000, "Sale");
    assert_eq!(
        s.actions(&back),
        vec![disposition_update(&contact.id, "Sale")],
        "the CRM would keep \"Callback requested\""
    );
}

fn crm_call_log_skips_contacts_no_agent_handled(lang: Lang) {
    let s = Scenario::example_in(lang, "crm-call-log");
    let event = completed(
        "c35d7d3b-0004",
        "0f4a6c8e-2b3d-4e5f-8a1c-3e5a7c9e1b40",
        None,
    );
    assert_eq!(s.actions(&event), vec![]);
}

fn crm_call_log_can_log_when_the_contact_ends(lang: Lang) {
    let s = Scenario::variant_in(lang, "crm-call-log", |m| {
        with_config(m, "log_on", Some("ended"))
    });
    let contact =
        Contact::voice("b3f1c2d4-6a8e-4f0b-9c1d-2e3f4a5b6c71").attr("Disposition", "Sale");
    let ended = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::ended",
        "2026-11-20T10:05:30.600Z",
        &contact,
        "ended",
    );
    // Streams knows the agent's username and the queue name, not the start or connect times;
    // the end is when the event happened.
    assert_eq!(
        s.actions(&ended),
        vec![crm_upsert(
            &contact.id,
            json!({
                "Subject": "Amazon Connect contact",
                "ContactId": contact.id,
                "InitialContactId": contact.id,
                "Agent": "msantos",
                "AgentArn": agent_arn(AGENT_A),
                "Queue": "Support",
                "Channel": "VOICE",
                "InitiationMethod": "INBOUND",
                "EndTime": "2026-11-20T10:05:30.600Z",
                "Disposition": "Sale"
            })
        )]
    );
    // The agent event stream's contact-ended for the same contact, then the EventBridge
    // completion: already logged.
    let server = agent_stream(
        AGENT_A,
        "ev-2",
        "STATE_CHANGE",
        "2026-11-20T10:05:30.700Z",
        vec![contact.agent_stream("CONNECTED", &at(0))],
        vec![contact.agent_stream("ENDED", "2026-11-20T10:05:30.500Z")],
    );
    assert!(server.iter().any(|e| e.kind.as_str() == "contact-ended"));
    assert_eq!(s.actions_all(&server), vec![]);
    let event = completed("c35d7d3b-0005", &contact.id, Some(AGENT_A));
    assert_eq!(s.actions(&event), vec![]);
}

// ---------------------------------------------------------------------------------------------
// acw-watchdog
// ---------------------------------------------------------------------------------------------

const ACW_CONTACT: &str = "8e0a2c4e-6a8c-4e0a-b2c4-6e8a0c2e4a91";

fn follow_up_task(agent: &str, contact: &str) -> Action {
    Action::StartTaskContact(StartTaskContact {
        name: "Follow up: long After Contact Work".into(),
        description: Some(
            "The agent stayed in After Contact Work for more than 180 s on this contact.".into(),
        ),
        contact_flow_id: Some("follow-up-task-flow-id".into()),
        task_template_id: None,
        quick_connect_id: None,
        previous_contact_id: None,
        related_contact_id: Some(contact.to_owned()),
        attributes: vec![("AgentArn".into(), agent_arn(agent))],
        references: vec![],
        scheduled_time: None,
    })
}

fn available(agent: &str) -> Action {
    Action::PutUserStatus(PutUserStatus {
        user_id: agent_arn(agent),
        agent_status_id: "available-status-id".into(),
    })
}

/// The agent event stream's view of a long ACW: the call ends at 0 s (ACW starts), then
/// heartbeats at 120 s, 181 s and 301 s with the contact still in ACW. The actions of each step.
fn long_acw_from_the_agent_event_stream(s: &Scenario) -> Vec<Vec<Action>> {
    let contact = Contact::voice(ACW_CONTACT);
    let in_acw = || vec![contact.agent_stream("ENDED", &at(0))];
    let ends = agent_stream(
        AGENT_A,
        "ev-1",
        "STATE_CHANGE",
        &at(10),
        vec![contact.agent_stream("CONNECTED", &at(-30_000))],
        in_acw(),
    );
    assert!(ends.iter().any(|e| e.kind.as_str() == "contact-acw"));
    let mut steps = vec![s.actions_all(&ends)];
    for (i, t) in [120_000, 181_000, 301_000].into_iter().enumerate() {
        let beat = agent_stream(
            AGENT_A,
            &format!("hb-{i}"),
            "HEART_BEAT",
            &at(t),
            in_acw(),
            in_acw(),
        );
        steps.push(s.actions_all(&beat));
    }
    steps
}

#[test]
fn acw_watchdog_acts_once_past_the_limit() {
    let s = Scenario::example("acw-watchdog");
    assert_eq!(
        long_acw_from_the_agent_event_stream(&s),
        vec![
            vec![],
            vec![],
            vec![follow_up_task(AGENT_A, ACW_CONTACT), available(AGENT_A)],
            vec![],
        ]
    );
}

#[test]
fn acw_watchdog_does_what_its_config_asks() {
    let task_only = Scenario::variant("acw-watchdog", |m| {
        with_config(m, "set_available", Some("false"))
    });
    assert_eq!(
        long_acw_from_the_agent_event_stream(&task_only),
        vec![
            vec![],
            vec![],
            vec![follow_up_task(AGENT_A, ACW_CONTACT)],
            vec![]
        ]
    );
    let status_only =
        Scenario::variant("acw-watchdog", |m| with_config(m, "contact_flow_id", None));
    assert_eq!(
        long_acw_from_the_agent_event_stream(&status_only),
        vec![vec![], vec![], vec![available(AGENT_A)], vec![]]
    );
}

/// The browser's view: the contact enters ACW at 0 s, optionally `middle` happens, and at
/// 200 s a refresh arrives with the agent still in `AfterCallWork`. The refresh's actions.
fn acw_from_streams_then(s: &Scenario, middle: &[Event]) -> Vec<Action> {
    let contact = Contact::voice(ACW_CONTACT);
    let acw = streams(
        AGENT_A,
        vec![streams_entry(
            "e-1",
            "contact::acw",
            &at(0),
            Some(contact.streams("ended", &at(0))),
            ("AfterCallWork", "system"),
        )],
    );
    assert_eq!(s.actions_all(&acw), vec![]);
    assert_eq!(s.actions_all(middle), vec![]);
    let refresh = streams(
        AGENT_A,
        vec![streams_entry(
            "e-9",
            "agent::refresh",
            &at(200_000),
            None,
            ("AfterCallWork", "system"),
        )],
    );
    s.actions_all(&refresh)
}

#[test]
fn acw_watchdog_forgets_a_contact_destroyed_first() {
    // Control: nothing in between, the refresh at 200 s fires.
    let control = Scenario::example("acw-watchdog");
    assert_eq!(
        acw_from_streams_then(&control, &[]),
        vec![follow_up_task(AGENT_A, ACW_CONTACT), available(AGENT_A)]
    );
    // The agent clears the contact at 60 s: ACW is over, nothing fires.
    let s = Scenario::example("acw-watchdog");
    let destroyed = streams(
        AGENT_A,
        vec![streams_entry(
            "e-2",
            "contact::destroyed",
            &at(60_000),
            Some(Contact::voice(ACW_CONTACT).streams("ended", &at(0))),
            ("AfterCallWork", "system"),
        )],
    );
    assert_eq!(acw_from_streams_then(&s, &destroyed), vec![]);
    assert_eq!(
        s.state_keys(),
        Vec::<String>::new(),
        "no contact left in ACW"
    );
}

#[test]
fn acw_watchdog_forgets_everything_at_logout() {
    let s = Scenario::example("acw-watchdog");
    // A logout at 60 s (the record still lists the contact, so only the logout clears it).
    let in_acw = vec![Contact::voice(ACW_CONTACT).agent_stream("ENDED", &at(0))];
    let logout = agent_stream(
        AGENT_A,
        "ev-logout",
        "LOGOUT",
        &at(60_000),
        in_acw.clone(),
        in_acw,
    );
    let logout = one(logout, "agent-logout");
    assert_eq!(acw_from_streams_then(&s, &[logout]), vec![]);
}

#[test]
fn acw_watchdog_set_available_without_a_status_is_missing_config() {
    let s = Scenario::variant("acw-watchdog", |m| {
        with_config(m, "available_status_id", None)
    });
    let contact = Contact::voice(ACW_CONTACT);
    let acw = streams(
        AGENT_A,
        vec![streams_entry(
            "e-1",
            "contact::acw",
            &at(0),
            Some(contact.streams("ended", &at(0))),
            ("AfterCallWork", "system"),
        )],
    );
    assert_eq!(s.actions_all(&acw), vec![], "nothing is due yet");
    let refresh = one(
        streams(
            AGENT_A,
            vec![streams_entry(
                "e-2",
                "agent::refresh",
                &at(200_000),
                None,
                ("AfterCallWork", "system"),
            )],
        ),
        "agent-refresh",
    );
    let failure = s.failure(&refresh);
    assert_eq!(plugin_error_code(&failure), "missing-config", "{failure}");

    // A config that asks for nothing at all is missing-config too.
    let s = Scenario::variant("acw-watchdog", |m| {
        with_config(
            with_config(m, "contact_flow_id", None),
            "set_available",
            Some("false"),
        )
    });
    assert_eq!(s.actions_all(&acw), vec![]);
    let failure = s.failure(&refresh);
    assert_eq!(plugin_error_code(&failure), "missing-config", "{failure}");
}

// ---------------------------------------------------------------------------------------------
// missed-call-callback
// ---------------------------------------------------------------------------------------------

/// An EventBridge `DISCONNECTED` of `contact` at 12:01:00.
fn disconnected(
    id: &str,
    contact: &str,
    channel: &str,
    method: &str,
    queued: bool,
    agent: Option<&str>,
) -> Event {
    let mut detail = json!({
        "eventType": "DISCONNECTED",
        "contactId": contact,
        "initialContactId": contact,
        "channel": channel,
        "instanceArn": INSTANCE,
        "initiationMethod": method,
        "initiationTimestamp": "2026-11-20T12:00:00.000Z",
        "disconnectTimestamp": "2026-11-20T12:01:00.000Z",
        "disconnectReason": "CUSTOMER_DISCONNECT"
    });
    if queued {
        detail["queueInfo"] = json!({"queueType": "STANDARD", "queueArn": queue_arn(),
                                     "enqueueTimestamp": "2026-11-20T12:00:20.000Z"});
    }
    if let Some(agent) = agent {
        detail["agentInfo"] = json!({"agentArn": agent_arn(agent),
                                     "connectedToAgentTimestamp": "2026-11-20T12:00:30.000Z"});
    }
    eventbridge(id, "2026-11-20T12:01:00Z", detail)
}

fn callback(contact: &str, reason: &str, queue: &str, phone: Option<&str>) -> Action {
    Action::StartTaskContact(StartTaskContact {
        name: "Call back a missed caller".into(),
        description: Some(format!("The customer's call was {reason}; call them back.")),
        contact_flow_id: Some("callback-task-flow-id".into()),
        task_template_id: None,
        quick_connect_id: None,
        previous_contact_id: None,
        related_contact_id: Some(contact.to_owned()),
        attributes: vec![
            ("CallbackReason".into(), reason.into()),
            ("OriginalQueue".into(), queue.into()),
        ],
        references: phone
            .map(|p| TaskReference {
                name: "Customer number".into(),
                reference_type: "STRING".into(),
                value: p.into(),
            })
            .into_iter()
            .collect(),
        scheduled_time: None,
    })
}

#[test]
fn missed_call_callback_calls_back_a_call_abandoned_in_queue() {
    let s = Scenario::example("missed-call-callback");
    let contact = "0f4a6c8e-2b3d-4e5f-8a1c-3e5a7c9e1b40";
    let event = disconnected("2e09e4b8-0001", contact, "VOICE", "INBOUND", true, None);
    // EventBridge names the queue by ARN only.
    assert_eq!(
        s.actions(&event),
        vec![callback(contact, "abandoned", &queue_arn(), None)]
    );
    assert_eq!(s.actions(&event), vec![], "redelivered: once per contact");

    // A transferred call abandoned in queue is called back too.
    let transfer = "0f4a6c8e-2b3d-4e5f-8a1c-3e5a7c9e1b41";
    let event = disconnected("2e09e4b8-0002", transfer, "Voice", "TRANSFER", true, None);
    assert_eq!(
        s.actions(&event),
        vec![callback(transfer, "abandoned", &queue_arn(), None)]
    );
}

#[test]
fn missed_call_callback_ignores_outbound_chat_ivr_and_answered_calls() {
    let s = Scenario::example("missed-call-callback");
    let cases = [
        (
            "outbound",
            disconnected(
                "d-1",
                "0f4a6c8e-0000-4000-8000-000000000001",
                "VOICE",
                "OUTBOUND",
                true,
                None,
            ),
        ),
        (
            "chat",
            disconnected(
                "d-2",
                "0f4a6c8e-0000-4000-8000-000000000002",
                "CHAT",
                "INBOUND",
                true,
                None,
            ),
        ),
        (
            "hung up in the IVR, never queued",
            disconnected(
                "d-3",
                "0f4a6c8e-0000-4000-8000-000000000003",
                "VOICE",
                "INBOUND",
                false,
                None,
            ),
        ),
        (
            "answered by an agent",
            disconnected(
                "d-4",
                "0f4a6c8e-0000-4000-8000-000000000004",
                "VOICE",
                "INBOUND",
                true,
                Some(AGENT_A),
            ),
        ),
        (
            "a missed chat",
            streams_contact_event(
                AGENT_A,
                "e-5",
                "contact::missed",
                &at(0),
                &Contact::chat("0f4a6c8e-0000-4000-8000-000000000005"),
                "missed",
            ),
        ),
    ];
    for (case, event) in &cases {
        assert_eq!(s.actions(event), vec![], "{case}");
    }
}

#[test]
fn missed_call_callback_calls_back_once_when_missed_then_abandoned() {
    let s = Scenario::example("missed-call-callback");
    let contact = Contact::voice("4a6c8e0a-2c4e-4a6c-8e0a-2c4e6a8c0ea2")
        .attr("CustomerNumber", "+12065550199");

    // The browser reports the miss, with the customer's number as an attribute.
    let missed = streams_contact_event(
        AGENT_A,
        "e-1",
        "contact::missed",
        &at(0),
        &contact,
        "missed",
    );
    assert_eq!(
        s.actions(&missed),
        vec![callback(
            &contact.id,
            "missed",
            "Support",
            Some("+12065550199")
        )]
    );
    // The same miss from the agent event stream, then the caller hangs up in queue.
    let server = agent_stream(
        AGENT_A,
        "ev-2",
        "STATE_CHANGE",
        &at(100),
        vec![contact.agent_stream("CONNECTING", &at(-20_000))],
        vec![contact.agent_stream("MISSED", &at(0))],
    );
    assert!(server.iter().any(|e| e.kind.as_str() == "contact-missed"));
    assert_eq!(s.actions_all(&server), vec![]);
    let abandoned = disconnected("d-3", &contact.id, "VOICE", "INBOUND", true, None);
    assert_eq!(s.actions(&abandoned), vec![]);
}

// ---------------------------------------------------------------------------------------------
// hold-recording
// ---------------------------------------------------------------------------------------------

fn suspend(contact: &str, initial: &str) -> Action {
    Action::SuspendContactRecording(ContactRecording {
        contact_id: contact.into(),
        initial_contact_id: initial.into(),
        recording_type: RecordingType::Call,
    })
}

fn resume(contact: &str, initial: &str) -> Action {
    Action::ResumeContactRecording(ContactRecording {
        contact_id: contact.into(),
        initial_contact_id: initial.into(),
        recording_type: RecordingType::Call,
    })
}

/// The browser's `contact::participant_hold` / `participant_resume` at `ms`.
fn streams_hold(contact: &Contact, id: &str, hold: bool, ms: i64) -> Event {
    let (event, state) = if hold {
        ("contact::participant_hold", "connected_onhold")
    } else {
        ("contact::participant_resume", "connected")
    };
    let e = streams_contact_event(AGENT_A, id, event, &at(ms), contact, state);
    assert!(e.contact.as_ref().is_some_and(|c| c.on_hold == hold));
    e
}

/// The agent event stream's `CONNECTED` → `CONNECTED_ONHOLD` (or back) record at `ms`.
fn agent_stream_hold(contact: &Contact, id: &str, hold: bool, ms: i64) -> Event {
    let (from, to, kind) = if hold {
        ("CONNECTED", "CONNECTED_ONHOLD", "contact-participant-hold")
    } else {
        (
            "CONNECTED_ONHOLD",
            "CONNECTED",
            "contact-participant-resume",
        )
    };
    one(
        agent_stream(
            AGENT_A,
            id,
            "STATE_CHANGE",
            &at(ms),
            vec![contact.agent_stream(from, &at(-60_000))],
            vec![contact.agent_stream(to, &at(ms))],
        ),
        kind,
    )
}

#[test]
fn hold_recording_suspends_and_resumes_the_call_recording() {
    let s = Scenario::example("hold-recording");
    // A transferred contact: its initial contact id is not its own.
    let transferred = Contact::voice("a5c3e2d1-7f9b-4d2e-8c4a-6e1f3b5d7c09")
        .initial("7d57a798-e3f6-473c-bf50-f9a6a61b8500");
    let initial = "7d57a798-e3f6-473c-bf50-f9a6a61b8500";
    assert_eq!(
        s.actions(&streams_hold(&transferred, "e-1", true, 0)),
        vec![suspend(&transferred.id, initial)]
    );
    assert_eq!(
        s.actions(&streams_hold(&transferred, "e-2", false, 30_000)),
        vec![resume(&transferred.id, initial)]
    );
    // No initial contact id in the snapshot: the contact is its own initial contact.
    let plain = Contact::voice("8e0a2c4e-6a8c-4e0a-b2c4-6e8a0c2e4a91");
    assert_eq!(
        s.actions(&agent_stream_hold(&plain, "ev-3", true, 40_000)),
        vec![suspend(&plain.id, &plain.id)]
    );
    assert_eq!(
        s.actions(&agent_stream_hold(&plain, "ev-4", false, 50_000)),
        vec![resume(&plain.id, &plain.id)]
    );
}

#[test]
fn hold_recording_without_a_contact_id_is_missing_data() {
    let s = Scenario::example("hold-recording");
    let mut event = streams_hold(
        &Contact::voice("a5c3e2d1-7f9b-4d2e-8c4a-6e1f3b5d7c09"),
        "e-1",
        true,
        0,
    );
    event.contact_id = None;
    event.contact = None;
    let failure = s.failure(&event);
    assert_eq!(failure.kind(), "plugin-error");
    assert_eq!(plugin_error_code(&failure), "missing-data", "{failure}");
}

#[test]
fn hold_recording_acts_once_per_hold_whichever_source_reports_it() {
    let s = Scenario::example("hold-recording");
    let c = Contact::voice("f226d5e6-f742-4761-b03b-8bdc818a4e74");
    let id = c.id.as_str();
    let steps = [
        // The browser reports the hold first, the agent event stream 13 ms later.
        (
            "streams hold",
            streams_hold(&c, "e-1", true, 0),
            vec![suspend(id, id)],
        ),
        (
            "agent-stream hold",
            agent_stream_hold(&c, "ev-1", true, 13),
            vec![],
        ),
        // The resume reaches the agent event stream first this time.
        (
            "agent-stream resume",
            agent_stream_hold(&c, "ev-2", false, 30_010),
            vec![resume(id, id)],
        ),
        (
            "streams resume",
            streams_hold(&c, "e-2", false, 30_000),
            vec![],
        ),
        // A second hold later suspends again.
        (
            "streams hold again",
            streams_hold(&c, "e-3", true, 60_000),
            vec![suspend(id, id)],
        ),
        (
            "agent-stream hold again",
            agent_stream_hold(&c, "ev-3", true, 60_012),
            vec![],
        ),
        (
            "streams resume again",
            streams_hold(&c, "e-4", false, 90_000),
            vec![resume(id, id)],
        ),
        (
            "agent-stream resume again",
            agent_stream_hold(&c, "ev-4", false, 90_011),
            vec![],
        ),
    ];
    for (step, event, expected) in &steps {
        assert_eq!(&s.actions(event), expected, "{step}");
    }
}

#[test]
fn hold_recording_ignores_a_stale_hold() {
    let s = Scenario::example("hold-recording");
    let c = Contact::voice("10fe3541-75dc-45f7-a993-4465871481aa");
    let id = c.id.as_str();
    assert_eq!(
        s.actions(&streams_hold(&c, "e-1", true, 0)),
        vec![suspend(id, id)]
    );
    assert_eq!(
        s.actions(&streams_hold(&c, "e-2", false, 30_000)),
        vec![resume(id, id)]
    );
    // The agent event stream's copy of the hold arrives late, after the resume was acted on:
    // suspending now would leave the rest of the call unrecorded.
    assert_eq!(s.actions(&agent_stream_hold(&c, "ev-1", true, 12)), vec![]);
    assert_eq!(
        s.actions(&agent_stream_hold(&c, "ev-2", false, 30_009)),
        vec![]
    );
    // A real new hold still suspends.
    assert_eq!(
        s.actions(&agent_stream_hold(&c, "ev-3", true, 45_000)),
        vec![suspend(id, id)]
    );
}

#[test]
fn hold_recording_keeps_working_for_many_contacts() {
    // The README: the marks of the 200 most recent contacts live in one state value.
    let s = Scenario::example("hold-recording");
    let contacts: Vec<Contact> = (0..200)
        .map(|i| Contact::voice(&format!("00000000-0000-4000-8000-{i:012}")))
        .collect();
    for (i, c) in contacts.iter().enumerate() {
        let ms = i64::try_from(i).expect("small") * 1_000;
        let event = streams_hold(c, &format!("e-{i}"), true, ms);
        let run = s.dispatch(&event).expect("hold-recording runs");
        match run.result {
            Ok(decisions) => assert_eq!(
                decisions.into_iter().map(|d| d.action).collect::<Vec<_>>(),
                vec![suspend(&c.id, &c.id)],
                "hold of contact #{i}"
            ),
            Err(failure) => panic!(
                "hold of contact #{i} ({}) failed: {} ({failure}); state: {} bytes",
                c.id,
                failure.kind(),
                s.store
                    .snapshot("hold-recording")
                    .values()
                    .map(Vec::len)
                    .sum::<usize>()
            ),
        }
    }
    // Every one of them is still remembered: the other source's copies are skipped.
    for (i, c) in contacts.iter().enumerate() {
        let ms = i64::try_from(i).expect("small") * 1_000 + 10;
        let copy = agent_stream_hold(c, &format!("ev-{i}"), true, ms);
        assert_eq!(s.actions(&copy), vec![], "duplicate hold of contact #{i}");
    }
}
