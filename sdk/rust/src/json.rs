//! A tiny JSON object writer for action payloads (`crm` fields, `publish` details), so guests
//! stay small without serde.
//!
//! ```
//! use streamhooks_sdk::json::JsonObject;
//!
//! let fields = JsonObject::new()
//!     .string("Subject", "Call with \"Ann\"")
//!     .int("DurationSeconds", 95)
//!     .bool("Inbound", true)
//!     .opt_string("Disposition", None)
//!     .build();
//! assert_eq!(fields, r#"{"Subject":"Call with \"Ann\"","DurationSeconds":95,"Inbound":true}"#);
//! ```

use std::fmt::Write as _;

/// Builds one JSON object, member by member, in insertion order.
///
/// ```
/// let json = streamhooks_sdk::json::JsonObject::new().string("a", "b").build();
/// assert_eq!(json, r#"{"a":"b"}"#);
/// ```
#[derive(Clone, Debug)]
pub struct JsonObject {
    buf: String,
}

impl JsonObject {
    /// An empty object.
    ///
    /// ```
    /// assert_eq!(streamhooks_sdk::json::JsonObject::new().build(), "{}");
    /// ```
    pub fn new() -> Self {
        JsonObject {
            buf: String::from("{"),
        }
    }

    fn key(mut self, key: &str) -> Self {
        if self.buf.len() > 1 {
            self.buf.push(',');
        }
        write_string(&mut self.buf, key);
        self.buf.push(':');
        self
    }

    /// Adds a string member.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().string("k", "line\n").build();
    /// assert_eq!(json, r#"{"k":"line\n"}"#);
    /// ```
    pub fn string(self, key: &str, value: &str) -> Self {
        let mut this = self.key(key);
        write_string(&mut this.buf, value);
        this
    }

    /// Adds a string member when `value` is `Some`; nothing otherwise.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().opt_string("k", None).build();
    /// assert_eq!(json, "{}");
    /// ```
    pub fn opt_string(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.string(key, v),
            None => self,
        }
    }

    /// Adds an integer member.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().int("n", -3).build();
    /// assert_eq!(json, r#"{"n":-3}"#);
    /// ```
    pub fn int(self, key: &str, value: i64) -> Self {
        let mut this = self.key(key);
        let _ = write!(this.buf, "{value}");
        this
    }

    /// Adds an integer member when `value` is `Some`; nothing otherwise.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().opt_int("n", Some(1)).build();
    /// assert_eq!(json, r#"{"n":1}"#);
    /// ```
    pub fn opt_int(self, key: &str, value: Option<i64>) -> Self {
        match value {
            Some(v) => self.int(key, v),
            None => self,
        }
    }

    /// Adds a boolean member.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().bool("b", false).build();
    /// assert_eq!(json, r#"{"b":false}"#);
    /// ```
    pub fn bool(self, key: &str, value: bool) -> Self {
        let mut this = self.key(key);
        this.buf.push_str(if value { "true" } else { "false" });
        this
    }

    /// Adds a `null` member.
    ///
    /// ```
    /// let json = streamhooks_sdk::json::JsonObject::new().null("x").build();
    /// assert_eq!(json, r#"{"x":null}"#);
    /// ```
    pub fn null(self, key: &str) -> Self {
        let mut this = self.key(key);
        this.buf.push_str("null");
        this
    }

    /// Adds a member whose value is already JSON (another [`JsonObject`], an array ...). The
    /// caller vouches that `json` is valid.
    ///
    /// ```
    /// use streamhooks_sdk::json::JsonObject;
    /// let inner = JsonObject::new().int("a", 1).build();
    /// let json = JsonObject::new().raw("inner", &inner).build();
    /// assert_eq!(json, r#"{"inner":{"a":1}}"#);
    /// ```
    pub fn raw(self, key: &str, json: &str) -> Self {
        let mut this = self.key(key);
        this.buf.push_str(json);
        this
    }

    /// The finished object.
    ///
    /// ```
    /// let json: String = streamhooks_sdk::json::JsonObject::new().build();
    /// ```
    pub fn build(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

impl Default for JsonObject {
    fn default() -> Self {
        Self::new()
    }
}

/// `value` as a JSON string literal, quotes included.
///
/// ```
/// assert_eq!(streamhooks_sdk::json::string("a\"b\u{1}"), r#""a\"b\u0001""#);
/// ```
pub fn string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    write_string(&mut out, value);
    out
}

fn write_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_and_keeps_unicode() {
        let json = JsonObject::new().string("k\"", "é\u{7}\\").build();
        assert_eq!(json, "{\"k\\\"\":\"é\\u0007\\\\\"}");
    }
}
