//! The `streamhooks` tool over the bundled sample day: every line decodes, ids are unique across
//! the whole day (they are the de-duplication key), every source and the main kinds appear, and
//! the same contact seen through different sources agrees on its identifiers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use streamhooks_cli::{Console, EXIT_OK, run};
use streamhooks_events::{Event, EventKind, Source};

fn decode_sample() -> (u8, Vec<Event>, String) {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let console = Console {
        stdin: &mut &b""[..],
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal: false,
    };
    let status = run(["streamhooks", "decode", "--sample"], console);
    let events = String::from_utf8(stdout)
        .expect("output is UTF-8")
        .lines()
        .map(|line| serde_json::from_str::<Event>(line).expect("each line is a canonical event"))
        .collect();
    (
        status,
        events,
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn the_sample_day_decodes_completely() {
    let (status, events, stderr) = decode_sample();
    assert_eq!(status, EXIT_OK, "stderr:\n{stderr}");
    assert_eq!(stderr, "", "nothing is reported for a clean day");
    let lines = include_str!("../../examples/sample-day.jsonl")
        .lines()
        .count();
    assert!(lines >= 500, "the sample day has {lines} lines");
    assert!(
        events.len() >= lines,
        "{} events from {lines} documents: every document yields at least one",
        events.len()
    );
}

#[test]
fn ids_are_unique_across_the_day() {
    let (_, events, _) = decode_sample();
    let mut seen = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(first) = seen.insert(e.id.as_str(), i) {
            panic!("event {i} repeats the id {} of event {first}", e.id);
        }
    }
}

#[test]
fn every_source_and_the_main_kinds_appear() {
    let (_, events, _) = decode_sample();
    let sources: BTreeSet<Source> = events.iter().map(|e| e.source).collect();
    assert_eq!(sources.len(), 3, "sources seen: {sources:?}");
    let kinds: BTreeSet<EventKind> = events.iter().map(|e| e.kind).collect();
    for kind in [
        EventKind::AgentLogin,
        EventKind::AgentLogout,
        EventKind::AgentHeartbeat,
        EventKind::AgentStateChange,
        EventKind::AgentAfterCallWork,
        EventKind::ContactInitiated,
        EventKind::ContactQueued,
        EventKind::ContactConnectedToAgent,
        EventKind::ContactDisconnected,
        EventKind::ContactCompleted,
        EventKind::ContactConnecting,
        EventKind::ContactAccepted,
        EventKind::ContactConnected,
        EventKind::ContactParticipantHold,
        EventKind::ContactParticipantResume,
        EventKind::ContactMissed,
        EventKind::ContactAcw,
        EventKind::ContactDestroyed,
        EventKind::ContactPaused,
        EventKind::ContactResumed,
        EventKind::ContactLensRuleMatched,
    ] {
        assert!(kinds.contains(&kind), "the sample day has no {kind}");
    }
}

#[test]
fn sources_agree_on_each_contact() {
    let (_, events, _) = decode_sample();
    let mut instances: BTreeMap<&str, BTreeSet<(&str, Source)>> = BTreeMap::new();
    let mut channels: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for e in &events {
        let Some(contact) = e.contact_id.as_deref() else {
            continue;
        };
        if let Some(instance) = e.instance_arn.as_deref() {
            instances
                .entry(contact)
                .or_default()
                .insert((instance, e.source));
        }
        if let Some(channel) = e.contact.as_ref().and_then(|c| c.channel.as_ref()) {
            channels
                .entry(contact)
                .or_default()
                .insert(channel.to_string());
        }
    }
    for (contact, seen) in &instances {
        let distinct: BTreeSet<&str> = seen.iter().map(|(i, _)| *i).collect();
        assert_eq!(
            distinct.len(),
            1,
            "contact {contact} has instances {seen:?}"
        );
    }
    for (contact, seen) in &channels {
        assert_eq!(seen.len(), 1, "contact {contact} has channels {seen:?}");
    }
    let multi_source = instances
        .values()
        .filter(|seen| seen.iter().map(|(_, s)| s).collect::<BTreeSet<_>>().len() > 1)
        .count();
    assert!(
        multi_source >= 10,
        "only {multi_source} contacts are seen by more than one source"
    );
}
