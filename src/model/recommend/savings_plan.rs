//! Database Savings Plans as an alternative commitment: what the cheapest covered option would
//! cost at the reported discount. The rates are third-party and unverified, so this is shown beside
//! the recommendation and never decides it.

use rust_decimal::Decimal;
use serde::Serialize;

use super::eligible;
use crate::model::cost::Unit;
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::price::{PriceBook, SavingsPlanRate};
use crate::model::units::format_usd;
use crate::model::workload::{Deployment, EnvInputs};

/// A Database Savings Plan applied to one option.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavingsPlanAlternative {
    /// The on-demand option it applies to.
    pub option_id: String,
    /// Reported discount, percent.
    pub discount_pct: Decimal,
    /// The source says "up to" this discount.
    pub up_to: bool,
    /// `1yr`.
    pub term: String,
    /// `no-upfront`.
    pub payment: String,
    /// The usage the plan covers (node-hours, or Serverless storage and ECPU), per month.
    pub covered_monthly_usd: Decimal,
    /// The option's monthly cost with the discount on the covered usage.
    pub estimated_monthly_usd: Decimal,
    /// Where the discount comes from, and that it is unverified.
    pub source: String,
    /// In words.
    pub summary: String,
}

/// The usage a plan covers in `option`: node-hours (on-demand) or Serverless storage and ECPU.
fn covered_usd(option: &Evaluated) -> Decimal {
    option
        .cost
        .lines
        .iter()
        .filter(|l| l.unverified.is_none() && matches!(l.unit, Unit::NodeHour | Unit::GbHour | Unit::MillionEcpu))
        .map(crate::model::cost::Line::monthly_usd)
        .sum()
}

fn rate<'a>(option: &Evaluated, book: &'a PriceBook) -> Option<&'a SavingsPlanRate> {
    match &option.deployment {
        Deployment::Serverless { engine, .. } => book.savings_plan(*engine, None),
        Deployment::Node { layout, term } if !term.is_reserved() => book.savings_plan(layout.engine, Some(layout.node)),
        _ => None,
    }
}

/// The cheapest eligible on-demand option a Database Savings Plan covers, estimated at its
/// reported discount; `None` when none is covered or it would not beat `winner`.
pub(super) fn savings_plan(
    env: &EnvInputs,
    options: &[Evaluated],
    winner: &Evaluated,
    book: &PriceBook,
) -> Option<SavingsPlanAlternative> {
    let (option, plan, estimated) = options
        .iter()
        .filter(|o| {
            eligible(o, env) && o.last_resort.is_empty() && matches!(o.kind, OptionKind::Node | OptionKind::Serverless)
        })
        .filter_map(|o| {
            let plan = rate(o, book)?;
            let estimated = o.monthly_usd() - covered_usd(o) * plan.discount_pct / Decimal::from(100);
            Some((o, plan, estimated))
        })
        .min_by(|a, b| a.2.cmp(&b.2).then_with(|| a.0.id.cmp(&b.0.id)))?;
    if estimated >= winner.monthly_usd() {
        return None;
    }
    let about = if plan.up_to { "up to" } else { "about" };
    Some(SavingsPlanAlternative {
        option_id: option.id.clone(),
        discount_pct: plan.discount_pct,
        up_to: plan.up_to,
        term: plan.term.id().to_string(),
        payment: plan.payment.id().to_string(),
        covered_monthly_usd: covered_usd(option),
        estimated_monthly_usd: estimated,
        source: format!("{} ({}, {})", plan.source.source, plan.source.kind, plan.source.date),
        summary: format!(
            "unverified: a Database Savings Plan ({} {}, an hourly commitment across engines and regions) is reported at {about} {}% off {}: {} would cost about {}/month against {} for this recommendation; no official rate table exists, so it is an alternative to weigh, not the basis of the answer",
            plan.term.id(),
            plan.payment.id(),
            plan.discount_pct.normalize(),
            if option.kind == OptionKind::Serverless {
                "Serverless Valkey usage"
            } else {
                "Valkey node-hours on generation 7 and newer"
            },
            option.id,
            format_usd(estimated),
            format_usd(winner.monthly_usd())
        ),
    })
}
