//! Break-even: where Serverless and the best node option cost the same (requests, data), and when a
//! reservation pays for itself.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::ModelError;
use crate::model::capacity::{self, Demand};
use crate::model::cost::{self};
use crate::model::evaluate::{Evaluated, OptionKind, assess};
use crate::model::price::{PriceBook, Term};
use crate::model::units::HOURS_PER_MONTH;
use crate::model::workload::{EnvInputs, Workload};

use super::eligible;
use super::rank::rank;

/// Where Serverless and the best node option cost the same.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerlessBreakEven {
    /// The Serverless option.
    pub serverless_id: String,
    /// The node option.
    pub node_id: String,
    /// Average requests/s at which they cost the same (data as planned); `None` when they never do.
    pub requests_per_sec: Option<Decimal>,
    /// Average data, GiB, at which they cost the same (requests as planned); `None` when they never do.
    pub data_gb: Option<Decimal>,
    /// In words.
    pub summary: Vec<String>,
}

/// When a reservation pays for itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReservedBreakEven {
    /// The reserved option.
    pub option_id: String,
    /// Its term.
    pub term: String,
    /// Months of use within the term after which it is cheaper than on-demand.
    pub months: Decimal,
    /// Length of the term, months.
    pub term_months: u32,
    /// Monthly saving against on-demand once committed.
    pub monthly_saving_usd: Decimal,
    /// Upfront cash.
    pub upfront_usd: Option<Decimal>,
}

/// Break-even points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BreakEven {
    /// Serverless against the best node option.
    pub serverless_vs_node: Option<ServerlessBreakEven>,
    /// Why a break-even is missing.
    pub notes: Vec<String>,
    /// Reserved terms against on-demand for the node layout recommended (or the best node option).
    pub reserved: Vec<ReservedBreakEven>,
}

/// Monthly cost of `deployment` for a workload scaled by `f`.
pub(super) fn cost_with<F: Fn(&mut Workload)>(
    option: &Evaluated,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
    change: F,
) -> Result<(Decimal, bool), ModelError> {
    let mut scaled = env.clone();
    change(&mut scaled.workload);
    let demand = Demand::of(&scaled.workload, &scaled.policy);
    let e = assess(&option.deployment, &scaled.option_backup(), None, &scaled, &demand, book, as_of)?;
    Ok((e.monthly_usd(), e.feasible()))
}

/// Monthly cost of `option`'s deployment, and whether it still fits, when the environment
/// averages `requests_per_sec` (its peak scaled by the same factor; data as planned): the
/// point a cost-against-load curve is drawn through. The layout is the option's own, not resized,
/// as in the break-even.
pub fn cost_at_requests(
    option: &Evaluated,
    env: &EnvInputs,
    book: &PriceBook,
    as_of: NaiveDate,
    requests_per_sec: Decimal,
) -> Result<(Decimal, bool), ModelError> {
    let w = &env.workload;
    let ratio =
        if w.requests_per_sec > Decimal::ZERO { w.peak_requests_per_sec / w.requests_per_sec } else { Decimal::ONE };
    cost_with(option, env, book, as_of, |w| {
        w.requests_per_sec = requests_per_sec;
        w.peak_requests_per_sec = (requests_per_sec * ratio).max(requests_per_sec);
    })
}

/// Where two costs that are affine in one variable meet: `x0 + (b(x0) − a(x0)) / (slope_a − slope_b)`.
pub(super) fn crossing(
    x0: Decimal,
    a0: Decimal,
    a1: Decimal,
    b0: Decimal,
    b1: Decimal,
    step: Decimal,
) -> Option<Decimal> {
    let slope = (a1 - a0 - (b1 - b0)) / step;
    if slope.is_zero() {
        return None;
    }
    let x = x0 + (b0 - a0) / slope;
    (x >= Decimal::ZERO).then(|| x.round_dp(2))
}

pub(super) fn break_even(
    env: &EnvInputs,
    options: &[Evaluated],
    winner: &Evaluated,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<BreakEven, ModelError> {
    let best_node = if matches!(winner.kind, OptionKind::Node | OptionKind::Split) {
        Some(winner)
    } else {
        options
            .iter()
            .filter(|o| eligible(o, env) && matches!(o.kind, OptionKind::Node | OptionKind::Split))
            .min_by(|a, b| rank(a, b))
    };
    let serverless =
        options.iter().filter(|o| o.kind == OptionKind::Serverless && o.feasible()).min_by(|a, b| rank(a, b));
    let mut notes = Vec::new();
    let serverless_vs_node = match (serverless, best_node) {
        (Some(s), Some(n)) => Some(serverless_break_even(env, s, n, book, as_of)?),
        (None, _) => {
            let why = options
                .iter()
                .find(|o| o.kind == OptionKind::Serverless && o.deployment.engine().serves(env.app_engine))
                .and_then(|o| o.exclusions.first())
                .map_or_else(|| "no Serverless price in this region".to_string(), |e| e.reason.clone());
            notes.push(format!("Serverless against nodes: not computed, no Serverless option fits ({why})"));
            None
        }
        (Some(_), None) => {
            notes.push("Serverless against nodes: not computed, no node-based option fits".to_string());
            None
        }
    };
    let mut reserved = Vec::new();
    if let Some(n) = best_node {
        let on_demand_id = n.id.rsplit_once('/').map(|(base, _)| format!("{base}/on-demand"));
        let on_demand = options.iter().find(|o| Some(&o.id) == on_demand_id.as_ref());
        if let Some(od) = on_demand {
            let base = od.id.trim_end_matches("on-demand");
            for r in options.iter().filter(|o| o.commits() && o.id.starts_with(base)) {
                let Some(Term::Reserved(length, _)) = r.term() else { continue };
                let term_months = length.years() * 12;
                // only the node-hours differ between the terms; snapshots and traffic cost the same
                let node_usd = |o: &Evaluated| -> Decimal {
                    o.cost.lines.iter().filter(|l| l.unit == cost::Unit::NodeHour).map(cost::Line::monthly_usd).sum()
                };
                let (od_nodes, rsv_nodes) = (node_usd(od), node_usd(r));
                if od_nodes <= Decimal::ZERO {
                    continue;
                }
                // the whole term's node cost, over the on-demand node cost of one month
                let term_cost = rsv_nodes * length.hours() / Decimal::from(HOURS_PER_MONTH);
                reserved.push(ReservedBreakEven {
                    option_id: r.id.clone(),
                    term: r.term().map(|t| t.id().to_string()).unwrap_or_default(),
                    months: (term_cost / od_nodes).round_dp(1),
                    term_months,
                    monthly_saving_usd: od.monthly_usd() - r.monthly_usd(),
                    upfront_usd: r.cost.upfront_known.then_some(r.cost.upfront_usd),
                });
            }
        }
    }
    Ok(BreakEven { serverless_vs_node, notes, reserved })
}

pub(super) fn serverless_break_even(
    env: &EnvInputs,
    s: &Evaluated,
    n: &Evaluated,
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<ServerlessBreakEven, ModelError> {
    let w = &env.workload;
    let mut summary = Vec::new();
    // requests: both costs are affine in the average request rate
    let r0 = w.requests_per_sec;
    let step = Decimal::from(1000);
    let (s0, _) = cost_with(s, env, book, as_of, |_| {})?;
    let (s1, _) = cost_with(s, env, book, as_of, |w| w.requests_per_sec += step)?;
    let (n0, _) = cost_with(n, env, book, as_of, |_| {})?;
    let (n1, _) = cost_with(n, env, book, as_of, |w| w.requests_per_sec += step)?;
    let requests = if w.min_ecpu_per_sec > Decimal::ZERO { None } else { crossing(r0, s0, s1, n0, n1, step) };
    match requests {
        Some(r) => {
            let ratio = if r0 > Decimal::ZERO { w.peak_requests_per_sec / r0 } else { Decimal::ONE };
            let (_, fits) = cost_with(n, env, book, as_of, |w| {
                w.requests_per_sec = r;
                w.peak_requests_per_sec = (r * ratio).max(r);
            })?;
            summary.push(format!(
                "at {} req/s on average (today {}), {} costs as much as {}{}",
                capacity::fmt_dec(r),
                capacity::fmt_dec(r0),
                s.id,
                n.id,
                if fits { String::new() } else { format!(" — though {} would no longer fit that load", n.id) }
            ));
        }
        None if s0 < n0 => {
            summary.push(format!("{} stays cheaper than {} at any request rate with this data", s.id, n.id));
        }
        None => summary.push(format!("{} costs more than {} even with no requests", s.id, n.id)),
    }
    // data: both costs are affine in the average data size above Serverless's minimum metered
    // storage (flat below it), so measure the slopes from there
    let d0 = w.data_gb;
    let floor = book.serverless(&env.region, s.deployment.engine()).map_or(Decimal::ZERO, |r| r.min_storage_gb.gb);
    let base = d0.max(floor);
    let with_data = |option: &Evaluated, d: Decimal| {
        cost_with(option, env, book, as_of, |w| {
            w.peak_data_gb += d - w.data_gb;
            w.data_gb = d;
        })
    };
    let dstep = Decimal::from(10);
    let (sb, nb) = if base == d0 { (s0, n0) } else { (with_data(s, base)?.0, with_data(n, base)?.0) };
    let (sd1, _) = with_data(s, base + dstep)?;
    let (nd1, _) = with_data(n, base + dstep)?;
    let data = crossing(base, sb, sd1, nb, nd1, dstep).filter(|d| *d >= floor);
    match data {
        Some(d) => {
            let (_, fits) = with_data(n, d)?;
            summary.push(format!(
                "at {} GiB of data on average (today {}), {} costs as much as {}{}",
                capacity::fmt_dec(d),
                capacity::fmt_dec(d0),
                s.id,
                n.id,
                if fits { String::new() } else { format!(" — though {} would no longer hold that data", n.id) }
            ));
        }
        None if s0 < n0 => {
            summary.push(format!("{} stays cheaper than {} at any data size at this request rate", s.id, n.id));
        }
        None => summary.push(format!("{} costs more than {} even with no data", s.id, n.id)),
    }
    Ok(ServerlessBreakEven {
        serverless_id: s.id.clone(),
        node_id: n.id.clone(),
        requests_per_sec: requests,
        data_gb: data,
        summary,
    })
}
