//! The contact-events Lambda function (being built).
fn main() {}
