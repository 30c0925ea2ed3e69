//! The recommender: search every node layout, rank the options that fit, and explain the winner
//! (settings, rationale, break-even, risks) — or say what would fit when nothing does. Each of
//! those is its own module; this one holds the answer's shape and [`recommend`].

mod alarms;
mod break_even;
mod nothing_fits;
mod rank;
mod rationale;
mod risks;
mod savings_plan;
mod search;
mod settings;
mod sizing;

pub use alarms::Alarm;
pub use break_even::{BreakEven, ReservedBreakEven, ServerlessBreakEven, cost_at_requests};
pub use nothing_fits::NothingFits;
pub use rank::PassedOver;
pub use risks::Risk;
pub use savings_plan::SavingsPlanAlternative;
pub use search::{NodeResult, SearchMode, SearchStats, brute_force, replica_range, replica_reads_options, search_node};
pub use settings::{ClusterSettings, Parameter, Settings, UpstashSettings, UsageLimitSettings, maxmemory_policy};
pub use sizing::{ResourceUse, Sizing};

use break_even::break_even;
use nothing_fits::nothing_fits;
use rank::{choose, passed_over};
use rationale::rationale;
use risks::risks;
use settings::settings;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::ModelError;
use crate::model::evaluate::Evaluated;
use crate::model::price::PriceBook;
use crate::model::units::format_usd;
use crate::model::workload::EnvInputs;

/// The answer for one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    /// Id of the recommended entry of `options`.
    pub option_id: String,
    /// What to set up.
    pub settings: Settings,
    /// Why it won and what the runner-up would save or risk.
    pub rationale: Vec<String>,
    /// What breaks first as load grows.
    pub risks: Vec<Risk>,
    /// Break-even points.
    pub break_even: BreakEven,
    /// How far the cheapest fit's monthly cost is above `budget_usd`.
    pub over_budget_usd: Option<Decimal>,
    /// Which resource binds, for the recommended option and the runner-up.
    pub sizing: Vec<Sizing>,
    /// A Database Savings Plan as an alternative commitment (unverified rates), when it would beat
    /// the recommendation.
    pub savings_plan: Option<SavingsPlanAlternative>,
    /// Every feasible option at most as dear as the recommendation, with why it is not it.
    pub passed_over: Vec<PassedOver>,
}

/// The recommendation, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An option fits.
    Recommended(Box<Recommendation>),
    /// Nothing fits.
    NothingFits(NothingFits),
}

impl Outcome {
    /// The recommendation, if any.
    pub fn recommendation(&self) -> Option<&Recommendation> {
        match self {
            Outcome::Recommended(r) => Some(r),
            Outcome::NothingFits(_) => None,
        }
    }
}

/// Whether the environment may choose `option` (its term within the commit policy).
pub fn eligible(option: &Evaluated, env: &EnvInputs) -> bool {
    option.feasible() && option.deployment.term().is_none_or(|t| env.commit.allows(t))
}

/// Rank the options and explain the winner.
pub fn recommend(
    env: &EnvInputs,
    options: &[Evaluated],
    book: &PriceBook,
    as_of: NaiveDate,
) -> Result<Outcome, ModelError> {
    let Some(choice) = choose(env, options, Evaluated::monthly_usd) else {
        return Ok(Outcome::NothingFits(nothing_fits(env, options, book)));
    };
    let winner = choice.winner;
    // the same choice without the unverified lines (their low end): if it differs, the answer
    // depends on an assumption no source confirms; this one does not, and the rationale says so
    let at_low_end = choose(env, options, Evaluated::verified_monthly_usd).map(|c| c.winner);
    let rationale = rationale(env, options, &choice, at_low_end, book);
    let settings = settings(env, winner, book);
    let break_even = break_even(env, options, winner, book, as_of)?;
    let mut risks = risks(env, winner, book, as_of);
    let cheapest = choice.cheapest.monthly_usd();
    let over_budget_usd = env.budget_usd.filter(|b| cheapest > *b).map(|b| cheapest - b);
    if let (Some(over), Some(budget)) = (over_budget_usd, env.budget_usd) {
        risks.insert(
            0,
            Risk {
                resource: "budget".into(),
                message: format!(
                    "the cheapest option that fits costs {}/month: {} over the budget of {}",
                    format_usd(cheapest),
                    format_usd(over),
                    format_usd(budget)
                ),
                months_to_limit: Some(0.0),
                date: Some(as_of),
            },
        );
    }
    let mut sizing = sizing::sizing(winner, env, book);
    if let Some(runner) = rank::runner_up(env, options, winner, book) {
        sizing.extend(sizing::sizing(runner, env, book));
    }
    Ok(Outcome::Recommended(Box::new(Recommendation {
        option_id: winner.id.clone(),
        settings,
        rationale,
        risks,
        break_even,
        over_budget_usd,
        sizing,
        savings_plan: savings_plan::savings_plan(env, options, winner, book),
        passed_over: passed_over(env, options, &choice),
    })))
}
