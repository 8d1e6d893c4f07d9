//! Splitting one input into JSON documents, without decoding them.
//!
//! The first non-blank line decides the layout: a line that is a complete JSON value on its own
//! makes the input JSON Lines, read one bounded line at a time; anything else is a stream of
//! (possibly pretty-printed) documents read with serde_json's `StreamDeserializer`, one document
//! in memory at a time. In both layouts a top-level array stands for its elements. Memory stays
//! bounded by the document size limit, whatever the size of the input.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};

use serde_json::value::RawValue;
use streamhooks_events::DecodeError;

/// One piece of an input: a document to decode, or what went wrong before decoding.
#[derive(Debug)]
pub(crate) struct Piece<'a> {
    /// The 1-based line where the document (or array element) starts.
    pub(crate) line: usize,
    /// For an element of a top-level array, its index.
    pub(crate) index: Option<usize>,
    /// Bytes of this input read so far.
    pub(crate) bytes_read: u64,
    /// The document, or the problem.
    pub(crate) body: Body<'a>,
}

/// What a [`Piece`] holds.
#[derive(Debug)]
pub(crate) enum Body<'a> {
    /// One JSON document (a JSON Lines line may still be invalid JSON: the decoder says so).
    Document(&'a [u8]),
    /// Something that failed before any decoding.
    Problem(Problem),
}

/// Failures found while splitting, before decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Invalid JSON, positioned in the input (not in the document).
    Json {
        /// A [`DecodeError::Json`].
        error: DecodeError,
        /// Whether the rest of the input is skipped: in a document stream there is no way to
        /// find where the next document starts after a syntax error.
        rest_skipped: bool,
    },
    /// A JSON Lines line longer than the limit; it is skipped without being held.
    LineTooLarge {
        /// The limit in bytes.
        limit: usize,
        /// The line's length in bytes, without its newline.
        actual: u64,
    },
    /// A document in a document stream grew past the limit; the rest of the input is skipped.
    DocumentTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Json {
                error,
                rest_skipped,
            } => {
                write!(f, "{error}")?;
                if *rest_skipped {
                    f.write_str(" (the rest of this input is skipped)")?;
                }
                Ok(())
            }
            Problem::LineTooLarge { limit, actual } => {
                write!(f, "line is too large: {actual} > {limit} bytes (skipped)")
            }
            Problem::DocumentTooLarge { limit } => write!(
                f,
                "document is larger than {limit} bytes (the rest of this input is skipped)"
            ),
        }
    }
}

/// Why splitting stopped early.
#[derive(Debug)]
pub(crate) enum SplitError {
    /// The input could not be read.
    Read(io::Error),
    /// The consumer of the pieces failed (writing output).
    Output(io::Error),
}

/// Receives each piece in input order; an error stops the split as [`SplitError::Output`].
pub(crate) type Emit<'e> = dyn FnMut(Piece<'_>) -> io::Result<()> + 'e;

/// Splits `reader` into pieces, handing each to `emit`. No document larger than `max` bytes is
/// held in memory.
pub(crate) fn split(
    reader: &mut dyn BufRead,
    max: usize,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    let mut line = Vec::new();
    let mut at = Position::default();
    loop {
        let Some(info) = read_line(reader, &mut line, max).map_err(SplitError::Read)? else {
            return Ok(());
        };
        let before = at;
        at.advance(&info);
        if info.blank {
            continue;
        }
        // An over-long first line is most likely minified JSON: treat the input as JSON Lines
        // rather than try to hold the line.
        if info.too_long || serde_json::from_slice::<&RawValue>(&line).is_ok() {
            emit_line(&line, &info, at, max, emit)?;
            return json_lines(reader, line, at, max, emit);
        }
        return documents(&line, info.terminated, reader, before, max, emit);
    }
}

/// Where the splitter is: the number of lines and bytes read so far.
#[derive(Debug, Default, Clone, Copy)]
struct Position {
    lines: usize,
    bytes: u64,
}

impl Position {
    fn advance(&mut self, info: &LineInfo) {
        self.lines += 1;
        self.bytes += info.len + u64::from(info.terminated);
    }
}

fn json_lines(
    reader: &mut dyn BufRead,
    mut line: Vec<u8>,
    mut at: Position,
    max: usize,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    while let Some(info) = read_line(reader, &mut line, max).map_err(SplitError::Read)? {
        at.advance(&info);
        if !info.blank {
            emit_line(&line, &info, at, max, emit)?;
        }
    }
    Ok(())
}

fn emit_line(
    line: &[u8],
    info: &LineInfo,
    at: Position,
    max: usize,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    if info.too_long {
        let problem = Problem::LineTooLarge {
            limit: max,
            actual: info.len,
        };
        return emit_problem(problem, at.lines, at.bytes, emit);
    }
    emit_document(line, at.lines, at.bytes, emit)
}

/// Hands on one document, or each element of a top-level array.
fn emit_document(
    doc: &[u8],
    line: usize,
    bytes_read: u64,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    if doc.trim_ascii_start().first() != Some(&b'[') {
        let piece = Piece {
            line,
            index: None,
            bytes_read,
            body: Body::Document(doc),
        };
        return emit(piece).map_err(SplitError::Output);
    }
    let elements = match serde_json::from_slice::<Vec<&RawValue>>(doc) {
        Ok(elements) => elements,
        Err(e) => {
            let problem = Problem::Json {
                error: at_line(DecodeError::from_json(&e), line),
                rest_skipped: false,
            };
            return emit_problem(problem, line, bytes_read, emit);
        }
    };
    // Elements borrow from `doc`, so their offsets give the line each one starts on.
    let mut counted = 0;
    let mut element_line = line;
    for (index, element) in elements.iter().enumerate() {
        let element = element.get().as_bytes();
        let offset = offset_in(doc, element).max(counted);
        element_line += count_newlines(doc.get(counted..offset).unwrap_or_default());
        counted = offset;
        let piece = Piece {
            line: element_line,
            index: Some(index),
            bytes_read,
            body: Body::Document(element),
        };
        emit(piece).map_err(SplitError::Output)?;
    }
    Ok(())
}

fn emit_problem(
    problem: Problem,
    line: usize,
    bytes_read: u64,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    let piece = Piece {
        line,
        index: None,
        bytes_read,
        body: Body::Problem(problem),
    };
    emit(piece).map_err(SplitError::Output)
}

/// Makes a [`DecodeError::Json`] position, relative to a document starting at `first_line`,
/// relative to the input instead. Other errors are returned unchanged.
pub(crate) fn at_line(error: DecodeError, first_line: usize) -> DecodeError {
    match error {
        DecodeError::Json {
            line,
            column,
            reason,
        } => DecodeError::Json {
            // serde_json reports line 0 for errors with no position.
            line: first_line + line.saturating_sub(1),
            column,
            reason,
        },
        other => other,
    }
}

/// Where `part`, a subslice of `whole`, starts in it.
fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(whole.as_ptr() as usize)
        .min(whole.len())
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Reads the documents of a non-line input: `first` (the first non-blank line, already read)
/// then the rest of `rest`. `before` is where `first` starts.
fn documents(
    first: &[u8],
    terminated: bool,
    rest: &mut dyn BufRead,
    before: Position,
    max: usize,
    emit: &mut Emit<'_>,
) -> Result<(), SplitError> {
    let newline: &[u8] = if terminated { b"\n" } else { b"" };
    let mut input = first.chain(newline).chain(rest);
    let first_line = before.lines + 1;
    let tracker = Tracker::new(first_line, max);
    let reader = Tracked {
        inner: &mut input,
        tracker: &tracker,
    };
    let stream = serde_json::Deserializer::from_reader(reader).into_iter::<Box<RawValue>>();
    for next in stream {
        let bytes_read = before.bytes + tracker.bytes.get();
        match next {
            Ok(doc) => {
                emit_document(
                    doc.get().as_bytes(),
                    tracker.document_line(),
                    bytes_read,
                    emit,
                )?;
                tracker.next_document();
            }
            Err(_) if tracker.overflowed.get() => {
                let problem = Problem::DocumentTooLarge { limit: max };
                return emit_problem(problem, tracker.document_line(), bytes_read, emit);
            }
            Err(e) if e.is_io() => return Err(SplitError::Read(e.into())),
            Err(e) => {
                let error = at_line(DecodeError::from_json(&e), first_line);
                let line = match &error {
                    DecodeError::Json { line, .. } => *line,
                    _ => tracker.document_line(),
                };
                let problem = Problem::Json {
                    error,
                    rest_skipped: true,
                };
                return emit_problem(problem, line, bytes_read, emit);
            }
        }
    }
    Ok(())
}

/// Watches the bytes serde_json reads: counts lines, notes where each document starts, and
/// refuses to read past `max` bytes of one document, so that a huge document fails instead of
/// filling memory.
struct Tracker {
    first_line: usize,
    max: u64,
    bytes: Cell<u64>,
    newlines: Cell<usize>,
    /// Offset and line of the current document's first byte, once seen.
    start: Cell<Option<(u64, usize)>>,
    overflowed: Cell<bool>,
}

impl Tracker {
    fn new(first_line: usize, max: usize) -> Tracker {
        Tracker {
            first_line,
            max: u64::try_from(max).unwrap_or(u64::MAX),
            bytes: Cell::new(0),
            newlines: Cell::new(0),
            start: Cell::new(None),
            overflowed: Cell::new(false),
        }
    }

    fn track(&self, byte: u8) -> io::Result<()> {
        let offset = self.bytes.get();
        self.bytes.set(offset + 1);
        if byte == b'\n' {
            self.newlines.set(self.newlines.get() + 1);
        }
        match self.start.get() {
            None if !byte.is_ascii_whitespace() => {
                let line = self.first_line + self.newlines.get();
                self.start.set(Some((offset, line)));
            }
            Some((start, _)) if offset - start >= self.max => {
                self.overflowed.set(true);
                return Err(io::Error::other("document too large"));
            }
            _ => {}
        }
        Ok(())
    }

    /// The line where the current document starts (or the current line, before it starts).
    fn document_line(&self) -> usize {
        match self.start.get() {
            Some((_, line)) => line,
            None => self.first_line + self.newlines.get(),
        }
    }

    fn next_document(&self) {
        self.start.set(None);
    }
}

struct Tracked<'a> {
    inner: &'a mut dyn Read,
    tracker: &'a Tracker,
}

impl Read for Tracked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in buf.iter().take(n) {
            self.tracker.track(byte)?;
        }
        Ok(n)
    }
}

/// One line as [`read_line`] saw it.
#[derive(Debug)]
struct LineInfo {
    /// Length in bytes, without the newline.
    len: u64,
    /// Whether a newline ended it (the last line of an input may have none).
    terminated: bool,
    /// Whether it holds only whitespace.
    blank: bool,
    /// Whether it is longer than the limit; then the buffer is left empty.
    too_long: bool,
}

/// Reads one line into `buf` (without its newline), holding at most `max` bytes of it: the rest
/// of a longer line is read and dropped. `None` at the end of the input.
fn read_line(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<LineInfo>> {
    buf.clear();
    let mut len: u64 = 0;
    let mut blank = true;
    let mut too_long = false;
    let mut terminated = false;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let (part, used) = match chunk.iter().position(|&b| b == b'\n') {
            Some(end) => {
                terminated = true;
                (chunk.get(..end).unwrap_or_default(), end + 1)
            }
            None => (chunk, chunk.len()),
        };
        blank = blank && part.iter().all(u8::is_ascii_whitespace);
        len += part.len() as u64;
        if !too_long && buf.len() + part.len() > max {
            too_long = true;
            buf.clear();
        }
        if !too_long {
            buf.extend_from_slice(part);
        }
        reader.consume(used);
        if terminated {
            break;
        }
    }
    if len == 0 && !terminated {
        return Ok(None);
    }
    Ok(Some(LineInfo {
        len,
        terminated,
        blank,
        too_long,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a piece looked like, for comparisons.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Doc(usize, Option<usize>, String),
        Problem(usize, Problem),
    }

    fn split_all(input: &[u8], max: usize) -> Vec<Seen> {
        let mut seen = Vec::new();
        let mut reader = input;
        let result = split(&mut reader, max, &mut |piece| {
            seen.push(match piece.body {
                Body::Document(doc) => Seen::Doc(
                    piece.line,
                    piece.index,
                    String::from_utf8_lossy(doc).into_owned(),
                ),
                Body::Problem(problem) => Seen::Problem(piece.line, problem),
            });
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        seen
    }

    fn doc(line: usize, text: &str) -> Seen {
        Seen::Doc(line, None, text.into())
    }

    fn element(line: usize, index: usize, text: &str) -> Seen {
        Seen::Doc(line, Some(index), text.into())
    }

    fn json_error(seen: &Seen) -> (usize, usize, usize, bool) {
        match seen {
            Seen::Problem(
                at,
                Problem::Json {
                    error: DecodeError::Json { line, column, .. },
                    rest_skipped,
                },
            ) => (*at, *line, *column, *rest_skipped),
            other => panic!("expected a JSON problem, got {other:?}"),
        }
    }

    #[test]
    fn json_lines_are_split_per_line_with_their_line_numbers() {
        let input = b"\n  \n{\"a\":1}\n\n{\"b\":2}\r\n  {\"c\":3}";
        assert_eq!(
            split_all(input, 1024),
            vec![
                doc(3, "{\"a\":1}"),
                doc(5, "{\"b\":2}\r"),
                doc(6, "  {\"c\":3}"),
            ]
        );
    }

    #[test]
    fn json_lines_keep_going_after_a_bad_line() {
        // Invalid lines are passed on: the decoder reports them with their position.
        let input = b"{\"a\":1}\n{\"a\":\n{\"c\":3}\n";
        assert_eq!(
            split_all(input, 1024),
            vec![doc(1, "{\"a\":1}"), doc(2, "{\"a\":"), doc(3, "{\"c\":3}")]
        );
    }

    #[test]
    fn invalid_utf8_lines_are_passed_on_not_dropped() {
        let input = b"{\"a\":1}\n{\"a\":\"\xff\xfe\"}\n\xc3\x28\n{\"c\":3}\n";
        let seen = split_all(input, 1024);
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[3], doc(4, "{\"c\":3}"));
        // Also when the first line is the invalid one: then it is a document stream that
        // fails at once, with a position.
        let seen = split_all(b"\xff{}\n{}\n", 1024);
        assert_eq!(json_error(&seen[0]), (1, 1, 1, true));
    }

    #[test]
    fn a_pretty_printed_document_stream_is_read_whole_documents_at_a_time() {
        let input = b"\n{\n  \"a\": 1\n}\n\n  {\"b\":\n 2}{\"c\":3}\n[\n  {\"d\": 4},\n\n  {\"e\": 5}, 6\n]\n";
        assert_eq!(
            split_all(input, 1024),
            vec![
                doc(2, "{\n  \"a\": 1\n}"),
                doc(6, "{\"b\":\n 2}"),
                doc(7, "{\"c\":3}"),
                element(9, 0, "{\"d\": 4}"),
                element(11, 1, "{\"e\": 5}"),
                element(11, 2, "6"),
            ]
        );
    }

    #[test]
    fn arrays_on_a_line_stand_for_their_elements() {
        let input = b"[{\"a\":1}, {\"b\":2}]\n[]\n{\"c\":3}\n[1, oops]\n";
        let seen = split_all(input, 1024);
        assert_eq!(
            &seen[..3],
            &[
                element(1, 0, "{\"a\":1}"),
                element(1, 1, "{\"b\":2}"),
                doc(3, "{\"c\":3}"),
            ]
        );
        // A broken array line is reported where it is, and the next lines still come.
        assert_eq!(json_error(&seen[3]), (4, 4, 5, false));
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn a_syntax_error_at_line_7_of_a_pretty_document_is_reported_at_line_7() {
        let input = b"{\n  \"version\": \"0\",\n  \"id\": \"e-1\",\n  \"detail\": {\n    \"eventType\": \"QUEUED\",\n    \"contactId\": \"c-1\"\n    \"channel\": \"VOICE\"\n  }\n}\n";
        let seen = split_all(input, 1024);
        assert_eq!(seen.len(), 1);
        let (at, line, column, rest_skipped) = json_error(&seen[0]);
        assert_eq!((at, line, column, rest_skipped), (7, 7, 5, true));
        let message = match &seen[0] {
            Seen::Problem(_, problem) => problem.to_string(),
            Seen::Doc(..) => String::new(),
        };
        assert!(
            message.starts_with("invalid JSON at line 7, column 5: expected `,` or `}`"),
            "{message}"
        );
    }

    #[test]
    fn line_numbers_count_blank_lines_before_a_document_stream() {
        let input = b"\n\n\n{\n\"a\": 1,\n}\n";
        let seen = split_all(input, 1024);
        assert_eq!(json_error(&seen[0]), (6, 6, 1, true));
    }

    #[test]
    fn a_truncated_last_document_keeps_the_ones_before() {
        let input = b"{\n  \"a\": 1\n}\n{\n  \"b\": [1,\n";
        let seen = split_all(input, 1024);
        assert_eq!(seen[0], doc(1, "{\n  \"a\": 1\n}"));
        assert_eq!(seen.len(), 2);
        let (_, line, _, rest_skipped) = json_error(&seen[1]);
        assert_eq!((line, rest_skipped), (6, true));
        // The same in JSON Lines: the last line is passed on for the decoder to report.
        let seen = split_all(b"{\"a\":1}\n{\"b\":[1,", 1024);
        assert_eq!(seen, vec![doc(1, "{\"a\":1}"), doc(2, "{\"b\":[1,")]);
    }

    #[test]
    fn oversize_lines_are_reported_and_skipped() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"a\":1}}\n{long}\n{{\"c\":3}}\n{}\n", " ".repeat(200));
        assert_eq!(
            split_all(input.as_bytes(), 50),
            vec![
                doc(1, "{\"a\":1}"),
                Seen::Problem(
                    2,
                    Problem::LineTooLarge {
                        limit: 50,
                        actual: 108
                    }
                ),
                doc(3, "{\"c\":3}"),
            ]
        );
        // An oversize first line makes the input JSON Lines.
        let input = format!("{long}\n{{\"c\":3}}\n");
        let seen = split_all(input.as_bytes(), 50);
        assert_eq!(seen[1], doc(2, "{\"c\":3}"));
        // A line of exactly the limit is accepted.
        assert_eq!(split_all(b"{\"a\":1}\n", 7), vec![doc(1, "{\"a\":1}")]);
    }

    #[test]
    fn oversize_documents_in_a_stream_stop_the_input() {
        let input = format!(
            "{{\n\"a\": 1}}\n{{\n\"b\": \"{}\"\n}}\n{{}}\n",
            "x".repeat(100)
        );
        assert_eq!(
            split_all(input.as_bytes(), 50),
            vec![
                doc(1, "{\n\"a\": 1}"),
                Seen::Problem(3, Problem::DocumentTooLarge { limit: 50 }),
            ]
        );
    }

    #[test]
    fn empty_and_blank_inputs_have_no_pieces() {
        assert!(split_all(b"", 10).is_empty());
        assert!(split_all(b"\n \r\n\t\n", 10).is_empty());
    }

    #[test]
    fn read_errors_are_told_apart_from_output_errors() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let mut reader = io::BufReader::new(b"{\"a\":1}\n".chain(Failing));
        let result = split(&mut reader, 100, &mut |_| Ok(()));
        assert!(matches!(result, Err(SplitError::Read(_))), "{result:?}");
        let mut reader = io::BufReader::new(b"{\n\"a\":1}\n".chain(Failing));
        let result = split(&mut reader, 100, &mut |_| Ok(()));
        assert!(matches!(result, Err(SplitError::Read(_))), "{result:?}");
        let mut reader: &[u8] = b"{}\n{}\n";
        let result = split(&mut reader, 100, &mut |_| {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        });
        assert!(matches!(result, Err(SplitError::Output(_))), "{result:?}");
    }
}
