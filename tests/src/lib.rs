//! Integration tests across streamhooks parts live in `tests/tests/`.
//!
//! The library holds what those tests share: [`lambda_api`], a local Lambda Runtime API to run
//! the function binaries as Lambda runs them.

pub mod lambda_api;
