//! `template.yaml`, the AWS SAM application, checked against the code it deploys: the Amazon
//! Connect IAM actions are exactly the operations the executor can call (derived from
//! `streamhooks_executor::connect_operation` over one action of every type, not from a list
//! written here), every function gets the environment it reads, traces, logs to a log group of
//! its own with a retention, and every batch event source reports partial failures.
//!
//! The template is read as text (CloudFormation's YAML tags make a generic YAML parser of
//! little help): top-level sections, resources (two-space keys under `Resources:`) and their
//! indented properties, with comments dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;
use streamhooks_actions::grants::GRANT_KEYS;
use streamhooks_actions::{
    Action, ClientAction, ClientDirective, ContactRecording, CrmOperation, CrmUpdate,
    DismissUserContact, MonitorContact, PublishEvent, PutUserStatus, RecordingType,
    StartOutboundVoiceContact, StartTaskContact, StopContact, TagContact, TransferContact,
    UpdateContact, UpdateContactAttributes,
};
use streamhooks_executor::connect_operation;

const TEMPLATE: &str = include_str!("../../template.yaml");

/// Every function reads these (Globals or its own `Environment`).
const COMMON_ENV: [&str; 10] = [
    "STREAMHOOKS_PLUGINS_DIR",
    "STREAMHOOKS_CONNECT_INSTANCE_ARN",
    "STREAMHOOKS_STATE_TABLE",
    "STREAMHOOKS_EVENT_BUS",
    "STREAMHOOKS_DRY_RUN",
    "STREAMHOOKS_STALE_POLICY",
    "STREAMHOOKS_IDEMPOTENCY_TTL_SECONDS",
    "STREAMHOOKS_DIRECTIVE_TTL_SECONDS",
    "STREAMHOOKS_CONNECT_QUOTAS",
    "RUST_LOG",
];

/// ingest-http reads these too.
const INGEST_ENV: [&str; 6] = [
    "STREAMHOOKS_COGNITO_USER_POOL_ID",
    "STREAMHOOKS_COGNITO_CLIENT_IDS",
    "STREAMHOOKS_AGENT_CLAIM",
    "STREAMHOOKS_ALLOWED_ORIGINS",
    "STREAMHOOKS_MAX_BODY_BYTES",
    "STREAMHOOKS_AGENT_RATE",
];

/// The function binaries of the workspace (`functions/<name>`), one Lambda function each.
const BINARIES: [&str; 3] = ["ingest-http", "contact-events", "agent-events"];

/// Where the plugins layer is unpacked (`/opt` + scripts/build-layer.sh's layout).
const PLUGINS_DIR: &str = "/opt/streamhooks/plugins";

/// A line without its comment (`#` at the start, or after a space), right-trimmed.
fn uncommented(line: &str) -> &str {
    let code = if line.trim_start().starts_with('#') {
        ""
    } else {
        line.find(" #").map_or(line, |at| &line[..at])
    };
    code.trim_end()
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The template's non-blank, uncommented lines, each with its 1-based line number.
fn lines() -> Vec<(usize, &'static str)> {
    TEMPLATE
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, uncommented(l)))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect()
}

/// The lines of a top-level section (`Globals:`, `Resources:` ...), without its header.
fn section(name: &str) -> Vec<(usize, &'static str)> {
    let header = format!("{name}:");
    let mut out = Vec::new();
    let mut inside = false;
    for (n, l) in lines() {
        if indent(l) == 0 {
            inside = l == header;
            continue;
        }
        if inside {
            out.push((n, l));
        }
    }
    assert!(!out.is_empty(), "template.yaml has no `{name}:` section");
    out
}

#[derive(Debug)]
struct Resource {
    name: &'static str,
    kind: &'static str,
    /// Its lines below the `  Name:` header.
    body: Vec<(usize, &'static str)>,
}

impl Resource {
    /// The trimmed lines of the resource.
    fn trimmed(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.body.iter().map(|(_, l)| l.trim())
    }

    /// Whether one of its lines is exactly `line` (trimmed).
    fn has(&self, line: &str) -> bool {
        self.trimmed().any(|l| l == line)
    }

    /// The value of the first `key: value` line at any depth.
    fn value(&self, key: &str) -> Option<&'static str> {
        let prefix = format!("{key}:");
        self.trimmed()
            .find_map(|l| l.strip_prefix(prefix.as_str()).map(str::trim))
            .filter(|v| !v.is_empty())
    }

    /// The lines of the block under the first `key:` line (deeper than it).
    fn block(&self, key: &str) -> Vec<&'static str> {
        block(&self.body, key)
    }
}

fn block(body: &[(usize, &'static str)], key: &str) -> Vec<&'static str> {
    let header = format!("{key}:");
    let Some(start) = body.iter().position(|(_, l)| l.trim() == header) else {
        return Vec::new();
    };
    let depth = indent(body[start].1);
    body[start + 1..]
        .iter()
        .map(|(_, l)| *l)
        .take_while(|l| indent(l) > depth)
        .collect()
}

fn resources() -> BTreeMap<&'static str, Resource> {
    let mut out: BTreeMap<&'static str, Resource> = BTreeMap::new();
    let mut current: Option<Resource> = None;
    for (n, l) in section("Resources") {
        if indent(l) == 2 {
            let name = l
                .trim()
                .strip_suffix(':')
                .unwrap_or_else(|| panic!("template.yaml:{n}: `{l}` is not a resource header"));
            if let Some(done) = current.replace(Resource {
                name,
                kind: "",
                body: Vec::new(),
            }) {
                out.insert(done.name, done);
            }
        } else {
            let resource = current
                .as_mut()
                .unwrap_or_else(|| panic!("template.yaml:{n}: a line before any resource"));
            if indent(l) == 4
                && let Some(kind) = l.trim().strip_prefix("Type:")
            {
                resource.kind = kind.trim();
            }
            resource.body.push((n, l));
        }
    }
    if let Some(done) = current {
        out.insert(done.name, done);
    }
    for r in out.values() {
        assert!(!r.kind.is_empty(), "resource {} has no Type", r.name);
    }
    out
}

fn of_kind<'a>(all: &'a BTreeMap<&'static str, Resource>, kind: &str) -> Vec<&'a Resource> {
    all.values().filter(|r| r.kind == kind).collect()
}

/// The keys of the `Variables:` mapping in `lines`.
fn env_keys(lines: &[&'static str]) -> BTreeMap<&'static str, &'static str> {
    let Some(start) = lines.iter().position(|l| l.trim() == "Variables:") else {
        return BTreeMap::new();
    };
    let depth = indent(lines[start]);
    let vars: Vec<&str> = lines[start + 1..]
        .iter()
        .copied()
        .take_while(|l| indent(l) > depth)
        .collect();
    let Some(key_depth) = vars.first().map(|l| indent(l)) else {
        return BTreeMap::new();
    };
    vars.iter()
        .filter(|l| indent(l) == key_depth)
        .map(|l| {
            let (key, value) = l.trim().split_once(':').expect("`KEY: value`");
            (key, value.trim())
        })
        .collect()
}

/// One action of every type, from `streamhooks_actions`.
fn one_action_of_each_type() -> Vec<Action> {
    let recording = ContactRecording {
        contact_id: "c-1".into(),
        initial_contact_id: "c-1".into(),
        recording_type: RecordingType::Call,
    };
    let all = vec![
        Action::PutUserStatus(PutUserStatus {
            user_id: "u-1".into(),
            agent_status_id: "s-1".into(),
        }),
        Action::UpdateContactAttributes(UpdateContactAttributes {
            initial_contact_id: "c-1".into(),
            attributes: vec![("k".into(), "v".into())],
        }),
        Action::UpdateContact(UpdateContact {
            contact_id: "c-1".into(),
            name: Some("n".into()),
            description: None,
        }),
        Action::StopContact(StopContact {
            contact_id: "c-1".into(),
            disconnect_reason: None,
        }),
        Action::TransferContact(TransferContact {
            contact_id: "c-1".into(),
            contact_flow_id: "f-1".into(),
            queue_id: Some("q-1".into()),
            user_id: None,
        }),
        Action::StartTaskContact(StartTaskContact {
            name: "task".into(),
            description: None,
            contact_flow_id: Some("f-1".into()),
            task_template_id: None,
            quick_connect_id: None,
            previous_contact_id: None,
            related_contact_id: None,
            attributes: Vec::new(),
            references: Vec::new(),
            scheduled_time: None,
        }),
        Action::StartOutboundVoiceContact(StartOutboundVoiceContact {
            destination_phone_number: "+15550100".into(),
            contact_flow_id: "f-1".into(),
            queue_id: None,
            source_phone_number: None,
            related_contact_id: None,
            attributes: Vec::new(),
        }),
        Action::DismissUserContact(DismissUserContact {
            user_id: "u-1".into(),
            contact_id: "c-1".into(),
        }),
        Action::SuspendContactRecording(recording.clone()),
        Action::ResumeContactRecording(recording),
        Action::MonitorContact(MonitorContact {
            contact_id: "c-1".into(),
            user_id: "u-2".into(),
            capabilities: vec!["SILENT_MONITOR".into()],
        }),
        Action::TagContact(TagContact {
            contact_id: "c-1".into(),
            tags: vec![("team".into(), "a".into())],
        }),
        Action::Client(ClientAction {
            agent_arn: "arn:agent".into(),
            contact_id: None,
            directive: ClientDirective::Accept,
        }),
        Action::Crm(CrmUpdate {
            connector: "crm".into(),
            object: "Task".into(),
            operation: CrmOperation::Create,
            id_field: None,
            id: None,
            fields: json!({}),
        }),
        Action::Publish(PublishEvent {
            detail_type: "Done".into(),
            detail: json!({}),
        }),
    ];
    for action in &all {
        // A new Action variant stops this test from compiling until it has a sample above.
        match action {
            Action::PutUserStatus(_)
            | Action::UpdateContactAttributes(_)
            | Action::UpdateContact(_)
            | Action::StopContact(_)
            | Action::TransferContact(_)
            | Action::StartTaskContact(_)
            | Action::StartOutboundVoiceContact(_)
            | Action::DismissUserContact(_)
            | Action::SuspendContactRecording(_)
            | Action::ResumeContactRecording(_)
            | Action::MonitorContact(_)
            | Action::TagContact(_)
            | Action::Client(_)
            | Action::Crm(_)
            | Action::Publish(_) => {}
        }
    }
    // ... and the manifest's grant keys (plus `client`) name every action type, independently.
    let sampled: BTreeSet<String> = all
        .iter()
        .map(|a| a.type_name().replace('-', "_"))
        .collect();
    let granted: BTreeSet<String> = GRANT_KEYS
        .iter()
        .map(|(key, _)| (*key).to_owned())
        .chain(["client".to_owned()])
        .collect();
    assert_eq!(sampled, granted, "one sample action per action type");
    all
}

/// `connect:<Operation>` for every Amazon Connect operation the executor can call.
fn executor_connect_actions() -> BTreeSet<String> {
    one_action_of_each_type()
        .iter()
        .filter_map(connect_operation)
        .map(|op| format!("connect:{op}"))
        .collect()
}

/// Every `connect:<Action>` IAM action in `lines` (list items, inline or quoted); ARN patterns
/// (`...:connect:...`) and `aws.connect` are not actions.
fn connect_actions_in<'a>(lines: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lines {
        let mut rest = line;
        while let Some(at) = rest.find("connect:") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "connect:".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '*')
                .collect();
            if !matches!(before, Some(c) if c == ':' || c == '.' || c.is_ascii_alphanumeric()) {
                out.insert(format!("connect:{name}"));
            }
            rest = after;
        }
    }
    out
}

/// The `Resource` of a policy statement (its trimmed lines): the inline value, or the list
/// items below it.
fn statement_resources<'a>(statement: &[&'a str]) -> BTreeSet<&'a str> {
    let Some(at) = statement.iter().position(|l| l.starts_with("Resource:")) else {
        return BTreeSet::new();
    };
    let inline = statement[at]["Resource:".len()..].trim();
    if !inline.is_empty() {
        return BTreeSet::from([inline]);
    }
    statement[at + 1..]
        .iter()
        .map_while(|l| l.strip_prefix("- "))
        .collect()
}

#[test]
fn connect_iam_actions_are_exactly_the_executors_operations() {
    let expected = executor_connect_actions();
    assert!(
        expected.len() >= 12,
        "the executor calls at least the twelve documented operations: {expected:?}"
    );
    let granted = connect_actions_in(lines().into_iter().map(|(_, l)| l));
    assert!(
        !granted.iter().any(|a| a.contains('*')),
        "no connect wildcard: {granted:?}"
    );
    let missing: Vec<_> = expected.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "template.yaml's connect: actions differ from the executor's operations\n  \
         missing from the template: {missing:?}\n  not called by the executor: {extra:?}"
    );
}

#[test]
fn connect_actions_are_scoped_to_the_instance() {
    let all = resources();
    let mut seen = BTreeSet::new();
    for resource in all.values() {
        // Statements start at `- Sid:`; every statement here has one.
        let mut statements: Vec<Vec<&str>> = Vec::new();
        for (_, l) in &resource.body {
            if l.trim().starts_with("- Sid:") {
                statements.push(Vec::new());
            }
            if let Some(s) = statements.last_mut() {
                s.push(l.trim());
            }
        }
        for statement in statements {
            let actions = connect_actions_in(statement.iter().copied());
            if actions.is_empty() {
                continue;
            }
            seen.extend(actions.iter().cloned());
            let resources = statement_resources(&statement);
            let on_instance: BTreeSet<&str> =
                BTreeSet::from(["!Ref ConnectInstanceArn", "!Sub ${ConnectInstanceArn}/*"]);
            // The one exception: the Service Authorization Reference gives
            // StartOutboundVoiceContact no resource type, so it can only be granted on "*".
            let exception = actions.len() == 1
                && actions.contains("connect:StartOutboundVoiceContact")
                && resources == BTreeSet::from(["\"*\""]);
            assert!(
                resources == on_instance || exception,
                "{}: statement {:?} grants {actions:?} on {resources:?}, not on the instance \
                 ARN and its resources",
                resource.name,
                statement.first()
            );
        }
    }
    assert_eq!(
        seen,
        executor_connect_actions(),
        "every connect action sits in a statement with a Sid"
    );
}

#[test]
fn every_function_gets_the_environment_it_reads() {
    let all = resources();
    let globals = section("Globals");
    let global_lines: Vec<&str> = globals.iter().map(|(_, l)| *l).collect();
    let global_env = env_keys(&global_lines);
    let functions = of_kind(&all, "AWS::Serverless::Function");
    assert_eq!(functions.len(), BINARIES.len(), "one function per binary");
    for function in functions {
        let own_lines: Vec<&str> = function.body.iter().map(|(_, l)| *l).collect();
        let mut env = global_env.clone();
        env.extend(env_keys(&own_lines));
        let binary = function.value("Binary").unwrap_or_default();
        let needed: Vec<&str> = if binary == "ingest-http" {
            COMMON_ENV.iter().chain(&INGEST_ENV).copied().collect()
        } else {
            COMMON_ENV.to_vec()
        };
        for var in needed {
            assert!(
                env.get(var).is_some_and(|v| !v.is_empty()),
                "{}: environment variable {var} is not set",
                function.name
            );
        }
        assert_eq!(
            env.get("STREAMHOOKS_PLUGINS_DIR").copied(),
            Some(PLUGINS_DIR),
            "{}: plugins come from the layer",
            function.name
        );
    }
}

#[test]
fn every_function_is_a_workspace_binary_with_tracing_and_a_log_group_of_its_own() {
    let all = resources();
    let globals = section("Globals");
    let global_tracing = globals.iter().any(|(_, l)| l.trim() == "Tracing: Active");
    let mut binaries = BTreeSet::new();
    let mut log_groups = BTreeSet::new();
    for function in of_kind(&all, "AWS::Serverless::Function") {
        let name = function.name;
        assert_eq!(
            function.value("BuildMethod"),
            Some("rust-cargolambda"),
            "{name}"
        );
        let binary = function
            .value("Binary")
            .unwrap_or_else(|| panic!("{name}: no BuildProperties Binary"));
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../functions")
            .join(binary)
            .join("Cargo.toml");
        let cargo = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{name}: {}: {e}", manifest.display()));
        assert!(
            cargo.contains("[[bin]]") && cargo.contains(&format!("name = \"{binary}\"")),
            "{name}: {} declares no binary `{binary}`",
            manifest.display()
        );
        assert!(
            binaries.insert(binary),
            "{name}: binary {binary} used twice"
        );

        let tracing = function.value("Tracing");
        assert!(
            tracing == Some("Active") || (tracing.is_none() && global_tracing),
            "{name}: X-Ray tracing is not Active"
        );

        let logging = function.block("LoggingConfig");
        assert!(
            logging.iter().any(|l| l.trim() == "LogFormat: JSON"),
            "{name}: LoggingConfig LogFormat is not JSON"
        );
        let group = logging
            .iter()
            .find_map(|l| l.trim().strip_prefix("LogGroup: !Ref "))
            .unwrap_or_else(|| panic!("{name}: LoggingConfig has no LogGroup: !Ref <log group>"));
        let resource = all
            .get(group)
            .unwrap_or_else(|| panic!("{name}: no resource {group}"));
        assert_eq!(resource.kind, "AWS::Logs::LogGroup", "{name}: {group}");
        assert!(
            resource.value("RetentionInDays").is_some(),
            "{group}: no RetentionInDays"
        );
        assert!(log_groups.insert(group), "{group} serves two functions");
    }
    assert_eq!(
        binaries,
        BINARIES.into_iter().collect(),
        "the functions' binaries"
    );
}

#[test]
fn batch_event_sources_report_item_failures_and_bound_retries() {
    let all = resources();
    // SAM event sources that read batches would need the same settings; this template maps
    // its stream explicitly (the mapping is conditional), so there must be none.
    for function in of_kind(&all, "AWS::Serverless::Function") {
        let events = function.block("Events");
        for kind in [
            "Kinesis",
            "SQS",
            "DynamoDB",
            "MSK",
            "SelfManagedKafka",
            "MQ",
        ] {
            assert!(
                !events.iter().any(|l| l.trim() == format!("Type: {kind}")),
                "{}: a SAM {kind} event; declare an AWS::Lambda::EventSourceMapping",
                function.name
            );
        }
    }
    let mappings = of_kind(&all, "AWS::Lambda::EventSourceMapping");
    assert!(!mappings.is_empty(), "no event source mapping");
    let mut targets = BTreeSet::new();
    for mapping in mappings {
        let name = mapping.name;
        let types = mapping.block("FunctionResponseTypes");
        assert!(
            types
                .iter()
                .any(|l| l.trim() == "- ReportBatchItemFailures"),
            "{name}: no ReportBatchItemFailures"
        );
        assert_eq!(
            mapping.value("BisectBatchOnFunctionError"),
            Some("true"),
            "{name}"
        );
        let retries: i64 = mapping
            .value("MaximumRetryAttempts")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: MaximumRetryAttempts is not a number"));
        assert!((0..=10).contains(&retries), "{name}: {retries} retries");
        assert!(
            mapping.value("MaximumRecordAgeInSeconds").is_some(),
            "{name}: record age unbounded"
        );
        assert!(
            mapping
                .block("OnFailure")
                .iter()
                .any(|l| l.trim() == "Destination: !GetAtt DeadLetterQueue.Arn"),
            "{name}: failures do not go to the dead-letter queue"
        );
        targets.insert(
            mapping
                .value("FunctionName")
                .unwrap_or_else(|| panic!("{name}: no FunctionName")),
        );
    }
    let agent_events = of_kind(&all, "AWS::Serverless::Function")
        .into_iter()
        .find(|f| f.value("Binary") == Some("agent-events"))
        .expect("an agent-events function");
    assert!(
        targets.contains(format!("!Ref {}", agent_events.name).as_str()),
        "the agent event stream mapping does not invoke {}",
        agent_events.name
    );
}

#[test]
fn contact_events_retries_are_bounded_and_end_in_the_dead_letter_queue() {
    let all = resources();
    let function = of_kind(&all, "AWS::Serverless::Function")
        .into_iter()
        .find(|f| f.value("Binary") == Some("contact-events"))
        .expect("a contact-events function");
    let invoke = function.block("EventInvokeConfig");
    let retries: Option<u32> = invoke
        .iter()
        .find_map(|l| l.trim().strip_prefix("MaximumRetryAttempts:"))
        .and_then(|v| v.trim().parse().ok());
    assert!(
        retries.is_some_and(|r| r <= 2),
        "{}: asynchronous retries not set (0-2): {retries:?}",
        function.name
    );
    assert!(
        invoke
            .iter()
            .any(|l| l.trim().starts_with("MaximumEventAgeInSeconds:")),
        "{}: no maximum event age",
        function.name
    );
    assert!(
        invoke
            .iter()
            .any(|l| l.trim() == "Destination: !GetAtt DeadLetterQueue.Arn"),
        "{}: failed invocations do not go to the dead-letter queue",
        function.name
    );
    let target = format!("Arn: !GetAtt {}.Arn", function.name);
    let rules: Vec<&Resource> = of_kind(&all, "AWS::Events::Rule")
        .into_iter()
        .filter(|r| r.has(&target) || r.has(&format!("- {target}")))
        .collect();
    assert_eq!(rules.len(), 1, "one rule invokes {}", function.name);
    let rule = rules[0];
    assert!(
        rule.has("- aws.connect"),
        "{}: not Amazon Connect",
        rule.name
    );
    assert!(
        rule.has("- Amazon Connect Contact Event"),
        "{}: no contact events",
        rule.name
    );
    assert!(
        rule.has("- !Ref ConnectInstanceArn"),
        "{}: not filtered to the instance",
        rule.name
    );
    let retry = rule.block("RetryPolicy");
    assert!(
        retry
            .iter()
            .any(|l| l.trim().starts_with("MaximumRetryAttempts:"))
            && retry
                .iter()
                .any(|l| l.trim().starts_with("MaximumEventAgeInSeconds:")),
        "{}: no bounded RetryPolicy",
        rule.name
    );
    assert!(
        rule.block("DeadLetterConfig")
            .iter()
            .any(|l| l.trim() == "Arn: !GetAtt DeadLetterQueue.Arn"),
        "{}: no DeadLetterConfig",
        rule.name
    );
}

#[test]
fn ingest_http_is_a_function_url_that_answers_cors_itself() {
    let all = resources();
    let function = of_kind(&all, "AWS::Serverless::Function")
        .into_iter()
        .find(|f| f.value("Binary") == Some("ingest-http"))
        .expect("an ingest-http function");
    let url = function.block("FunctionUrlConfig");
    assert!(
        url.iter().any(|l| l.trim() == "AuthType: NONE"),
        "{}: the function verifies tokens itself",
        function.name
    );
    assert!(
        !url.iter().any(|l| l.trim().starts_with("Cors:")),
        "{}: Function URL CORS would replace the function's own CORS answers",
        function.name
    );
}
