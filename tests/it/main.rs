//! The one integration-test binary: the real `capplan` binary and library, end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod acceptance;
mod aws;
mod aws_support;
mod cli;
mod golden;
mod model_props;
mod recommend_props;
mod scenarios;
mod support;
mod tui_e2e;
