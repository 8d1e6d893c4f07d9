//! The DynamoDB adapter against a real DynamoDB-compatible server: moto's, started on
//! 127.0.0.1 by `support/moto.rs` (install it with `python3 -m pip install 'moto[server]>=5,<6'`).

#[path = "../support/moto.rs"]
mod moto;

mod conformance;
mod errors;
mod mailbox;
mod state;

use streamhooks_dynamodb::DynamoStore;

/// A store on the shared moto server's state table (shared by every test: ids are unique).
async fn store() -> DynamoStore {
    let moto = moto::Moto::shared();
    DynamoStore::from_sdk_config(&moto.sdk_config().await, moto::TABLE)
}
