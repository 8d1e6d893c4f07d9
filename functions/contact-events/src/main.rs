//! `contact-events`: the EventBridge rule target for Amazon Connect contact events and Contact Lens rule matches.
//! Wiring only: the handlers are in `streamhooks-service`, the set-up in `streamhooks-lambda`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    streamhooks_lambda::main(streamhooks_lambda::Function::ContactEvents).await
}
