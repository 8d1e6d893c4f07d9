//! streamhooks-auth against a local JWKS server (127.0.0.1 only) and committed test keys.

mod bind;
mod common;
mod config;
mod jwks;
mod props;
mod verify;
