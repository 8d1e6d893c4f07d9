//! Runs the real `streamhooks dev` binary on 127.0.0.1 with the example plugins and talks to
//! it over HTTP: the ingest endpoint (dev auth), the EventBridge-style endpoint, the live
//! feed, the demo page's assets, and the errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Dev {
    child: Child,
    addr: String,
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Dev {
    let plugins = repo().join("target/plugins/examples");
    assert!(
        plugins.is_dir(),
        "build the example plugins first: scripts/build-plugins.sh"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_streamhooks"))
        .args(["dev", "--addr", "127.0.0.1:0", "--plugins"])
        .arg(&plugins)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("streamhooks dev ended before saying where it listens")
            .unwrap();
        if let Some(rest) = line.strip_prefix("streamhooks dev: listening on http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    Dev { child, addr }
}

struct Answer {
    status: u16,
    headers: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn request(dev: &Dev, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut stream = TcpStream::connect(&dev.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        dev.addr,
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers: head.to_owned(),
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

fn fixture(path: &str) -> Value {
    let path = repo().join("crates/events/tests/fixtures").join(path);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const JSON: (&str, &str) = ("content-type", "application/json");

/// Reads the feed until `want` items satisfy `done`, or panics after 30 s.
fn feed_until(dev: &Dev, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let mut stream = TcpStream::connect(&dev.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    write!(
        stream,
        "GET /feed HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        dev.addr
    )
    .unwrap();
    let started = Instant::now();
    let mut raw = String::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => panic!("the feed ended"),
            Ok(n) => raw.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("{e}"),
        }
        let items: Vec<Value> = raw
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .filter_map(|data| serde_json::from_str(data).ok())
            .collect();
        if done(&items) {
            assert!(raw.contains("text/event-stream"), "{raw}");
            return items;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the feed did not show what was expected: {raw}"
        );
    }
}

#[test]
fn a_forwarded_batch_gets_its_directives_and_shows_in_the_feed() {
    let dev = start(&[]);
    let batch = fixture("streams/incoming-call.json");
    let agent = batch["agent_arn"].as_str().unwrap();
    let token = format!("Bearer dev:{agent}");
    let origin = format!("http://{}", dev.addr);

    // Without the dev token: the same 401 as ingest-http.
    let answer = request(&dev, "POST", "/ingest", &[JSON], &batch.to_string());
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.json()["error"]["code"], "missing-token");

    let answer = request(
        &dev,
        "POST",
        "/ingest",
        &[JSON, ("authorization", &token), ("origin", &origin)],
        &batch.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("access-control-allow-origin"), Some(&*origin));
    let body = answer.json();
    assert_eq!(body["format"], "streamhooks.directives.v1");
    let directives = body["directives"].as_array().unwrap();
    assert_eq!(directives.len(), 1, "{body}");
    assert_eq!(directives[0]["directive"], "screen-pop");
    assert_eq!(directives[0]["agent_arn"], agent);

    // The browser reports the screen pop done, in a poll.
    let poll = json!({
        "format": "streamhooks.streams.v1",
        "agent_arn": agent,
        "events": [],
        "directive_results": [{"id": directives[0]["id"], "status": "done"}],
    });
    let answer = request(
        &dev,
        "POST",
        "/ingest",
        &[JSON, ("authorization", &token)],
        &poll.to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);

    // An origin that is not the server's own is refused.
    let answer = request(
        &dev,
        "POST",
        "/ingest",
        &[
            JSON,
            ("authorization", &token),
            ("origin", "https://elsewhere.example"),
        ],
        &batch.to_string(),
    );
    assert_eq!(answer.status, 403, "{}", answer.body);

    let n = batch["events"].as_array().unwrap().len();
    let items = feed_until(&dev, |items| {
        items.iter().any(|i| i["type"] == "directive-result")
            && items.iter().filter(|i| i["type"] == "event").count() >= n
    });
    let events: Vec<&Value> = items.iter().filter(|i| i["type"] == "event").collect();
    assert!(
        events
            .iter()
            .all(|e| e["source"] == "streams" && e["status"] == "processed")
    );
    let popped = events
        .iter()
        .find(|e| e["directives"].as_array().is_some_and(|d| !d.is_empty()))
        .expect("an event with the screen pop");
    assert_eq!(popped["directives"][0]["plugin"], "screen-pop");
    let result = items
        .iter()
        .find(|i| i["type"] == "directive-result")
        .unwrap();
    assert_eq!(result["status"], "done");
    assert_eq!(result["id"], directives[0]["id"]);
    assert_eq!(result["agent_arn"], agent);
}

#[test]
fn eventbridge_events_run_through_the_plugins_in_dry_run() {
    let dev = start(&[]);
    let completed = fixture("eventbridge/completed.json");
    let answer = request(&dev, "POST", "/events", &[JSON], &completed.to_string());
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    let report = &body["results"][0]["events"][0];
    assert_eq!(report["kind"], "contact-completed");
    assert_eq!(report["status"], "processed");
    assert_eq!(report["outcomes"][0]["plugin"], "crm-call-log");
    assert_eq!(report["outcomes"][0]["outcome"], "done");

    // An array is a batch of events; the same event again is a duplicate, and an older event
    // of the same contact (connected before it completed) is stale.
    let answer = request(
        &dev,
        "POST",
        "/events",
        &[JSON],
        &json!([completed, fixture("eventbridge/connected-to-agent.json")]).to_string(),
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let body = answer.json();
    assert_eq!(body["results"][0]["events"][0]["status"], "duplicate");
    assert_eq!(body["results"][1]["events"][0]["status"], "stale");

    // What cannot be decoded is a dead letter, not a failure.
    let answer = request(
        &dev,
        "POST",
        "/events",
        &[JSON],
        r#"{"detail-type": "Amazon Connect Contact Event", "detail": {}}"#,
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["results"][0]["dead_lettered"], true);

    let answer = request(&dev, "POST", "/events", &[JSON], "{not json");
    assert_eq!(answer.status, 400);
    assert_eq!(answer.json()["error"]["code"], "malformed-json");

    let items = feed_until(&dev, |items| {
        items.iter().any(|i| i["type"] == "dead-letter")
            && items.iter().any(|i| i["type"] == "action")
    });
    let action = items.iter().find(|i| i["type"] == "action").unwrap();
    assert_eq!(action["plugin"], "crm-call-log");
    assert_eq!(action["action"]["type"], "crm");
    assert_eq!(action["action"]["parameters"]["operation"], "upsert");
    let letter = items.iter().find(|i| i["type"] == "dead-letter").unwrap();
    assert_eq!(letter["letter"]["reason"], "undecodable");
}

#[test]
fn the_demo_page_and_its_assets_are_served() {
    let streams =
        repo().join("sdk/forwarder/node_modules/amazon-connect-streams/release/connect-streams.js");
    let dev = start(&[]);
    let page = request(&dev, "GET", "/", &[], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("/streams/connect-streams.js"));
    assert!(page.body.contains("/demo/demo.js"));
    for (path, needle) in [
        ("/demo/demo.js", "startForwarding"),
        ("/forwarder/index.js", "export function startForwarding"),
        ("/ccp/ccp.html", "ccp-sim.js"),
        ("/ccp/ccp-sim.js", "ccpSim"),
    ] {
        let answer = request(&dev, "GET", path, &[], "");
        assert_eq!(answer.status, 200, "{path}");
        assert!(answer.body.contains(needle), "{path} lacks {needle}");
        assert!(answer.header("content-type").is_some(), "{path}");
    }
    let answer = request(&dev, "GET", "/streams/connect-streams.js", &[], "");
    if streams.is_file() {
        assert_eq!(answer.status, 200);
        assert_eq!(
            answer.body.len(),
            std::fs::metadata(&streams).unwrap().len() as usize
        );
    } else {
        assert_eq!(answer.status, 404);
    }
    let missing = request(&dev, "GET", "/nothing-here", &[], "");
    assert_eq!(missing.status, 404);
    assert!(
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/nothing-here")
    );
    let wrong = request(&dev, "DELETE", "/events", &[], "");
    assert_eq!(wrong.status, 405);
}

#[test]
fn an_empty_plugin_folder_is_a_clear_error() {
    let empty = std::env::temp_dir().join(format!("streamhooks-dev-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_streamhooks"))
        .args(["dev", "--addr", "127.0.0.1:0", "--plugins"])
        .arg(&empty)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("streamhooks dev: no plugin in"), "{stderr}");
}
