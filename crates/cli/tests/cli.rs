//! Runs the real `streamhooks` binary: exit codes, what goes to stdout and stderr, files and stdin.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

/// A file under the system temp directory, removed on drop.
struct TempFile {
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, contents: &str) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "streamhooks-cli-{}-{unique}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("write a temp file");
        TempFile { path }
    }

    fn arg(&self) -> &str {
        self.path.to_str().expect("temp paths are UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn streamhooks(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamhooks"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start streamhooks");
    let mut input = child.stdin.take().expect("stdin is piped");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait for streamhooks")
}

fn stdout_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .expect("stdout is UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each stdout line is one JSON value"))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An "Amazon Connect Contact Event" as EventBridge delivers it (AWS's documented shape).
fn contact_event(id: &str, event_type: &str, time: &str) -> Value {
    let instance =
        "arn:aws:connect:us-west-2:111122223333:instance/9ba5f0a2-1f8a-4b4b-bc6e-1c2d4a5b6c7d";
    let mut detail = json!({
        "eventType": event_type,
        "contactId": "6ca32fbd-8f92-46af-92a5-6b0f970f0efe",
        "channel": "VOICE",
        "instanceArn": instance,
        "initiationMethod": "INBOUND",
        "initiationTimestamp": "2021-08-04T17:17:53.000Z",
    });
    if event_type != "INITIATED" {
        detail["queueInfo"] = json!({
            "queueType": "STANDARD",
            "queueArn": format!("{instance}/queue/5cba7cbf-1ecb-4b6d-b8bd-fe91079b3fc8"),
            "enqueueTimestamp": "2021-08-04T17:29:04.000Z",
        });
    }
    if event_type == "CONNECTED_TO_AGENT" {
        detail["agentInfo"] = json!({
            "agentArn": format!("{instance}/agent/0aa9ab26-8b91-4a79-8f6b-fd6c3f5c6d7e"),
            "connectedToAgentTimestamp": "2021-08-04T17:29:09.000Z",
        });
    }
    json!({
        "version": "0",
        "id": id,
        "detail-type": "Amazon Connect Contact Event",
        "source": "aws.connect",
        "account": "111122223333",
        "time": time,
        "region": "us-west-2",
        "resources": [instance],
        "detail": detail,
    })
}

/// Three events of one call, one JSON line each.
fn three_lines() -> Vec<String> {
    vec![
        contact_event("e-1", "INITIATED", "2021-08-04T17:17:53Z").to_string(),
        contact_event("e-2", "QUEUED", "2021-08-04T17:29:04Z").to_string(),
        contact_event("e-3", "CONNECTED_TO_AGENT", "2021-08-04T17:29:09Z").to_string(),
    ]
}

fn assert_canonical(event: &Value) {
    for field in ["id", "source", "kind", "occurred_at"] {
        assert!(event.get(field).is_some(), "no `{field}` in {event}");
    }
}

#[test]
fn a_json_lines_file_decodes_to_one_event_per_line() {
    let file = TempFile::new("day.jsonl", &(three_lines().join("\n") + "\n"));
    let output = streamhooks(&["decode", file.arg()], "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let events = stdout_lines(&output);
    assert_eq!(events.len(), 3);
    for event in &events {
        assert_canonical(event);
        assert_eq!(event["source"], "eventbridge");
        assert!(event.get("raw").is_some());
    }
    let kinds: Vec<&Value> = events.iter().map(|e| &e["kind"]).collect();
    assert_eq!(
        kinds,
        [
            "contact-initiated",
            "contact-queued",
            "contact-connected-to-agent"
        ]
    );
}

#[test]
fn a_bad_line_in_the_middle_is_reported_and_the_others_still_print() {
    let lines = three_lines();
    let contents = format!(
        "{}\n{{\"detail-type\": \"Amazon Connect\n{}\n",
        lines[0], lines[2]
    );
    let file = TempFile::new("bad-line.jsonl", &contents);
    let output = streamhooks(&["decode", file.arg()], "");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let expected = format!(
        "{}:2: invalid JSON at line 2, column 31: EOF while parsing",
        file.arg()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(
        err.ends_with("decoded 2 events from 3 documents (1 failed)\n"),
        "{err}"
    );
    let ids: Vec<Value> = stdout_lines(&output)
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, ["e-1", "e-3"]);
}

#[test]
fn a_document_in_no_known_format_fails_with_status_1() {
    let file = TempFile::new("unknown.json", "{\"hello\": \"world\"}\n");
    let output = streamhooks(&["decode", file.arg()], "");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let expected = format!(
        "{}:1: unrecognised event format (an object with keys hello)",
        file.arg()
    );
    assert!(err.contains(&expected), "{err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn unreadable_files_exit_2_and_the_others_still_decode() {
    let good = TempFile::new("good.jsonl", &three_lines()[0]);
    let missing = std::env::temp_dir().join("streamhooks-cli-no-such-file.jsonl");
    let missing = missing.to_str().expect("temp paths are UTF-8");
    let output = streamhooks(&["decode", missing, good.arg()], "");
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!("streamhooks: cannot read {missing}: ")),
        "{err}"
    );
    assert_eq!(stdout_lines(&output).len(), 1, "{err}");
}

#[test]
fn stdin_is_read_without_files_or_for_a_dash() {
    let lines = three_lines().join("\n");
    let output = streamhooks(&["decode"], &lines);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout_lines(&output).len(), 3);

    let file = TempFile::new("before-stdin.jsonl", &three_lines()[0]);
    let output = streamhooks(&["decode", file.arg(), "-"], "{\"hello\": 1}\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("<stdin>:1: unrecognised event format"));
    assert_eq!(stdout_lines(&output).len(), 1, "{}", stderr(&output));
}

#[test]
fn pretty_printed_documents_and_arrays_decode() {
    let first =
        serde_json::to_string_pretty(&contact_event("e-1", "INITIATED", "2021-08-04T17:17:53Z"))
            .expect("serialize");
    let array = serde_json::to_string_pretty(&json!([
        contact_event("e-2", "QUEUED", "2021-08-04T17:29:04Z"),
        contact_event("e-3", "CONNECTED_TO_AGENT", "2021-08-04T17:29:09Z"),
    ]))
    .expect("serialize");
    let output = streamhooks(&["decode", "--no-progress"], &format!("{first}\n{array}\n"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let ids: Vec<Value> = stdout_lines(&output)
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, ["e-1", "e-2", "e-3"]);
}

#[test]
fn errors_in_array_elements_name_the_element() {
    let good = contact_event("e-1", "INITIATED", "2021-08-04T17:17:53Z");
    let line = json!([good, {"hello": 1}]).to_string();
    let file = TempFile::new("array.jsonl", &format!("\n{line}\n"));
    let output = streamhooks(&["decode", file.arg()], "");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("{}:2: [1]: unrecognised event format", file.arg())),
        "{err}"
    );
    assert_eq!(stdout_lines(&output).len(), 1, "{err}");
}

#[test]
fn no_raw_leaves_out_the_original_payload() {
    let output = streamhooks(&["decode", "--no-raw"], &three_lines()[2]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let events = stdout_lines(&output);
    assert_eq!(events.len(), 1);
    assert_canonical(&events[0]);
    assert!(events[0].get("raw").is_none(), "{}", events[0]);
}

#[test]
fn the_bundled_sample_decodes_cleanly() {
    let output = streamhooks(&["decode", "--sample", "--no-raw"], "");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let events = stdout_lines(&output);
    assert!(!events.is_empty());
    events.iter().for_each(assert_canonical);
}

#[test]
fn help_mentions_both_commands() {
    let output = streamhooks(&["--help"], "");
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("decode") && help.contains("kinds"), "{help}");
    let output = streamhooks(&["decode", "--help"], "");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("JSON Lines") && help.contains("Exit status"),
        "{help}"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [&["decode", "--bogus"][..], &["replay"], &[]] {
        let output = streamhooks(args, "");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn kinds_lists_every_kind() {
    let output = streamhooks(&["kinds"], "");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        text.lines()
            .any(|l| l.starts_with("contact-connected-to-agent\t")),
        "{text}"
    );
    let output = streamhooks(&["kinds", "--json"], "");
    let kinds: Vec<Value> = serde_json::from_slice(&output.stdout).expect("a JSON array");
    assert!(
        kinds
            .iter()
            .any(|k| k["kind"] == "contact-connected-to-agent")
    );
    assert!(kinds.iter().all(|k| k["description"].is_string()));
}

/// A copy of the built example plugin `name` in a fresh temp folder (built by
/// scripts/build-plugins.sh).
fn example_plugin_copy(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/plugins/examples")
        .join(name);
    assert!(
        source.join("plugin.toml").is_file(),
        "{} is missing: run scripts/build-plugins.sh first",
        source.display()
    );
    let dir = std::env::temp_dir().join(format!(
        "streamhooks-cli-{}-{}-plugins",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let copy = dir.join(name);
    std::fs::create_dir_all(&copy).expect("temp plugin dir");
    for entry in std::fs::read_dir(&source).expect("plugin dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, copy.join(path.file_name().expect("file"))).expect("copy");
    }
    dir
}

#[test]
fn plugin_check_accepts_a_good_plugin_and_names_what_is_wrong_with_a_bad_one() {
    let dir = example_plugin_copy("hold-recording");
    let arg = dir.to_str().expect("UTF-8");
    let output = streamhooks(&["plugin", "check", arg], "");
    assert!(output.status.success(), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.starts_with("ok hold-recording 0.1.0: "), "{out}");

    let manifest = dir.join("hold-recording/plugin.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text.replace("contact-participant-hold", "contact-on-hold"),
    )
    .expect("write");
    let output = streamhooks(&["plugin", "check", arg], "");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains(
            "hold-recording/plugin.toml: subscribe[0]: unknown event kind `contact-on-hold`"
        ),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn plugin_compile_writes_artifacts_for_both_targets_and_replay_uses_them() {
    let dir = example_plugin_copy("hold-recording");
    let arg = dir.to_str().expect("UTF-8");
    let output = streamhooks(&["plugin", "compile", arg, "--target", "all"], "");
    assert!(output.status.success(), "{}", stderr(&output));
    for arch in ["x86_64", "aarch64"] {
        for suffix in ["cwasm", "cwasm.json"] {
            let file = dir.join(format!(
                "hold-recording/hold_recording.wasm.{arch}.{suffix}"
            ));
            assert!(file.is_file(), "{} missing", file.display());
        }
    }
    // The precompiled plugin decides the same as the compiled one.
    let replay = |plugins: &str, how: &str| {
        let output = streamhooks(&["replay", "--plugins", plugins, "--sample"], "");
        assert!(output.status.success(), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(err.starts_with("loaded 1 plugins from "), "{err}");
        assert!(
            err.lines().next().is_some_and(|l| l.ends_with(how)),
            "{err}"
        );
        output.stdout
    };
    let original = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/plugins/examples/hold-recording");
    assert_eq!(
        replay(arg, "hold-recording (precompiled)"),
        replay(
            original.to_str().expect("UTF-8"),
            "hold-recording (compiled)"
        )
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn plugin_new_and_build_name_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("streamhooks-cli-{}-new", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let target = dir.join("answered-by");
    let target_arg = target.to_str().expect("UTF-8");

    let output = streamhooks(&["plugin", "new", "Answered_By", "--dir", target_arg], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("plugin name \"Answered_By\" must start with a lowercase letter"),
        "{}",
        stderr(&output)
    );
    assert!(!target.exists(), "nothing is written for a bad name");

    let output = streamhooks(
        &[
            "plugin",
            "new",
            "answered-by",
            "--lang",
            "js",
            "--dir",
            target_arg,
        ],
        "",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.starts_with("created JavaScript plugin answered-by in "),
        "{out}"
    );
    let package = std::fs::read_to_string(target.join("package.json")).expect("package.json");
    let sdk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../sdk/js");
    let sdk = sdk.canonicalize().expect("sdk/js");
    assert!(
        package.contains(&format!("\"file:{}\"", sdk.display())),
        "the plugin depends on this checkout's SDK: {package}"
    );
    // A second time into the same folder: refused, the first plugin kept.
    let output = streamhooks(
        &[
            "plugin",
            "new",
            "answered-by",
            "--lang",
            "python",
            "--dir",
            target_arg,
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("exists and is not empty"),
        "{}",
        stderr(&output)
    );
    assert!(!target.join("app.py").exists());

    // Build without the npm install: the missing step is named.
    let output = streamhooks(
        &["plugin", "build", target_arg, "--out", "/nonexistent/x"],
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("@streamhooks/plugin-sdk is not installed: run `npm install` there first"),
        "{}",
        stderr(&output)
    );
    // A folder no language claims.
    std::fs::remove_file(target.join("package.json")).expect("remove package.json");
    let output = streamhooks(&["plugin", "build", target_arg], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(
            "cannot tell the plugin's language: it needs Cargo.toml (Rust), package.json (JavaScript) or pyproject.toml (Python)"
        ),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}
