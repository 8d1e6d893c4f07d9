//! Integration tests across streamhooks parts live in `tests/tests/`.
//!
//! The library holds what those tests (and the benchmarks) share: [`lambda_api`], a local Lambda
//! Runtime API to run the function binaries as Lambda runs them, and [`connect_standin`], a
//! local stand-in for the Amazon Connect API that behaves like the service (routes, quotas,
//! validation, client-token idempotency), and [`inputs`], the events, requests and tokens they send.

pub mod connect_standin;
pub mod inputs;
pub mod lambda_api;
