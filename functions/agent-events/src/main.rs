//! `agent-events`: the Kinesis event source for the Amazon Connect agent event stream, with partial batch responses.
//! Wiring only: the handlers are in `streamhooks-service`, the set-up in `streamhooks-lambda`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    streamhooks_lambda::main(streamhooks_lambda::Function::AgentEvents).await
}
