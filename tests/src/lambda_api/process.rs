//! Function processes: a built binary started the way Lambda starts a custom runtime's
//! `bootstrap`, with its output captured line by line.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::{HarnessError, RuntimeApi, Shared, random_u64};

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// One line a function process wrote (without its line ending).
#[derive(Debug, Clone)]
pub struct OutputLine {
    /// Where it was written.
    pub stream: OutputStream,
    /// The text (invalid UTF-8 replaced).
    pub text: String,
    /// When the harness read it.
    pub at: Instant,
}

impl OutputLine {
    /// The line parsed as JSON, when it is a JSON document (a structured log line).
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.text).ok()
    }
}

/// Something guarded, with a condition variable signalled on each change.
struct Watched<T> {
    value: Mutex<T>,
    changed: Condvar,
}

impl<T> Watched<T> {
    fn new(value: T) -> Self {
        Self {
            value: Mutex::new(value),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, T> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update(&self, change: impl FnOnce(&mut T)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }

    fn wait_for<R>(&self, timeout: Duration, mut ready: impl FnMut(&T) -> Option<R>) -> Option<R> {
        let until = Instant::now() + timeout;
        let mut value = self.lock();
        loop {
            if let Some(found) = ready(&value) {
                return Some(found);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            value = self
                .changed
                .wait_timeout(value, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// What the process-side threads share.
struct ProcessState {
    child: Mutex<Child>,
    output: Watched<Vec<OutputLine>>,
    exit: Watched<Option<ExitStatus>>,
    /// Set when the harness kills the process (the exit is then expected).
    killing: AtomicBool,
    api: Arc<Shared>,
}

impl ProcessState {
    fn child(&self) -> MutexGuard<'_, Child> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records the exit once and tells the Runtime API, which fails what the process had.
    fn exited(&self, status: ExitStatus) {
        let mut first = false;
        self.exit.update(|exit| {
            if exit.is_none() {
                *exit = Some(status);
                first = true;
            }
        });
        if first {
            let expected = self.killing.load(Ordering::SeqCst);
            let description = if expected {
                format!("killed by the harness: {status}")
            } else {
                status.to_string()
            };
            self.api.process_exited(&description, expected);
        }
    }
}

/// A function binary running against a [`RuntimeApi`], with the environment Lambda gives a
/// custom runtime and nothing else (`PATH` apart). It is killed when dropped.
pub struct FunctionProcess {
    state: Arc<ProcessState>,
    pid: u32,
    started_at: Instant,
    binary: PathBuf,
    threads: Vec<JoinHandle<()>>,
}

impl FunctionProcess {
    /// Starts `binary` against `api`, with `extra_env` added last (it may override Lambda's
    /// variables); panics if it cannot be started (a test helper).
    pub fn spawn(binary: impl AsRef<Path>, api: &RuntimeApi, extra_env: &[(&str, &str)]) -> Self {
        let binary = binary.as_ref();
        Self::try_spawn(binary, api, extra_env)
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()))
    }

    /// Starts `binary` against `api`, with `extra_env` added last.
    ///
    /// The environment is what Lambda sets for an on-demand function on a custom runtime:
    /// `AWS_LAMBDA_RUNTIME_API`, `AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_VERSION`,
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_LOG_GROUP_NAME`,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `_HANDLER`,
    /// `LAMBDA_TASK_ROOT` (here the binary's directory, also the working directory, as
    /// `/var/task` is on Lambda), `LAMBDA_RUNTIME_DIR`, `AWS_LAMBDA_INITIALIZATION_TYPE`
    /// (`on-demand`), `TZ`, `LANG`, `AWS_XRAY_CONTEXT_MISSING`, `AWS_XRAY_DAEMON_ADDRESS`, and
    /// fake credentials (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, AWS's documented example values).
    pub fn try_spawn(
        binary: impl AsRef<Path>,
        api: &RuntimeApi,
        extra_env: &[(&str, &str)],
    ) -> Result<Self, HarnessError> {
        let binary = binary.as_ref().to_owned();
        let task_root = binary
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_owned);
        let config = api.config();
        let memory = config.memory_size_mb.to_string();
        let log_group = format!("/aws/lambda/{}", config.function_name);
        let log_stream = log_stream_name(&config.function_version);
        let address = api.address();
        let lambda_env: [(&str, &OsStr); 19] = [
            ("AWS_LAMBDA_RUNTIME_API", address.as_ref()),
            ("AWS_LAMBDA_FUNCTION_NAME", config.function_name.as_ref()),
            (
                "AWS_LAMBDA_FUNCTION_VERSION",
                config.function_version.as_ref(),
            ),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory.as_ref()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", log_group.as_ref()),
            ("AWS_LAMBDA_LOG_STREAM_NAME", log_stream.as_ref()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".as_ref()),
            ("AWS_REGION", config.region.as_ref()),
            ("AWS_DEFAULT_REGION", config.region.as_ref()),
            ("_HANDLER", "bootstrap".as_ref()),
            ("LAMBDA_TASK_ROOT", task_root.as_os_str()),
            ("LAMBDA_RUNTIME_DIR", "/var/runtime".as_ref()),
            ("TZ", ":UTC".as_ref()),
            ("LANG", "en_US.UTF-8".as_ref()),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE".as_ref()),
            (
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".as_ref(),
            ),
            (
                "AWS_SESSION_TOKEN",
                "streamhooks-harness-fake-session-token".as_ref(),
            ),
            ("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR".as_ref()),
            ("AWS_XRAY_DAEMON_ADDRESS", "169.254.79.129:2000".as_ref()),
        ];

        let mut command = Command::new(&binary);
        command.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
            .envs(lambda_env)
            .envs(extra_env.iter().copied())
            .current_dir(&task_root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());

        api.shared.process_started();
        let started_at = Instant::now();
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(error) => {
                api.shared.process_exited("never started", true);
                return Err(HarnessError::io(
                    format!("spawning {}", binary.display()),
                    &error,
                ));
            }
        };
        let pid = child.id();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let state = Arc::new(ProcessState {
            child: Mutex::new(child),
            output: Watched::new(Vec::new()),
            exit: Watched::new(None),
            killing: AtomicBool::new(false),
            api: Arc::clone(&api.shared),
        });

        let (eof, eofs) = mpsc::channel::<()>();
        let mut threads = Vec::new();
        let readers = [
            (
                OutputStream::Stdout,
                stdout.map(|s| Box::new(s) as Box<dyn Read + Send>),
            ),
            (
                OutputStream::Stderr,
                stderr.map(|s| Box::new(s) as Box<dyn Read + Send>),
            ),
        ];
        for (stream, pipe) in readers {
            let Some(pipe) = pipe else {
                let _ = eof.send(());
                continue;
            };
            let state = Arc::clone(&state);
            let eof = eof.clone();
            threads.push(std::thread::spawn(move || {
                read_lines(pipe, stream, &state);
                let _ = eof.send(());
            }));
        }
        drop(eof);

        // Watches for the exit: slowly while the output pipes are open, closely once both are
        // closed (which is when a process normally ends), so an exit is noticed at once.
        let watcher = Arc::clone(&state);
        threads.push(std::thread::spawn(move || {
            let mut closed = 0;
            loop {
                let status = watcher.child().try_wait();
                match status {
                    Ok(Some(status)) => {
                        watcher.exited(status);
                        return;
                    }
                    Ok(None) => {}
                    // Already reaped elsewhere (by `kill`).
                    Err(_) => return,
                }
                let pause = if closed >= 2 {
                    Duration::from_millis(1)
                } else {
                    Duration::from_millis(25)
                };
                match eofs.recv_timeout(pause) {
                    Ok(()) => closed += 1,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => closed = 2,
                }
            }
        }));

        Ok(Self {
            state,
            pid,
            started_at,
            binary,
            threads,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The binary running.
    pub fn binary(&self) -> &Path {
        &self.binary
    }

    /// The instant just before the process was started (the origin of cold-start timings).
    pub fn started_at(&self) -> Instant {
        self.started_at
    }

    /// Every line written so far, both streams, in the order read.
    pub fn output(&self) -> Vec<OutputLine> {
        self.state.output.lock().clone()
    }

    /// The lines written so far to standard output.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.lines_of(OutputStream::Stdout)
    }

    /// The lines written so far to standard error.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.lines_of(OutputStream::Stderr)
    }

    fn lines_of(&self, stream: OutputStream) -> Vec<String> {
        self.state
            .output
            .lock()
            .iter()
            .filter(|line| line.stream == stream)
            .map(|line| line.text.clone())
            .collect()
    }

    /// The lines written so far (both streams) that are JSON documents: the structured logs.
    pub fn json_logs(&self) -> Vec<Value> {
        self.state
            .output
            .lock()
            .iter()
            .filter_map(OutputLine::json)
            .collect()
    }

    /// All the output so far as text, each line prefixed with its stream (for failure messages).
    pub fn output_text(&self) -> String {
        self.state
            .output
            .lock()
            .iter()
            .map(|line| {
                let stream = match line.stream {
                    OutputStream::Stdout => "out",
                    OutputStream::Stderr => "err",
                };
                format!("[{stream}] {}\n", line.text)
            })
            .collect()
    }

    /// Waits for a line that `matches`.
    pub fn wait_for_line(
        &self,
        timeout: Duration,
        matches: impl Fn(&OutputLine) -> bool,
    ) -> Option<OutputLine> {
        self.state.output.wait_for(timeout, |lines| {
            lines.iter().find(|line| matches(line)).cloned()
        })
    }

    /// Whether the process has exited.
    pub fn has_exited(&self) -> bool {
        self.exit_status().is_some()
    }

    /// How it exited, once it has.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        *self.state.exit.lock()
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&self, timeout: Duration) -> Option<ExitStatus> {
        self.state.exit.wait_for(timeout, |exit| *exit)
    }

    /// Kills the process (if still running) and waits for it.
    pub fn kill(&mut self) {
        self.state.killing.store(true, Ordering::SeqCst);
        let status = {
            let mut child = self.state.child();
            let _ = child.kill();
            child.wait()
        };
        if let Ok(status) = status {
            self.state.exited(status);
        }
    }
}

impl Drop for FunctionProcess {
    fn drop(&mut self) {
        self.kill();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn read_lines(pipe: Box<dyn Read + Send>, stream: OutputStream, state: &ProcessState) {
    let mut reader = BufReader::new(pipe);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while matches!(buffer.last(), Some(b'\n' | b'\r')) {
                    buffer.pop();
                }
                let line = OutputLine {
                    stream,
                    text: String::from_utf8_lossy(&buffer).into_owned(),
                    at: Instant::now(),
                };
                state.output.update(|lines| lines.push(line));
            }
        }
    }
}

/// `YYYY/MM/DD/[VERSION]` followed by 32 hex digits, the form of Lambda's log stream names.
fn log_stream_name(version: &str) -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() / 86_400);
    let (year, month, day) = civil_from_days(i64::try_from(days).unwrap_or(0));
    format!(
        "{year:04}/{month:02}/{day:02}/[{version}]{:016x}{:016x}",
        random_u64(),
        random_u64()
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

// ---------------------------------------------------------------------------------------------
// Finding built binaries
// ---------------------------------------------------------------------------------------------

/// The path of the workspace binary `name` built by cargo (`<target dir>/<profile>/<name>`);
/// panics, saying what to build, if it is not there.
///
/// Cargo builds the binaries of the package under test only: a test of another package's
/// function needs it built first (`cargo build -p <package> --bin <name>`). For this package's
/// own binaries use `env!("CARGO_BIN_EXE_<name>")`.
pub fn binary_path(name: &str) -> PathBuf {
    try_binary_path(name).unwrap_or_else(|error| {
        let release = profile_dir()
            .file_name()
            .is_some_and(|profile| profile == "release");
        panic!(
            "{error}. Build it first: `cargo build{} --bin {name}` (cargo builds only the binaries \
             of the package under test before running its tests)",
            if release { " --release" } else { "" }
        )
    })
}

/// The path of the workspace binary `name`, or why it is not there.
pub fn try_binary_path(name: &str) -> Result<PathBuf, HarnessError> {
    let path = profile_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(HarnessError::BinaryNotFound {
            name: name.to_owned(),
            path: path.display().to_string(),
        })
    }
}

/// The directory cargo puts the binaries of the current build in.
fn profile_dir() -> PathBuf {
    // Test and bench executables live in `<target dir>/[<triple>/]<profile>/deps/`, next to the
    // binaries of the same build; this follows `--release`, `--target` and CARGO_TARGET_DIR.
    if let Ok(exe) = std::env::current_exe()
        && let Some(deps) = exe.parent()
        && deps.file_name().is_some_and(|dir| dir == "deps")
        && let Some(profile) = deps.parent()
    {
        return profile.to_owned();
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    target.join(if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    })
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
