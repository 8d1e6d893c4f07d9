//! Each hostile plugin's misbehaviour is contained and recorded with its own failure kind.

use streamhooks_actions::Action;
use streamhooks_engine::{LogLevel, PluginFailure};

use crate::{failure, load, run_once};

#[test]
fn noop_returns_no_actions() {
    let (plugins, _) = load("noop");
    let run = run_once(&plugins, "e-1");
    assert_eq!(run.result, Ok(vec![]));
    assert!(run.logs.is_empty());
}

#[test]
fn busy_loop_hits_the_deadline() {
    let (plugins, _) = load("loop-forever");
    let run = run_once(&plugins, "e-1");
    assert_eq!(failure(&run), &PluginFailure::Deadline { timeout_ms: 50 });
    assert_eq!(failure(&run).kind(), "deadline");
}

#[test]
fn allocating_forever_hits_the_memory_limit() {
    let (plugins, _) = load("alloc-forever");
    let run = run_once(&plugins, "e-1");
    assert_eq!(
        failure(&run),
        &PluginFailure::Memory {
            limit_bytes: 16 << 20
        }
    );
}

#[test]
fn unbounded_recursion_overflows_the_stack() {
    let (plugins, _) = load("recurse-forever");
    let run = run_once(&plugins, "e-1");
    assert_eq!(failure(&run), &PluginFailure::StackOverflow);
}

#[test]
fn a_panic_is_a_trap_and_the_logs_before_it_are_kept() {
    let (plugins, _) = load("trap");
    let run = run_once(&plugins, "e-1");
    assert!(
        matches!(failure(&run), PluginFailure::Trap { .. }),
        "{:?}",
        run.result
    );
    assert_eq!(run.logs.len(), 1);
    assert_eq!(run.logs[0].level, LogLevel::Info);
    assert_eq!(run.logs[0].message, "trap: about to panic");
}

#[test]
fn too_many_actions_is_an_output_failure() {
    let (plugins, _) = load("too-many-actions");
    let run = run_once(&plugins, "e-1");
    let PluginFailure::Output { reason } = failure(&run) else {
        panic!("{:?}", run.result)
    };
    assert_eq!(reason, "10000 actions, more than max_actions = 32");
}

#[test]
fn huge_output_is_an_output_failure() {
    let (plugins, _) = load("huge-output");
    let run = run_once(&plugins, "e-1");
    let PluginFailure::Output { reason } = failure(&run) else {
        panic!("{:?}", run.result)
    };
    assert!(
        reason.contains("more than max_output_kib = 64 KiB"),
        "{reason}"
    );
}

#[test]
fn denied_actions_are_reported_and_the_granted_one_kept() {
    let (plugins, _) = load("denied-action");
    let run = run_once(&plugins, "e-1");
    let decisions = run.result.as_ref().expect("decisions");
    let summary: Vec<(usize, &str, bool)> = decisions
        .iter()
        .map(|d| (d.index, d.action.type_name(), d.granted()))
        .collect();
    assert_eq!(
        summary,
        [
            (0, "stop-contact", false),
            (1, "client", true),
            (2, "start-task-contact", false),
        ]
    );
    assert!(matches!(decisions[1].action, Action::Client(_)));
    assert_eq!(
        decisions[0].verdict.as_ref().unwrap_err().action_type,
        "stop-contact"
    );
}

#[test]
fn a_log_flood_is_capped_and_counted() {
    let (plugins, _) = load("log-flood");
    let run = run_once(&plugins, "e-1");
    assert_eq!(run.result, Ok(vec![]));
    let kept: usize = run.logs.iter().map(|l| l.message.len()).sum();
    assert!(kept <= 16 * 1024, "{kept} bytes kept");
    assert_eq!(run.logs.len(), 16);
    assert_eq!(run.logs_dropped, 10_240 - 16);
    assert_eq!(run.log_bytes_dropped, (10_240 - 16) * 1024);
}

#[test]
fn a_plugin_error_is_recorded_as_such() {
    let (plugins, _) = load("plugin-error");
    let run = run_once(&plugins, "e-1");
    let PluginFailure::Plugin {
        code, retryable, ..
    } = failure(&run)
    else {
        panic!("{:?}", run.result)
    };
    assert_eq!(code, "hostile-error");
    assert!(retryable);
    assert_eq!(failure(&run).kind(), "plugin-error");
}
