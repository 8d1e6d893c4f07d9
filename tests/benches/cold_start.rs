//! Cold start of each Lambda function binary, as Lambda starts it: process start to the end of
//! init (its first `/next`) and to its first response, through the local Lambda Runtime API
//! (`streamhooks_tests::lambda_api`), with the five example plugins precompiled for this machine
//! (as the plugins layer ships them) and, as the baseline in the same run, compiled from their
//! components at init.
//!
//! ```sh
//! bash scripts/build-plugins.sh --all
//! cargo build --release -p streamhooks-ingest-http -p streamhooks-contact-events -p streamhooks-agent-events
//! cargo bench -p streamhooks-tests --bench cold_start
//! ```
//!
//! The functions run in dry-run mode with the embedded store (no AWS calls at init or in the
//! first invocation), so what is measured is the runtime's own start: logging, configuration,
//! the engine, loading the plugins, the first event through decoding, plugins and executor.
//! `COLD_START_RUNS` (default 15) sets the runs per row. The last column is the resident memory
//! (`VmRSS`) of the function process once it has answered its first event: with the five plugins
//! loaded, waiting for its next event.
//!
//! Then the contact-events function again with the JavaScript and the Python examples
//! (screen-pop and crm-call-log, `target/plugins/js` and `target/plugins/python`): 12-18 MB
//! components that take seconds to compile, which is why `streamhooks plugin build` and the
//! plugins layer precompile them. Those rows run at most 5 times each (`COLD_START_RUNS` caps).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use streamhooks_engine::{Engine, Target};
use streamhooks_tests::inputs::{
    cognito_id_token, fixture, function_url_request, kinesis_event, repo, serve_static, test_jwks,
};
use streamhooks_tests::lambda_api::{
    ApiConfig, FunctionProcess, InvokeOptions, RuntimeApi, binary_path, resident_kib,
};

/// A copy of the built plugins of `group` (`target/plugins/<group>`), with artifacts
/// precompiled for this machine or without.
fn plugins(group: &str, precompiled: bool) -> PathBuf {
    let from = repo().join("target/plugins").join(group);
    assert!(
        from.is_dir(),
        "{} is missing: run scripts/build-plugins.sh --all first",
        from.display()
    );
    let to = std::env::temp_dir().join(format!(
        "streamhooks-cold-start-{}-{group}-{}",
        std::process::id(),
        if precompiled {
            "precompiled"
        } else {
            "components"
        }
    ));
    let _ = std::fs::remove_dir_all(&to);
    let engine = Engine::new().unwrap();
    for plugin in std::fs::read_dir(&from).unwrap() {
        let plugin = plugin.unwrap().path();
        let dest = to.join(plugin.file_name().unwrap());
        std::fs::create_dir_all(&dest).unwrap();
        for file in std::fs::read_dir(&plugin).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".cwasm") || name.ends_with(".cwasm.json") {
                continue;
            }
            std::fs::copy(&file, dest.join(&name)).unwrap();
            if precompiled && name.ends_with(".wasm") {
                engine
                    .write_artifact(&dest.join(&name), Target::host().unwrap())
                    .unwrap();
            }
        }
    }
    to
}

fn token(issuer: &str) -> String {
    let batch = fixture("streams/incoming-call.json");
    cognito_id_token(
        "key1.der",
        "test-key1",
        issuer,
        "bench-client",
        batch["agent_arn"].as_str().unwrap(),
    )
}

struct Function {
    name: &'static str,
    payload: Value,
    env: Vec<(String, String)>,
}

fn functions() -> Vec<Function> {
    let jwks = serve_static(test_jwks());
    let issuer = format!("{jwks}/us-west-2_BenchPool");
    let batch = fixture("streams/incoming-call.json").to_string();
    let request = function_url_request(
        "POST",
        json!({"content-type": "application/json", "authorization": format!("Bearer {}", token(&issuer))}),
        Some(batch),
    );
    let kinesis = kinesis_event(&[("1", fixture("agent-stream/contact-hold.json"))]);
    vec![
        Function {
            name: "contact-events",
            payload: fixture("eventbridge/completed.json"),
            env: Vec::new(),
        },
        Function {
            name: "agent-events",
            payload: kinesis,
            env: Vec::new(),
        },
        Function {
            name: "ingest-http",
            payload: request,
            env: vec![
                (
                    "STREAMHOOKS_COGNITO_USER_POOL_ID".into(),
                    "us-west-2_BenchPool".into(),
                ),
                (
                    "STREAMHOOKS_COGNITO_CLIENT_IDS".into(),
                    "bench-client".into(),
                ),
                (
                    "STREAMHOOKS_COGNITO_JWKS_URL".into(),
                    format!("{jwks}/jwks.json"),
                ),
                ("STREAMHOOKS_COGNITO_ISSUER".into(), issuer),
            ],
        },
    ]
}

/// One cold start: (to init done, to first response, resident KiB after the first response).
fn cold_start(function: &Function, plugins: &Path) -> (Duration, Duration, u64) {
    let api = RuntimeApi::try_start(ApiConfig {
        function_name: function.name.into(),
        ..ApiConfig::default()
    })
    .unwrap();
    // Queued before the process starts, as Lambda holds the invocation that caused the start.
    let pending = api
        .submit(
            function.payload.to_string().into_bytes(),
            InvokeOptions {
                timeout: Duration::from_secs(120),
                // Compiling 12-18 MB JavaScript or Python components at init takes seconds.
                queue_timeout: Duration::from_secs(120),
                ..InvokeOptions::default()
            },
        )
        .unwrap();
    let mut env = vec![
        ("STREAMHOOKS_DRY_RUN".to_owned(), "true".to_owned()),
        (
            "STREAMHOOKS_CONNECT_INSTANCE_ARN".to_owned(),
            "arn:aws:connect:us-west-2:111122223333:instance/7c1e3f5a-92b4-4d1e-8f6a-3b5c9d2e4a17"
                .to_owned(),
        ),
        (
            "STREAMHOOKS_PLUGINS_DIR".to_owned(),
            plugins.display().to_string(),
        ),
        ("RUST_LOG".to_owned(), "warn".to_owned()),
    ];
    env.extend(function.env.iter().cloned());
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let process = FunctionProcess::spawn(binary_path(function.name), &api, &env);
    let invocation = pending.wait().unwrap();
    assert!(
        invocation.response().is_some(),
        "{}: {:?}",
        function.name,
        invocation.error()
    );
    let started = process.started_at();
    let init = api.time_of_first_next_request().unwrap() - started;
    let first = api.time_of_first_response().unwrap() - started;
    // The function is back in its `/next` poll: what it holds with five plugins loaded and
    // one event handled.
    let (rss, _) = resident_kib(Some(process.pid()));
    (init, first, rss)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let runs: usize = std::env::var("COLD_START_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    println!(
        "cold start, {runs} runs per row (median, min, max in ms); process start to init done and to first response"
    );
    println!();
    println!(
        "| function | plugins | init p50 | first response p50 | min | max | ratio to components | RSS after first response (p50) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let five = (
        "5 Rust examples",
        plugins("examples", true),
        plugins("examples", false),
    );
    for function in functions() {
        rows(&function, &five, runs);
    }
    let contact_events = functions().into_iter().next().unwrap();
    assert_eq!(contact_events.name, "contact-events");
    for (label, group) in [
        ("2 JavaScript examples", "js"),
        ("2 Python examples", "python"),
    ] {
        let dirs = (label, plugins(group, true), plugins(group, false));
        rows(&contact_events, &dirs, runs.min(5));
        let _ = std::fs::remove_dir_all(&dirs.1);
        let _ = std::fs::remove_dir_all(&dirs.2);
    }
    let _ = std::fs::remove_dir_all(&five.1);
    let _ = std::fs::remove_dir_all(&five.2);
}

/// The rows of one function with one set of plugins: precompiled, then compiled at init.
fn rows(
    function: &Function,
    (plugins, precompiled, components): &(&str, PathBuf, PathBuf),
    runs: usize,
) {
    let mut rows = Vec::new();
    for (label, dir) in [("precompiled", precompiled), ("components", components)] {
        // A warm-up run first keeps the page cache equal.
        cold_start(function, dir);
        let samples: Vec<(Duration, Duration, u64)> =
            (0..runs).map(|_| cold_start(function, dir)).collect();
        let mut rss: Vec<u64> = samples.iter().map(|s| s.2).collect();
        rss.sort();
        let init = median(samples.iter().map(|s| s.0).collect());
        let firsts: Vec<Duration> = samples.iter().map(|s| s.1).collect();
        let first = median(firsts.clone());
        rows.push((
            label,
            init,
            first,
            *firsts.iter().min().unwrap(),
            *firsts.iter().max().unwrap(),
            rss[rss.len() / 2],
        ));
    }
    let baseline = rows[1].2;
    for (label, init, first, min, max, rss) in rows {
        println!(
            "| {} | {plugins}, {label} | {} | {} | {} | {} | {:.3} | {:.1} MiB |",
            function.name,
            ms(init),
            ms(first),
            ms(min),
            ms(max),
            first.as_secs_f64() / baseline.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }
}
