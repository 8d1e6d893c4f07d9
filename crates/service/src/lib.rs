//! The streamhooks event pipeline (being built).
