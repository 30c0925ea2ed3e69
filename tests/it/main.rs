//! The one integration-test binary: the real `capplan` binary and library, end to end.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod acceptance;
mod aws;
mod aws_report;
mod aws_support;
mod charts;
mod cli;
mod faults;
mod fuzz_inputs;
mod golden;
mod judgement;
mod model_props;
mod parser_props;
mod pricing;
mod profile;
mod recommend_props;
mod redis_support;
mod review;
mod scale;
mod scenarios;
mod secrets;
mod seed_systems;
mod support;
mod terraform;
mod throughput;
mod tui_e2e;
