//! hold-recording: suspends a call's recording while the customer is on hold
//! (`contact-participant-hold`) and resumes it when they are taken off hold
//! (`contact-participant-resume`). Unlike AWS's sample, failures are not swallowed: an event
//! without a contact id is a `missing-data` plugin error.
//!
//! The same hold usually arrives twice, from the Streams forwarder and from the agent event
//! stream, in either order. The plugin acts once per transition: it remembers, per contact,
//! whether it last suspended or resumed and when, skips a repeat of that transition, and skips
//! a transition older than the one it acted on (a late duplicate). See README.md.

use streamhooks_sdk::{Action, Event, Handler, HandlerResult, PluginError, export_plugin, state};

/// The state key of the per-contact recording marks (one value, bounded).
const KEY: &str = "recording";
/// Contacts remembered; the oldest mark is dropped first.
const CAPACITY: usize = 200;

struct HoldRecording;

impl Handler for HoldRecording {
    fn on_contact_participant_hold(event: &Event) -> HandlerResult {
        transition(event, Recording::Suspended)
    }

    fn on_contact_participant_resume(event: &Event) -> HandlerResult {
        transition(event, Recording::Resumed)
    }
}

export_plugin!(HoldRecording);

/// What the plugin last did to a contact's recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recording {
    Suspended,
    Resumed,
}

/// One contact's mark: what was done, and the time of the event it was done for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    contact_id: String,
    recording: Recording,
    at: i64,
}

fn transition(event: &Event, want: Recording) -> HandlerResult {
    let (contact_id, initial) = ids(event)?;
    let mut marks = parse(&state::get_string(KEY).unwrap_or_default());
    if !decide(&mut marks, contact_id, want, event.occurred_at) {
        streamhooks_sdk::log::debug(&format!(
            "{contact_id}: {want:?} already done for this or a later event; skipped"
        ));
        return Ok(vec![]);
    }
    // Without the mark a duplicate would act again: fail the call rather than act unmarked.
    state::set(KEY, render(&marks))?;
    Ok(vec![match want {
        Recording::Suspended => Action::suspend_call_recording(contact_id, initial),
        Recording::Resumed => Action::resume_call_recording(contact_id, initial),
    }])
}

/// Whether to act on `want` for `contact_id` at time `at`, updating `marks` if so: not when
/// the last mark is the same transition (a duplicate from the other source), nor when it is
/// for a later event (this one arrived late).
fn decide(marks: &mut Vec<Mark>, contact_id: &str, want: Recording, at: i64) -> bool {
    if let Some(i) = marks.iter().position(|m| m.contact_id == contact_id) {
        if marks[i].recording == want || marks[i].at > at {
            return false;
        }
        marks.remove(i);
    }
    marks.push(Mark {
        contact_id: contact_id.to_owned(),
        recording: want,
        at,
    });
    if marks.len() > CAPACITY {
        marks.remove(0);
    }
    true
}

/// Marks as stored: one `contact-id s|r epoch-ms` line each, oldest first. Lines that do not
/// parse (an older format) are dropped.
fn parse(text: &str) -> Vec<Mark> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            let contact_id = parts.next()?.to_owned();
            let recording = match parts.next()? {
                "s" => Recording::Suspended,
                "r" => Recording::Resumed,
                _ => return None,
            };
            let at = parts.next()?.parse().ok()?;
            Some(Mark {
                contact_id,
                recording,
                at,
            })
        })
        .collect()
}

fn render(marks: &[Mark]) -> String {
    marks
        .iter()
        .map(|m| {
            let r = match m.recording {
                Recording::Suspended => "s",
                Recording::Resumed => "r",
            };
            format!("{} {r} {}\n", m.contact_id, m.at)
        })
        .collect()
}

/// The contact id and the initial contact id (the snapshot's, else the contact's own: a contact
/// that was never transferred is its own initial contact).
fn ids(event: &Event) -> Result<(&str, &str), PluginError> {
    let contact_id = event.require_contact_id()?;
    Ok((contact_id, event.initial_contact_id().unwrap_or(contact_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_contact_id_and_its_fallback() {
        let mut event = Event::example("contact-participant-hold");
        assert_eq!(ids(&event).expect("ids"), ("contact-1", "contact-1"));
        if let Some(c) = event.contact.as_mut() {
            c.initial_contact_id = Some("initial-1".into());
        }
        assert_eq!(ids(&event).expect("ids"), ("contact-1", "initial-1"));
    }

    #[test]
    fn a_missing_contact_id_is_a_plugin_error() {
        let mut event = Event::example("contact-participant-hold");
        event.contact_id = None;
        event.contact = None;
        let err = HoldRecording::on_event(&event).expect_err("error");
        assert_eq!(err.code, "missing-data");
    }

    #[test]
    fn each_transition_acts_once_whichever_source_comes_first() {
        let mut marks = Vec::new();
        use Recording::*;
        // Streams sees the hold at 1000, the agent event stream at 1400.
        assert!(decide(&mut marks, "c1", Suspended, 1000));
        assert!(!decide(&mut marks, "c1", Suspended, 1400), "duplicate hold");
        assert!(decide(&mut marks, "c1", Resumed, 9000));
        assert!(!decide(&mut marks, "c1", Resumed, 8700), "duplicate resume");
        assert!(
            !decide(&mut marks, "c1", Suspended, 1400),
            "late hold is stale"
        );
        assert!(decide(&mut marks, "c1", Suspended, 20_000), "a new hold");
        assert!(
            decide(&mut marks, "c2", Resumed, 5),
            "a resume never seen on hold"
        );
        assert_eq!(marks.len(), 2);
    }

    #[test]
    fn marks_round_trip_and_stay_bounded() {
        let mut marks = Vec::new();
        for i in 0..(CAPACITY + 10) {
            assert!(decide(
                &mut marks,
                &format!("c{i}"),
                Recording::Suspended,
                1
            ));
        }
        assert_eq!(marks.len(), CAPACITY);
        assert_eq!(marks[0].contact_id, "c10", "oldest dropped first");
        assert_eq!(parse(&render(&marks)), marks);
        assert!(parse("garbage\nc1 x 5\n").is_empty());
    }
}
