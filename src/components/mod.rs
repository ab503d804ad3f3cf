//! Reusable pieces of the dashboard.

pub mod backend_status;
pub mod chart;
pub mod error_banner;
pub mod investigate_box;
pub mod link_notices;
pub mod panels;
pub mod pills;
pub mod shards_notice;
pub mod share;
pub mod stream;
pub mod top_bar;
