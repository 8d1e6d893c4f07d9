//! A failing plugin is contained: the others still run on the same event, and the same
//! `Plugins` value serves the next event.

use std::collections::BTreeMap;

use streamhooks_engine::Plugins;

use crate::{all_hostile, event, load, run_once};

const HOSTILE: &[&str] = &[
    "loop-forever",
    "alloc-forever",
    "recurse-forever",
    "trap",
    "too-many-actions",
    "huge-output",
    "plugin-error",
];

fn outcomes(plugins: &Plugins, id: &str) -> BTreeMap<String, &'static str> {
    plugins
        .dispatch(&event(id))
        .runs
        .iter()
        .map(|run| {
            let outcome = match &run.result {
                Ok(_) => "ok",
                Err(failure) => failure.kind(),
            };
            (run.plugin.clone(), outcome)
        })
        .collect()
}

#[test]
fn every_plugin_runs_on_the_event_whatever_the_others_do_and_again_on_the_next() {
    let plugins = all_hostile();
    let names: Vec<&str> = plugins.iter().map(|p| p.name()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "plugins run in name order");
    let expected: BTreeMap<String, &str> = [
        ("alloc-forever", "memory"),
        ("denied-action", "ok"),
        ("huge-output", "output"),
        ("log-flood", "ok"),
        ("loop-forever", "deadline"),
        ("noop", "ok"),
        ("plugin-error", "plugin-error"),
        ("recurse-forever", "stack-overflow"),
        ("state-abuse", "ok"),
        ("too-many-actions", "output"),
        ("trap", "trap"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(outcomes(plugins, "e-1"), expected);
    assert_eq!(outcomes(plugins, "e-2"), expected);
}

#[test]
fn after_each_hostile_call_the_same_plugins_serve_the_next_event() {
    let plugins = all_hostile();
    for round in 0..2 {
        for name in HOSTILE {
            let id = format!("{name}-{round}");
            let hostile = plugins.run(name, &event(&id)).expect("plugin");
            assert!(hostile.result.is_err(), "{name} should fail");
            let noop = plugins.run("noop", &event(&id)).expect("noop");
            assert_eq!(noop.result, Ok(vec![]), "noop after {name}");
        }
    }
}

#[test]
fn a_failure_fails_the_event_only_under_fail_event() {
    let (plugins, _) = load("trap");
    let dispatch = plugins.dispatch(&event("e-1"));
    assert!(dispatch.runs[0].result.is_err());
    assert!(!dispatch.failed_event(), "trap's policy is skip");
    let run = run_once(&plugins, "e-2");
    assert!(!run.fails_event());
}

#[test]
fn plugins_are_shared_across_threads() {
    let (plugins, _) = load("noop");
    std::thread::scope(|s| {
        for t in 0..4 {
            let plugins = &plugins;
            s.spawn(move || {
                for i in 0..25 {
                    let run = run_once(plugins, &format!("t{t}-{i}"));
                    assert_eq!(run.result, Ok(vec![]));
                }
            });
        }
    });
}

#[test]
fn events_of_other_kinds_run_no_plugin() {
    let (plugins, _) = load("noop");
    let mut other = event("e-1");
    other.kind = streamhooks_events::EventKind::AgentLogin;
    assert!(plugins.dispatch(&other).runs.is_empty());
}

#[test]
fn deadlines_hold_after_the_engine_handle_is_dropped() {
    // The epoch ticker lives as long as the engine or any plugins loaded from it.
    let engine = streamhooks_engine::Engine::with_config(streamhooks_engine::EngineConfig {
        max_instances: 2,
        ..Default::default()
    })
    .expect("engine");
    let plugins = engine
        .load(
            &crate::hostile_dir().join("loop-forever/plugin.toml"),
            std::sync::Arc::new(streamhooks_engine::MemoryStore::new()),
        )
        .expect("load");
    drop(engine);
    let run = run_once(&plugins, "e-1");
    assert_eq!(crate::failure(&run).kind(), "deadline");
}
