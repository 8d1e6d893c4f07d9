//! `ingest-http`: the Lambda Function URL for Streams clients (authenticated batches in, directives out).
//! Wiring only: the handlers are in `streamhooks-service`, the set-up in `streamhooks-lambda`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    streamhooks_lambda::main(streamhooks_lambda::Function::IngestHttp).await
}
