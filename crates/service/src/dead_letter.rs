//! Dead letters: what streamhooks could not handle, sent where an operator can see it and act.
//!
//! The functions send dead letters as EventBridge events (source `streamhooks`, detail-type
//! `Streamhooks Dead Letter`) on the configured bus; the SAM template routes them to an SQS
//! queue. [`PublisherDeadLetters`] does that over the executor's [`EventPublisher`] port, so
//! the same adapter serves `publish` actions and dead letters.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use serde::Serialize;
use serde_json::Value;
use streamhooks_executor::ports::{BoxFuture, EventPublisher, PublishEntry};

/// The `source` of dead-letter events.
pub const DEAD_LETTER_SOURCE: &str = "streamhooks";
/// The `detail-type` of dead-letter events.
pub const DEAD_LETTER_DETAIL_TYPE: &str = "Streamhooks Dead Letter";
/// EventBridge refuses entries over 256 KB; a dead letter's `input` is cut to this many bytes
/// (and marked `input_truncated`) so the letter itself always fits.
pub const MAX_INPUT_BYTES: usize = 200 * 1024;

/// Why something became a dead letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadLetterReason {
    /// Input that could not be decoded (retrying cannot help).
    Undecodable,
    /// An action that failed for good (a permanent error: validation, access denied ...).
    ActionFailed,
    /// A plugin's state writes that the store refused for good (the event's actions were
    /// executed; the plugin's state is as it was before the event).
    StateRefused,
    /// A client directive the agent's browser reported it could not run, or would not (not
    /// in the page's allowlist, the contact gone ...).
    DirectiveFailed,
}

/// One dead letter. `detail` of the EventBridge event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadLetter {
    /// Why.
    pub reason: DeadLetterReason,
    /// The function that wrote it (`AWS_LAMBDA_FUNCTION_NAME`, or `streamhooks` locally).
    pub function: String,
    /// The event, where one was decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The event's kind, where one was decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The plugin, for actions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The action's index in the plugin's result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// The action, as the plugin decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Value>,
    /// The agent, for directives: whose browser reported the failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_arn: Option<String>,
    /// The directive's id, for directives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directive_id: Option<String>,
    /// A stable code (`ValidationException`, `http-400`, `undecodable` ...).
    pub code: String,
    /// What went wrong, and where.
    pub message: String,
    /// The input (a Kinesis record, an EventBridge event), for undecodable input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// Whether `input` was cut to [`MAX_INPUT_BYTES`] (it is then a string prefix).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub input_truncated: bool,
}

impl DeadLetter {
    /// A letter with only what every letter has; the `with_*` methods add the rest.
    pub fn new(
        reason: DeadLetterReason,
        function: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> DeadLetter {
        DeadLetter {
            reason,
            function: function.into(),
            event_id: None,
            kind: None,
            plugin: None,
            index: None,
            action: None,
            agent_arn: None,
            directive_id: None,
            code: code.into(),
            message: message.into(),
            input: None,
            input_truncated: false,
        }
    }

    /// Names the event the letter is about.
    pub fn with_event(mut self, event: &streamhooks_events::Event) -> DeadLetter {
        self.event_id = Some(event.id.clone());
        self.kind = Some(event.kind.as_str().to_owned());
        self
    }

    /// Names the plugin the letter is about.
    pub fn with_plugin(mut self, plugin: impl Into<String>) -> DeadLetter {
        self.plugin = Some(plugin.into());
        self
    }

    /// Sets `input`, cutting it to [`MAX_INPUT_BYTES`] when its JSON is larger.
    pub fn with_input(mut self, input: &Value) -> DeadLetter {
        let text = input.to_string();
        if text.len() <= MAX_INPUT_BYTES {
            self.input = Some(input.clone());
        } else {
            let mut cut = MAX_INPUT_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.input = Some(Value::String(text[..cut].to_owned()));
            self.input_truncated = true;
        }
        self
    }
}

/// Sending dead letters failed: the caller must not acknowledge what they describe, so that
/// the source delivers it again (and, finally, to its own failure destination).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dead letters could not be sent: {0}")]
pub struct DeadLetterError(pub String);

/// Where dead letters go.
pub trait DeadLetters: Send + Sync {
    /// Sends `letters`, all or report failure.
    fn send<'a>(
        &'a self,
        letters: &'a [DeadLetter],
        deadline: Instant,
    ) -> BoxFuture<'a, Result<(), DeadLetterError>>;
}

/// Dead letters as EventBridge events through an [`EventPublisher`].
pub struct PublisherDeadLetters {
    publisher: Arc<dyn EventPublisher>,
}

impl PublisherDeadLetters {
    /// Dead letters through `publisher` (on its bus).
    pub fn new(publisher: Arc<dyn EventPublisher>) -> PublisherDeadLetters {
        PublisherDeadLetters { publisher }
    }
}

impl DeadLetters for PublisherDeadLetters {
    fn send<'a>(
        &'a self,
        letters: &'a [DeadLetter],
        deadline: Instant,
    ) -> BoxFuture<'a, Result<(), DeadLetterError>> {
        Box::pin(async move {
            // One entry per call keeps each under the 256 KB request limit whatever the
            // letters hold; dead letters are rare.
            for letter in letters {
                let entry = PublishEntry {
                    source: DEAD_LETTER_SOURCE.into(),
                    detail_type: DEAD_LETTER_DETAIL_TYPE.into(),
                    detail: serde_json::to_string(letter).unwrap_or_else(|e| {
                        format!(r#"{{"code":"unserializable","message":"{e}"}}"#)
                    }),
                    resources: Vec::new(),
                };
                let results = self
                    .publisher
                    .put_events(std::slice::from_ref(&entry), deadline)
                    .await
                    .map_err(|e| DeadLetterError(e.to_string()))?;
                if let Some(Err(e)) = results.into_iter().next() {
                    return Err(DeadLetterError(e.to_string()));
                }
            }
            Ok(())
        })
    }
}

/// Dead letters kept in memory (and logged): for local runs and tests.
#[derive(Debug, Default)]
pub struct MemoryDeadLetters {
    letters: Mutex<Vec<DeadLetter>>,
    fail: Mutex<Option<String>>,
}

impl MemoryDeadLetters {
    /// An empty sink.
    pub fn new() -> MemoryDeadLetters {
        MemoryDeadLetters::default()
    }

    /// Every letter sent so far.
    pub fn letters(&self) -> Vec<DeadLetter> {
        self.letters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Makes every later `send` fail with `reason` (or succeed again, with `None`).
    pub fn fail_with(&self, reason: Option<&str>) {
        *self.fail.lock().unwrap_or_else(PoisonError::into_inner) = reason.map(str::to_owned);
    }
}

impl DeadLetters for MemoryDeadLetters {
    fn send<'a>(
        &'a self,
        letters: &'a [DeadLetter],
        _deadline: Instant,
    ) -> BoxFuture<'a, Result<(), DeadLetterError>> {
        let result = match self
            .fail
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
        {
            Some(reason) => Err(DeadLetterError(reason)),
            None => {
                for letter in letters {
                    tracing::warn!(
                        reason = ?letter.reason,
                        event_id = letter.event_id.as_deref(),
                        code = %letter.code,
                        message = %letter.message,
                        "dead letter"
                    );
                }
                self.letters
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(letters.iter().cloned());
                Ok(())
            }
        };
        Box::pin(async move { result })
    }
}
