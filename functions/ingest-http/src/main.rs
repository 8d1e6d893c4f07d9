//! The ingest-http Lambda function (being built).
fn main() {}
