//! Integration tests across streamhooks parts live in `tests/tests/`.
