//! One module per screen.

pub mod dashboard;
