//! Decode errors: each names what is wrong and where (a path into the input document).

/// Why a document, record or batch entry could not be decoded.
///
/// `path` fields use dotted keys and `[index]` (`Records[2].kinesis.data`); inside a base64
/// Kinesis payload the path continues after `→` (`Records[0].kinesis.data→EventType`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not JSON.
    #[error("invalid JSON at line {line}, column {column}: {reason}")]
    Json {
        /// Line in the document (1-based).
        line: usize,
        /// Column in the line (1-based).
        column: usize,
        /// What the parser said.
        reason: String,
    },
    /// The input is larger than the decoder accepts.
    #[error("{what} is too large: {actual} > {limit}")]
    TooLarge {
        /// What is too large (`document`, `events`, `Records` ...).
        what: String,
        /// The limit.
        limit: usize,
        /// The size found (bytes or entries).
        actual: usize,
    },
    /// The document is JSON but matches no supported source format.
    #[error(
        "unrecognised event format ({found}): expected an EventBridge event (`detail-type`), a \
         Kinesis event or record (`Records`, `kinesis.data`), an agent event stream record \
         (`EventType`, `AgentARN`) or a streamhooks Streams batch (`format`)"
    )]
    UnknownFormat {
        /// A short description of what was found (`an array`, `an object with keys a, b`).
        found: String,
    },
    /// A required field is absent (or null).
    #[error("{path}: required field is missing")]
    Missing {
        /// Where the field should be.
        path: String,
    },
    /// A field has the wrong JSON type.
    #[error("{path}: expected {expected}, found {found}")]
    Type {
        /// The field.
        path: String,
        /// What was expected (`a string`, `an object` ...).
        expected: &'static str,
        /// What was found.
        found: &'static str,
    },
    /// A field has the right type but a value that cannot be accepted.
    #[error("{path}: {reason}")]
    Invalid {
        /// The field.
        path: String,
        /// Why it is rejected.
        reason: String,
    },
}

impl DecodeError {
    /// Wraps a serde_json parse error with its position.
    pub fn from_json(err: &serde_json::Error) -> DecodeError {
        let text = err.to_string();
        // serde_json appends " at line L column C"; keep the reason once.
        let reason = match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        DecodeError::Json {
            line: err.line(),
            column: err.column(),
            reason,
        }
    }

    /// The path the error points at, where it has one.
    pub fn path(&self) -> Option<&str> {
        match self {
            DecodeError::Missing { path }
            | DecodeError::Type { path, .. }
            | DecodeError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}
