//! The agent-events Lambda function (being built).
fn main() {}
