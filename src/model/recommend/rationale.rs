//! Rationale: why the winner won, what the runner-up would cost or risk, what a commitment would save.

use rust_decimal::Decimal;

use crate::model::capacity::{self, Constraint, Utilization, pct};
use crate::model::cost;
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::price::{PriceBook, Term};
use crate::model::units::{format_usd, to_f64};
use crate::model::workload::EnvInputs;

use super::eligible;
use super::rank::{Choice, complexity, kind_label, rank, runner_up};

pub(super) fn utilization_words(u: &Utilization) -> String {
    let parts: Vec<String> =
        [("memory", u.memory), ("CPU", u.cpu), ("network", u.network), ("connections", u.connections)]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| format!("{n} {}", pct(v))))
            .collect();
    parts.join(", ")
}

pub(super) fn rationale(
    env: &EnvInputs,
    options: &[Evaluated],
    choice: &Choice<'_>,
    at_low_end: Option<&Evaluated>,
    book: &PriceBook,
) -> Vec<String> {
    let winner = choice.winner;
    let mut out = Vec::new();
    let policy = if env.commit.length.is_none() {
        "no reserved commitment (commit = \"none\")".to_string()
    } else {
        format!("commitments up to {} {}", env.commit.id(), env.commit.payment.id())
    };
    let cheapest = choice.cheapest;
    if cheapest.id == winner.id {
        out.push(format!(
            "{} is the cheapest option that fits: {}/month, with {policy}",
            kind_label(winner, book),
            format_usd(winner.monthly_usd())
        ));
    } else {
        let (ws, wn, _, _) = complexity(winner);
        let (cs, cn, _, _) = complexity(cheapest);
        out.push(format!(
            "{} at {}/month: {} more than the cheapest fit, {} at {}, and simpler to run ({} shard{} and {} node{} against {} and {}); a simpler layout within {} of the cheapest wins ([policy] simplicity_margin_pct), with {policy}",
            kind_label(winner, book),
            format_usd(winner.monthly_usd()),
            format_usd(winner.monthly_usd() - cheapest.monthly_usd()),
            cheapest.id,
            format_usd(cheapest.monthly_usd()),
            ws,
            if ws == 1 { "" } else { "s" },
            wn,
            if wn == 1 { "" } else { "s" },
            cs,
            cn,
            pct(to_f64(env.policy.simplicity_margin)),
        ));
    }
    if choice.last_resort && !winner.last_resort.is_empty() {
        out.push(format!(
            "nothing without these reservations fits, so they are accepted: {}",
            winner.last_resort.join("; ")
        ));
    }
    for o in choice.set_aside.iter().take(2) {
        out.push(format!(
            "set aside though cheaper: {} at {}/month, because {} (chosen only when nothing else fits)",
            o.id,
            format_usd(o.monthly_usd()),
            o.last_resort.join("; ")
        ));
    }
    out.push(format!("role {}: {}", env.role.id(), env.role.loss()));
    if let Some(low) = at_low_end
        && low.id != winner.id
    {
        out.push(format!(
            "unverified lines decide between this and {}: if they cost nothing ({} would be {}/month), it would be cheaper; this recommendation does not rely on that assumption",
            low.id,
            low.id,
            format_usd(low.verified_monthly_usd())
        ));
    }
    let headroom = pct(env.policy.headroom);
    let grown = if env.workload.growth_pct_per_month > Decimal::ZERO {
        format!(
            " after {} months of {}%/month growth",
            env.policy.horizon_months,
            env.workload.growth_pct_per_month.normalize()
        )
    } else {
        String::new()
    };
    let used = utilization_words(&winner.utilization);
    if !used.is_empty() {
        let of = match winner.kind {
            OptionKind::Serverless => "of the Serverless per-cache limits".to_string(),
            OptionKind::Upstash => "of the plan's caps".to_string(),
            _ => format!("(node limit {headroom})"),
        };
        out.push(format!("at peak{grown} it uses {used} {of}"));
    }
    // the cheapest excluded option of each kind and reason (options are sorted by cost)
    let mut seen = Vec::new();
    let mut cheaper = Vec::new();
    for o in options.iter().filter(|o| o.monthly_usd() < winner.monthly_usd() && !o.feasible()) {
        let Some(first) = o.exclusions.first() else { continue };
        if first.constraint == Constraint::Engine || seen.contains(&(o.kind, first.constraint)) {
            continue;
        }
        seen.push((o.kind, first.constraint));
        cheaper.push(format!("{} ({})", o.id, first.constraint.id()));
    }
    cheaper.truncate(5);
    if !cheaper.is_empty() {
        out.push(format!("cheaper options do not fit: {}", cheaper.join(", ")));
    }
    if let Some(r) = runner_up(env, options, winner, book) {
        let delta = r.monthly_usd() - winner.monthly_usd();
        let risk = runner_risk(r, env);
        let more = if delta < Decimal::ZERO {
            format!("{} less, but not chosen", format_usd(-delta))
        } else {
            format!("{} more", format_usd(delta))
        };
        out.push(format!(
            "runner-up: {} ({}) at {}/month, {more}{}",
            r.id,
            kind_label(r, book),
            format_usd(r.monthly_usd()),
            risk
        ));
    }
    // Upstash without its Prod Pack: cheaper only by giving up multi-zone HA
    if env.ha
        && winner.kind != OptionKind::Upstash
        && let Some(upstash) = options
            .iter()
            .filter(|o| o.kind == OptionKind::Upstash && o.feasible())
            .min_by(|a, b| single_zone_usd(a).cmp(&single_zone_usd(b)))
        && single_zone_usd(upstash) < winner.monthly_usd()
    {
        out.push(format!(
            "single zone: {} would cost {}/month without the Prod Pack ({}/month here, which multi-zone HA on Upstash needs): the cheaper path only if the team accepts one zone (ha = false)",
            upstash.id,
            format_usd(single_zone_usd(upstash)),
            format_usd(upstash.monthly_usd() - single_zone_usd(upstash))
        ));
    }
    // what a commitment the policy does not allow would save
    if let Some(reserved) = options
        .iter()
        .filter(|o| o.feasible() && o.last_resort.is_empty() && o.commits() && !eligible(o, env))
        .filter(|o| o.monthly_usd() < winner.monthly_usd())
        .min_by(|a, b| rank(a, b))
        && let Some(Term::Reserved(length, payment)) = reserved.term()
    {
        let upfront = if reserved.cost.upfront_known {
            format!("{} upfront", format_usd(reserved.cost.upfront_usd))
        } else {
            "upfront not published".to_string()
        };
        out.push(format!(
            "a {} {} reservation would save a further {}/month: {} at {}/month amortized ({upfront}); allow it with commit = \"{}\", commit_payment = \"{}\"",
            length.id(),
            payment.id(),
            format_usd(winner.monthly_usd() - reserved.monthly_usd()),
            reserved.id,
            format_usd(reserved.monthly_usd()),
            length.id(),
            payment.id()
        ));
    }
    out
}

/// An Upstash option's monthly cost without its Prod Pack line.
fn single_zone_usd(option: &Evaluated) -> Decimal {
    option.cost.lines.iter().filter(|l| !l.item.starts_with(cost::PROD_PACK_ITEM)).map(cost::Line::monthly_usd).sum()
}

pub(super) fn runner_risk(option: &Evaluated, env: &EnvInputs) -> String {
    match option.kind {
        OptionKind::Serverless => {
            if capacity::is_spiky(&env.workload) {
                "; pays per use, but a sudden spike may throttle while it scales".to_string()
            } else {
                "; pays per use and scales without resizing".to_string()
            }
        }
        OptionKind::Upstash => "; a third-party service outside your VPC (REST adds ~6 ms per GET)".to_string(),
        _ => option
            .utilization
            .highest()
            .map_or_else(String::new, |(r, v)| format!("; its tightest resource is {r} at {}", pct(v))),
    }
}
