//! What the All tab needs of an environment's report, kept for every environment: a few hundred
//! bytes instead of a full [`EnvReport`] with hundreds of options (those are kept only for the
//! environments open recently).

use rust_decimal::Decimal;

use super::view::short_label;
use crate::report::EnvReport;

/// An option as the All tab shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    /// Its id.
    pub id: String,
    /// Its compact label.
    pub label: String,
    /// Monthly cost.
    pub monthly: Decimal,
    /// Upfront cash; `None` when the source does not publish it.
    pub upfront: Option<Decimal>,
}

/// One environment's figures on the All tab.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvSummary {
    /// What runs today (from the plan's `current`).
    pub current: Option<Pick>,
    /// The recommended option; `None` when nothing fits.
    pub recommended: Option<Pick>,
    /// How far the recommendation is above the budget.
    pub over_budget: Option<Decimal>,
    /// Months until the recommendation reaches a limit, when within the planning horizon.
    pub outgrows_in_months: Option<f64>,
    /// What could not be evaluated (the report's notes).
    pub notes: Vec<String>,
    /// Options evaluated.
    pub options: usize,
    /// Cheapest feasible without commitment.
    pub cheapest_on_demand: Option<Decimal>,
    /// Cheapest feasible with or without a reservation, and its upfront.
    pub cheapest_any: Option<(Decimal, Decimal)>,
}

impl EnvSummary {
    /// The summary of a report.
    pub fn of(report: &EnvReport) -> EnvSummary {
        let pick = |o: &crate::report::OptionReport| Pick {
            id: o.id.clone(),
            label: short_label(o),
            monthly: o.monthly_usd,
            upfront: o.upfront_usd,
        };
        let horizon = f64::from(report.policy.horizon_months);
        EnvSummary {
            current: report.current.as_ref().map(pick),
            recommended: report.recommended().map(pick),
            over_budget: report.recommendation.over_budget_usd,
            outgrows_in_months: report
                .recommendation
                .risks
                .iter()
                .filter_map(|r| r.months_to_limit)
                .filter(|m| *m < horizon)
                .min_by(f64::total_cmp),
            notes: report.notes.clone(),
            options: report.options.len(),
            cheapest_on_demand: report.cheapest_on_demand().map(|o| o.monthly_usd),
            cheapest_any: report.cheapest_any().map(|o| (o.monthly_usd, o.upfront_usd.unwrap_or_default())),
        }
    }

    /// Recommended minus current, when both are known (negative: a saving).
    pub fn delta(&self) -> Option<Decimal> {
        Some(self.recommended.as_ref()?.monthly - self.current.as_ref()?.monthly)
    }

    /// The warnings column: `over budget by $12.00 · outgrows in 4.5 mo · 1 note`.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.recommended.is_none() {
            out.push("nothing fits".to_string());
        }
        if let Some(o) = self.over_budget {
            out.push(format!("over budget by {}", crate::model::units::format_usd(o)));
        }
        if let Some(m) = self.outgrows_in_months {
            out.push(if m <= 0.0 { "at a limit today".to_string() } else { format!("outgrown in {m:.1} mo") });
        }
        if !self.notes.is_empty() {
            out.push(format!("{} note{}", self.notes.len(), if self.notes.len() == 1 { "" } else { "s" }));
        }
        out
    }
}

/// Totals over the evaluated environments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Environments evaluated (with or without a fit).
    pub evaluated: usize,
    /// Environments with a `current`.
    pub with_current: usize,
    /// Sum of current costs.
    pub current: Decimal,
    /// Sum of recommended costs.
    pub recommended: Decimal,
    /// Sum of recommended minus current, where both are known.
    pub delta: Decimal,
    /// Environments in `delta`.
    pub compared: usize,
    /// Upfront cash of the recommended reservations (published fees only).
    pub upfront: Decimal,
    /// Recommended reservations whose upfront fee is not published.
    pub upfront_unknown: usize,
}

/// Totals of `summaries`.
pub fn totals<'a>(summaries: impl IntoIterator<Item = &'a EnvSummary>) -> Totals {
    let mut t = Totals::default();
    for s in summaries {
        t.evaluated += 1;
        if let Some(c) = &s.current {
            t.with_current += 1;
            t.current += c.monthly;
        }
        if let Some(r) = &s.recommended {
            t.recommended += r.monthly;
            match r.upfront {
                Some(u) => t.upfront += u,
                None => t.upfront_unknown += 1,
            }
        }
        if let Some(d) = s.delta() {
            t.delta += d;
            t.compared += 1;
        }
    }
    t
}
