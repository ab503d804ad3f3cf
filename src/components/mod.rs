//! Reusable pieces of the dashboard.

pub mod backend_status;
pub mod error_banner;
