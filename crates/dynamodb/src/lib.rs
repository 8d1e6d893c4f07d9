//! DynamoDB adapter for the streamhooks state store (being built).
