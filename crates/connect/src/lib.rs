//! The streamhooks adapters for AWS: [`ConnectAdapter`] runs server actions against the public
//! Amazon Connect API (aws-sdk-connect), and [`EventBridgePublisher`] publishes plugin events with
//! EventBridge PutEvents. They implement the executor's ports
//! ([`streamhooks_executor::ports::Connect`] and [`streamhooks_executor::ports::EventPublisher`]).
//!
//! This crate is the only one in the workspace that depends on aws-sdk-connect (the slowest crate
//! to build), so the engine and the executor never wait for it. It is not a policy: an adapter
//! makes exactly one API call per request and says how it failed ([`CallError`]); rate limits,
//! retries, backoff and deadlines belong to the executor, which is why the SDK clients are built
//! with retries disabled.
//!
//! ```no_run
//! # async fn lambda_init() {
//! use streamhooks_connect::{ConnectAdapter, EventBridgePublisher, load_aws_config};
//!
//! // Region and credentials come from the environment, as Lambda provides them.
//! let sdk = load_aws_config().await;
//! let connect = ConnectAdapter::from_sdk_config(&sdk, "arn:aws:connect:eu-west-2:1:instance/abc");
//! let events = EventBridgePublisher::from_sdk_config(&sdk, "default");
//! # let _ = (connect, events);
//! # }
//! ```
//!
//! [`CallError`]: streamhooks_executor::ports::CallError

mod classify;
mod connect;
mod eventbridge;

pub use connect::{ConnectAdapter, operation};
pub use eventbridge::EventBridgePublisher;

/// Loads the AWS configuration from the environment: the region from `AWS_REGION`, credentials
/// from the default chain (on Lambda: the function role's `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`). Call it once, at cold start.
pub async fn load_aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}
