//! The DynamoDB adapter against a real DynamoDB-compatible server: moto's, started on
//! 127.0.0.1 by `support/moto.rs` (install it with `python3 -m pip install 'moto[server]>=5,<6'`).

#[path = "../support/moto.rs"]
mod moto;

mod conformance;
mod errors;
mod mailbox;
mod state;

use std::time::Duration;

use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use streamhooks_dynamodb::DynamoStore;

/// A store on the shared moto server's state table (shared by every test: ids are unique).
///
/// The production client's timeouts (2 s per attempt) are DynamoDB's scale; moto, a Python
/// server on a loaded 2-core CI machine, once took longer for a 100-item transaction. These
/// tests are about behaviour, so their client waits longer; `errors.rs` tests the production
/// timeouts themselves against a stand-in that stalls.
async fn store() -> DynamoStore {
    let moto = moto::Moto::shared();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(60))
        .build();
    // `from_sdk_config` would put the production timeouts back: build the client here.
    let conf = aws_sdk_dynamodb::config::Builder::from(&moto.sdk_config().await)
        .timeout_config(timeouts)
        .build();
    DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), moto::TABLE)
}
