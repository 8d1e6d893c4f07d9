//! Test support: a real DynamoDB-compatible server, moto's (`pip install 'moto[server]'`), on
//! 127.0.0.1, and SDK configurations pointed at it.
//!
//! Self-contained: include it from any test crate with
//! `#[path = "<...>/crates/dynamodb/tests/support/moto.rs"] mod moto;`. It needs the
//! `aws-config`, `aws-sdk-dynamodb` and `tokio` (`rt`) crates.
//!
//! [`Moto::shared`] starts one server per test process (on first use) with the state table
//! [`TABLE`] created as `template.yaml` defines it; each test builds its own [`SdkConfig`]
//! ([`Moto::sdk_config`]) in its own runtime. The server is killed when its [`Moto`] is
//! dropped, and in any case when the test process exits (it watches its standard input, a
//! pipe from this process). If moto is not installed, this panics saying how to install it:
//! tests that need DynamoDB never pass silently without it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};

/// How to install moto's server, for the panic messages.
pub(crate) const INSTALL: &str = "python3 -m pip install 'moto[server]>=5,<6'";

/// The state table [`Moto::shared`] creates.
pub(crate) const TABLE: &str = "streamhooks-state";

/// How long the server may take to accept connections.
const STARTUP: Duration = Duration::from_secs(60);

/// A moto server on 127.0.0.1.
pub(crate) struct Moto {
    child: Child,
    /// Held open: the server exits when it closes (when this process exits).
    stdin: Option<ChildStdin>,
    port: u16,
    output: Arc<Mutex<Vec<u8>>>,
}

impl Moto {
    /// The server of this test process, started on first use, with [`TABLE`] created.
    pub(crate) fn shared() -> &'static Moto {
        static SHARED: OnceLock<Moto> = OnceLock::new();
        SHARED.get_or_init(|| {
            let moto = Moto::start();
            let endpoint = moto.endpoint();
            // Set up in a runtime of its own, on a thread of its own: the caller may be inside
            // a runtime already.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let config = sdk_config_for(&endpoint).await;
                    create_table(&config, TABLE).await;
                });
            })
            .join()
            .expect("creating the state table in moto failed");
            moto
        })
    }

    /// Starts a server on a free port of 127.0.0.1 and waits until it accepts connections.
    pub(crate) fn start() -> Moto {
        let mut last_output = String::new();
        for _ in 0..5 {
            let port = free_port();
            match Moto::try_start(port) {
                Ok(moto) => return moto,
                Err(output) if output.contains("Address already in use") => last_output = output,
                Err(output) => fail(&output),
            }
        }
        fail(&last_output)
    }

    fn try_start(port: u16) -> Result<Moto, String> {
        // `python3 -m moto.server -H 127.0.0.1 -p PORT` (moto's own `main`), with two changes:
        // - requests are served one at a time (`threaded=False`). moto checks a write's
        //   condition and then applies it with no lock held, so two concurrent conditional
        //   writes to one item can both pass; DynamoDB serializes the writes to an item, and
        //   serving one request at a time gives the tests that guarantee;
        // - a watchdog exits when our end of its standard input closes, so that no server
        //   outlives the tests.
        const SCRIPT: &str = "import os, sys, threading\n\
            def watch():\n    sys.stdin.buffer.read()\n    os._exit(0)\n\
            threading.Thread(target=watch, daemon=True).start()\n\
            import moto.server\n\
            serve = moto.server.run_simple\n\
            moto.server.run_simple = lambda *a, **k: serve(*a, **{**k, 'threaded': False})\n\
            moto.server.main(sys.argv[1:])\n";
        let mut child = match Command::new("python3")
            .args(["-c", SCRIPT, "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => panic!(
                "cannot run python3 for moto's DynamoDB server ({e}); install Python 3 and \
                 moto's server: {INSTALL}"
            ),
        };
        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || drain(stream, &output));
        }
        let mut moto = Moto {
            stdin: child.stdin.take(),
            child,
            port,
            output,
        };
        let started = Instant::now();
        loop {
            if let Some(status) = moto.child.try_wait().unwrap() {
                // Let the drain threads catch the last words.
                std::thread::sleep(Duration::from_millis(200));
                return Err(format!("exited with {status}: {}", moto.output()));
            }
            if moto.responds() {
                return Ok(moto);
            }
            if started.elapsed() > STARTUP {
                let output = moto.output();
                drop(moto);
                return Err(format!(
                    "did not accept connections on 127.0.0.1:{port} within {STARTUP:?}: {output}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the server answers HTTP (not only the socket).
    fn responds(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let request = format!(
            "GET /moto-api/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        // moto's dashboard: an HTTP answer that names moto (not some other server that took
        // the port in between).
        let mut answer = Vec::new();
        let _ = stream.take(1 << 20).read_to_end(&mut answer);
        answer.starts_with(b"HTTP/1.")
            && String::from_utf8_lossy(&answer)
                .to_lowercase()
                .contains("moto")
    }

    /// Its port on 127.0.0.1.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What the server printed (the last 64 KiB).
    pub(crate) fn output(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// An SDK configuration for this server: region us-east-1, fake static credentials,
    /// endpoint `http://127.0.0.1:PORT`. Build one per runtime: its HTTP client's connections
    /// belong to the runtime they were made in.
    pub(crate) async fn sdk_config(&self) -> SdkConfig {
        sdk_config_for(&self.endpoint()).await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn fail(output: &str) -> ! {
    if output.contains("No module named") || output.contains("ModuleNotFoundError") {
        panic!(
            "moto's DynamoDB server is not installed (the DynamoDB adapter's tests need it); \
             install it with: {INSTALL}\n\npython3 said: {output}"
        );
    }
    panic!("moto's DynamoDB server did not start ({INSTALL} installs it): {output}");
}

fn drain(mut stream: Box<dyn Read + Send>, output: &Mutex<Vec<u8>>) {
    const KEEP: usize = 64 << 10;
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            return;
        }
        let mut output = output.lock().unwrap();
        output.extend_from_slice(&buf[..n]);
        if output.len() > KEEP {
            let cut = output.len() - KEEP;
            output.drain(..cut);
        }
    }
}

/// A port of 127.0.0.1 nobody listens on (right now).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An SDK configuration for a DynamoDB endpoint on this machine: region us-east-1, fake static
/// credentials (nothing is read from the environment that could reach AWS).
pub(crate) async fn sdk_config_for(endpoint: &str) -> SdkConfig {
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "tests talk to 127.0.0.1 only, not {endpoint}"
    );
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .endpoint_url(endpoint)
        .load()
        .await
}

/// Creates `name` as `template.yaml` defines the state table (`pk` S hash key, `sk` S range
/// key, on demand, TTL on `expires_at`). An existing table is left as it is.
pub(crate) async fn create_table(config: &SdkConfig, name: &str) {
    let client = aws_sdk_dynamodb::Client::new(config);
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .unwrap()
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .unwrap()
    };
    let created = client
        .create_table()
        .table_name(name)
        .attribute_definitions(attribute("pk"))
        .attribute_definitions(attribute("sk"))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            return;
        }
        Err(e) => panic!(
            "creating table {name} in moto failed: {}",
            aws_sdk_dynamodb::error::DisplayErrorContext(e)
        ),
    }
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "enabling TTL on table {name} in moto failed: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(e)
            )
        });
}

/// A table name no other test uses.
pub(crate) fn unique_table(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
