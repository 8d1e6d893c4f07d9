//! Authentication of Streams clients (being built).
