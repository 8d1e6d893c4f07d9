//! Tolerant, path-aware access to JSON values.
//!
//! AWS's own samples spell the same key `contactId`, `ContactId` and `contactID`, so lookups
//! try the exact key first and then an ASCII case-insensitive match. Every accessor knows its
//! path, rendered only when an error is built, so a hot decode allocates no paths.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::error::DecodeError;

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root(&'a str),
    Key(&'a str),
    Index(usize),
}

/// A JSON value and where it is in its document.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    pub(crate) value: &'a Value,
    parent: Option<&'a Node<'a>>,
    seg: Seg<'a>,
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.path())
    }
}

impl<'a> Node<'a> {
    /// The root of a document; `label` prefixes every path (may be empty).
    pub(crate) fn root(value: &'a Value, label: &'a str) -> Node<'a> {
        Node {
            value,
            parent: None,
            seg: Seg::Root(label),
        }
    }

    /// The path of this node, for error messages.
    pub(crate) fn path(&self) -> String {
        let mut segs = Vec::new();
        let mut cur = Some(self);
        while let Some(n) = cur {
            segs.push(n.seg);
            cur = n.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root(label) => out.push_str(label),
                Seg::Key(k) => {
                    if !(out.is_empty() || out.ends_with('→')) {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        if out.is_empty() {
            out.push_str("(document)");
        }
        out
    }

    pub(crate) fn missing(&self, key: &str) -> DecodeError {
        let base = self.path();
        let path = if base == "(document)" {
            key.to_owned()
        } else if base.ends_with('→') {
            format!("{base}{key}")
        } else {
            format!("{base}.{key}")
        };
        DecodeError::Missing { path }
    }

    pub(crate) fn type_error(&self, expected: &'static str) -> DecodeError {
        DecodeError::Type {
            path: self.path(),
            expected,
            found: type_name(self.value),
        }
    }

    pub(crate) fn invalid(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError::Invalid {
            path: self.path(),
            reason: reason.into(),
        }
    }

    /// Finds member `key` (exact spelling first, then ASCII case-insensitive), skipping nulls.
    fn find(&self, key: &str) -> Option<(&'a str, &'a Value)> {
        let map = self.value.as_object()?;
        let (k, v) = match map.get_key_value(key) {
            Some(kv) => kv,
            None => map.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?,
        };
        (!v.is_null()).then_some((k.as_str(), v))
    }

    fn child<'b>(&'b self, key: &'a str, value: &'a Value) -> Node<'b> {
        Node {
            value,
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    /// The member `key` (exact spelling first, then ASCII case-insensitive); `None` when absent
    /// or null, and when this node is not an object.
    pub(crate) fn get<'b>(&'b self, key: &str) -> Option<Node<'b>> {
        let (k, v) = self.find(key)?;
        Some(self.child(k, v))
    }

    /// The raw value of member `key`, borrowed for as long as the document.
    pub(crate) fn get_value(&self, key: &str) -> Option<&'a Value> {
        self.find(key).map(|(_, v)| v)
    }

    /// Like [`Node::get`] but trying several spellings that differ beyond case
    /// (`detail-type` / `detailType`).
    pub(crate) fn get_any<'b>(&'b self, keys: &[&str]) -> Option<Node<'b>> {
        keys.iter().find_map(|k| self.get(k))
    }

    /// The member `key`, which must be present.
    pub(crate) fn req<'b>(&'b self, key: &str) -> Result<Node<'b>, DecodeError> {
        self.get(key).ok_or_else(|| self.missing(key))
    }

    pub(crate) fn is_object(&self) -> bool {
        self.value.is_object()
    }

    /// This node as an object; an error naming the path otherwise.
    pub(crate) fn expect_object(&self) -> Result<&'a serde_json::Map<String, Value>, DecodeError> {
        self.value
            .as_object()
            .ok_or_else(|| self.type_error("an object"))
    }

    /// This node as a string.
    pub(crate) fn as_str(&self) -> Result<&'a str, DecodeError> {
        self.value
            .as_str()
            .ok_or_else(|| self.type_error("a string"))
    }

    /// This node as a non-empty string.
    pub(crate) fn as_nonempty_str(&self) -> Result<&'a str, DecodeError> {
        let s = self.as_str()?;
        if s.trim().is_empty() {
            return Err(self.invalid("must not be empty"));
        }
        Ok(s)
    }

    /// The string member `key`, if present; an error if present with another type.
    pub(crate) fn opt_str(&self, key: &str) -> Result<Option<&'a str>, DecodeError> {
        match self.find(key) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s)),
            Some((k, v)) => Err(self.child(k, v).type_error("a string")),
        }
    }

    /// The string member `key`, if present and non-empty (empty strings read as absent).
    pub(crate) fn opt_string(&self, key: &str) -> Result<Option<String>, DecodeError> {
        Ok(self
            .opt_str(key)?
            .filter(|s| !s.is_empty())
            .map(str::to_owned))
    }

    /// The string member `key`, which must be present and non-empty.
    pub(crate) fn req_str(&self, key: &str) -> Result<&'a str, DecodeError> {
        match self.find(key) {
            None => Err(self.missing(key)),
            Some((_, Value::String(s))) if !s.trim().is_empty() => Ok(s),
            Some((k, v)) => {
                let child = self.child(k, v);
                Err(match v {
                    Value::String(_) => child.invalid("must not be empty"),
                    _ => child.type_error("a string"),
                })
            }
        }
    }

    /// The boolean member `key`, if present.
    pub(crate) fn opt_bool(&self, key: &str) -> Result<Option<bool>, DecodeError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => n
                .value
                .as_bool()
                .map(Some)
                .ok_or_else(|| n.type_error("a boolean")),
        }
    }

    /// This node as a timestamp: an RFC 3339 string, or a number of milliseconds since the
    /// Unix epoch (what `Date.getTime()` gives).
    pub(crate) fn as_timestamp(&self) -> Result<DateTime<Utc>, DecodeError> {
        match self.value {
            Value::String(s) => DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| self.invalid(format!("`{s}` is not an RFC 3339 timestamp ({e})"))),
            Value::Number(n) => n
                .as_i64()
                .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                .ok_or_else(|| self.invalid(format!("{n} is not a time in epoch milliseconds"))),
            _ => Err(self.type_error("a timestamp (RFC 3339 string or epoch milliseconds)")),
        }
    }

    /// The timestamp member `key`, if present.
    pub(crate) fn opt_timestamp(&self, key: &str) -> Result<Option<DateTime<Utc>>, DecodeError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => n.as_timestamp().map(Some),
        }
    }

    /// This node's elements (an error if it is not an array).
    pub(crate) fn items(&'a self) -> Result<impl Iterator<Item = Node<'a>> + 'a, DecodeError> {
        let arr = self
            .value
            .as_array()
            .ok_or_else(|| self.type_error("an array"))?;
        Ok(arr.iter().enumerate().map(move |(i, value)| Node {
            value,
            parent: Some(self),
            seg: Seg::Index(i),
        }))
    }

    /// The number of elements, if this is an array.
    pub(crate) fn len(&self) -> Option<usize> {
        self.value.as_array().map(Vec::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookups_are_case_tolerant_and_paths_render() {
        let v = json!({"Detail": {"ContactId": "c-1", "agentInfo": null, "list": [{"x": 1}]}});
        let root = Node::root(&v, "");
        let detail = root.req("detail").unwrap();
        assert_eq!(detail.req_str("contactId").unwrap(), "c-1");
        assert!(detail.get("agentInfo").is_none(), "null reads as absent");
        let err = detail.req("agentInfo").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Detail.agentInfo: required field is missing"
        );
        let list = detail.req("list").unwrap();
        let first = list.items().unwrap().next().unwrap();
        let x = first.req("x").unwrap();
        assert_eq!(
            x.as_str().unwrap_err().to_string(),
            "Detail.list[0].x: expected a string, found a number"
        );
    }

    #[test]
    fn root_labels_prefix_paths() {
        let v = json!({"EventType": 5});
        let root = Node::root(&v, "Records[3].kinesis.data→");
        assert_eq!(
            root.req("EventType")
                .unwrap()
                .as_str()
                .unwrap_err()
                .to_string(),
            "Records[3].kinesis.data→EventType: expected a string, found a number"
        );
        assert_eq!(
            root.req("Missing").unwrap_err().to_string(),
            "Records[3].kinesis.data→Missing: required field is missing"
        );
    }

    #[test]
    fn timestamps() {
        let v = json!({"a": "2021-08-04T17:43:48Z", "b": 1628099028000_i64, "c": "yesterday", "d": true});
        let root = Node::root(&v, "");
        let a = root.opt_timestamp("a").unwrap().unwrap();
        let b = root.opt_timestamp("b").unwrap().unwrap();
        assert_eq!(a, b);
        assert!(
            root.opt_timestamp("c")
                .unwrap_err()
                .to_string()
                .contains("RFC 3339")
        );
        assert!(root.opt_timestamp("d").is_err());
        assert_eq!(root.opt_timestamp("zz").unwrap(), None);
    }
}
