//! Which options a report lists (`--options best|fitting|all`): every option evaluated, only
//! those that fit, or the best of each kind × engine × node type (Upstash: plan) with one row
//! for the excluded rest of each kind × engine. The recommendation, the current deployment and
//! every option the report names by id always stay.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::borrow::Cow;

use serde::Serialize;

use super::{EnvReport, OptionReport};
use crate::model::catalog::Engine;
use crate::model::evaluate::{Evaluated, OptionKind};
use crate::model::price::{PriceBook, PriceKind};
use crate::model::workload::Deployment;

/// Which options a report lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OptionsFilter {
    /// Per kind × engine × node type (Upstash: plan; Serverless: engine) the cheapest layout and
    /// term that fits under the environment's commit policy, and per kind × engine one row for
    /// the node types or plans where nothing fits, with the reason.
    Best,
    /// Every option that fits.
    Fitting,
    /// Every option evaluated.
    #[default]
    All,
}

impl OptionsFilter {
    /// `best`, `fitting`, `all`.
    pub fn id(self) -> &'static str {
        match self {
            OptionsFilter::Best => "best",
            OptionsFilter::Fitting => "fitting",
            OptionsFilter::All => "all",
        }
    }
}

/// The group an option belongs to: kind × engine × node type (split: both node types; Upstash:
/// plan; Serverless: engine). The terminal app's option table groups the same way.
pub fn group_key(o: &OptionReport) -> String {
    Row::of_report(o).group.text()
}

/// What the filter reads of an option: the same whether it is read from the model's evaluated
/// option or from its report, so that filtering before the report is built lists what
/// filtering the built report would.
struct Row<'a> {
    id: &'a str,
    group: Group<'a>,
    feasible: bool,
    term: Option<Cow<'a, str>>,
    kind: OptionKind,
    engine: Engine,
}

/// An option's group as what names it: compared and hashed without being written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Group<'a> {
    Node(Engine, &'a str),
    Split(Engine, &'a str, &'a str),
    Serverless(Engine),
    Upstash(&'a str),
}

impl<'a> Group<'a> {
    fn of(
        kind: OptionKind,
        engine: Engine,
        node: Option<&'a str>,
        split: Option<(&'a str, &'a str)>,
        plan: Option<&'a str>,
    ) -> Self {
        match kind {
            OptionKind::Node => Group::Node(engine, node.unwrap_or("")),
            OptionKind::Split => {
                let (adapter, state) = split.unwrap_or(("", ""));
                Group::Split(engine, adapter, state)
            }
            OptionKind::Serverless => Group::Serverless(engine),
            OptionKind::Upstash => Group::Upstash(plan.unwrap_or("")),
        }
    }

    /// `node/valkey/cache.r7g.large`, `split/redis/<adapter>+<state>`, `serverless/valkey`,
    /// `upstash/<plan>`.
    fn text(self) -> String {
        match self {
            Group::Node(engine, node) => format!("node/{}/{node}", engine.id()),
            Group::Split(engine, adapter, state) => format!("split/{}/{adapter}+{state}", engine.id()),
            Group::Serverless(engine) => format!("serverless/{}", engine.id()),
            Group::Upstash(plan) => format!("upstash/{plan}"),
        }
    }
}

impl<'a> Row<'a> {
    fn of_report(o: &'a OptionReport) -> Self {
        let split = o.adapter.as_ref().zip(o.state.as_ref()).map(|(a, s)| (a.node_type.as_str(), s.node_type.as_str()));
        Row {
            id: &o.id,
            group: Group::of(o.kind, o.engine, o.node_type.as_deref(), split, o.plan.as_deref()),
            feasible: o.feasible,
            term: o.term.as_deref().map(Cow::Borrowed),
            kind: o.kind,
            engine: o.engine,
        }
    }

    fn of_evaluated(o: &'a Evaluated, book: &'a PriceBook) -> Self {
        let name = |node| book.catalog.node(node).name.as_str();
        let (node, split, plan) = match &o.deployment {
            Deployment::Node { layout, .. } => (Some(name(layout.node)), None, None),
            Deployment::Split { adapter, state, .. } => (None, Some((name(adapter.node), name(state.node))), None),
            Deployment::Upstash { plan } => (None, None, Some(plan.as_str())),
            Deployment::Serverless { .. } => (None, None, None),
        };
        let engine = o.deployment.engine();
        Row {
            id: &o.id,
            group: Group::of(o.kind, engine, node, split, plan),
            feasible: o.feasible(),
            term: o.term().map(|t| Cow::Borrowed(t.id())),
            kind: o.kind,
            engine,
        }
    }
}

/// Whether the environment's commit policy lets the recommendation use `term` (`None`: not a
/// node option): on-demand always; a reservation up to the policy's length, paid its way.
pub fn term_allowed(env: &EnvReport, term: Option<&str>) -> bool {
    let years = |s: &str| s.strip_suffix("yr").and_then(|n| n.parse::<u32>().ok());
    match term {
        None | Some("on-demand") => true,
        Some(term) => match (term.split_once('-'), years(&env.policy.commit)) {
            (Some((length, payment)), Some(max)) => {
                years(length).is_some_and(|y| y <= max) && payment == env.policy.commit_payment
            }
            _ => false,
        },
    }
}

/// The ids the report refers to outside `options[]` (but the reserved break-even's): they are
/// always listed.
fn referenced(env: &EnvReport) -> HashSet<&str> {
    let r = &env.recommendation;
    let mut ids: HashSet<&str> = HashSet::new();
    ids.extend(r.option_id.as_deref());
    ids.extend(env.cheapest.on_demand.as_deref());
    ids.extend(env.cheapest.reserved.as_deref());
    ids.extend(env.current.as_ref().map(|c| c.id.as_str()));
    ids.extend(r.sizing.iter().map(|s| s.option_id.as_str()));
    ids.extend(r.savings_plan.as_ref().map(|s| s.option_id.as_str()));
    ids.extend(r.nothing_fits.as_ref().and_then(|n| n.closest.as_deref()));
    // (the reserved break-even names every term of the recommended layout: it speaks for
    // itself and is not what a short list is for)
    if let Some(s) = r.break_even.as_ref().and_then(|b| b.serverless_vs_node.as_ref()) {
        ids.insert(&s.serverless_id);
        ids.insert(&s.node_id);
    }
    ids
}

/// Which of `options` the filter keeps, by index, for the environment `env` (its policy, its
/// recommendation and what it names; its own `options` are not read).
fn kept(env: &EnvReport, options: &[Row<'_>], filter: OptionsFilter) -> Vec<bool> {
    let refs = referenced(env);
    let mut keep: Vec<bool> = options.iter().map(|o| refs.contains(o.id)).collect();
    match filter {
        OptionsFilter::All => keep.fill(true),
        OptionsFilter::Fitting => {
            for (k, o) in keep.iter_mut().zip(options) {
                *k |= o.feasible;
            }
        }
        OptionsFilter::Best => {
            // groups in order of their cheapest member (options are sorted cheapest first)
            let mut groups: Vec<Vec<usize>> = Vec::new();
            let mut index_of: HashMap<Group<'_>, usize> = HashMap::new();
            for (i, o) in options.iter().enumerate() {
                let g = *index_of.entry(o.group).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[g].push(i);
            }
            let star = env.recommendation.option_id.as_deref();
            let allowed = |i: usize| term_allowed(env, options[i].term.as_deref());
            // per kind × engine, the options of its groups where nothing fits
            let mut unfit: Vec<((OptionKind, Engine), Vec<usize>)> = Vec::new();
            for members in &groups {
                let fits = |i: &usize| options[*i].feasible;
                let best = members
                    .iter()
                    .copied()
                    .find(|&i| Some(options[i].id) == star)
                    .or_else(|| members.iter().copied().find(|&i| fits(&i) && allowed(i)))
                    .or_else(|| members.iter().copied().find(fits));
                if let Some(i) = best {
                    keep[i] = true;
                    continue;
                }
                let o = &options[members[0]];
                let key = (o.kind, o.engine);
                match unfit.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, all)) => all.extend(members),
                    None => unfit.push((key, members.clone())),
                }
            }
            // one row each: its cheapest on a term the policy allows, else its cheapest
            for (_, mut members) in unfit {
                members.sort_unstable();
                let row = members.iter().copied().find(|&i| allowed(i)).unwrap_or(members[0]);
                keep[row] = true;
            }
        }
    }
    keep
}

/// Keep in `env.options` what `filter` lists, and say so in `env.search`.
pub fn select(env: &mut EnvReport, filter: OptionsFilter) {
    let keep = {
        let rows: Vec<Row<'_>> = env.options.iter().map(Row::of_report).collect();
        kept(env, &rows, filter)
    };
    let mut k = keep.iter();
    env.options.retain(|_| k.next().copied().unwrap_or(true));
    env.search.options_listed = env.options.len();
    env.search.options_filter = filter;
    // the sources the listed lines still cite
    let cited: HashSet<(&str, PriceKind, &str)> = env
        .options
        .iter()
        .chain(env.current.as_ref())
        .flat_map(|o| &o.lines)
        .map(|l| (l.price_source.id(), l.price_source.kind(), l.price_source.date()))
        .collect();
    let sources = std::mem::take(&mut env.pricing.sources);
    env.pricing.sources =
        sources.into_iter().filter(|s| cited.contains(&(s.id.as_str(), s.kind, s.date.as_str()))).collect();
}

/// Which of the model's `options` the report of `env` lists under `filter`, by index: what
/// [`select`] would keep of their reports, known before any is built (a report lists about 120
/// of 800-odd options with `best`, and building the rest is most of a report's cost). `env` is
/// the report being built: its policy, recommendation, cheapest and current are read, not its
/// options.
pub(crate) fn listed(env: &EnvReport, options: &[Evaluated], book: &PriceBook, filter: OptionsFilter) -> Vec<bool> {
    if filter == OptionsFilter::All {
        return vec![true; options.len()];
    }
    let rows: Vec<Row<'_>> = options.iter().map(|o| Row::of_evaluated(o, book)).collect();
    kept(env, &rows, filter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workload::{EnvInputs, Workload};
    use crate::report::evaluate_env;
    use crate::source::offline::embedded;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use std::collections::BTreeSet;

    fn report(commit: Option<&str>) -> EnvReport {
        let w = Workload {
            data_gb: Decimal::from(6),
            peak_data_gb: Decimal::from(8),
            requests_per_sec: Decimal::from(3000),
            peak_requests_per_sec: Decimal::from(9000),
            ..Workload::default()
        };
        let mut env = EnvInputs::new("prod", "us-east-1", crate::model::catalog::Engine::Valkey, true, w);
        if let Some(c) = commit {
            env.commit.length = Some(if c == "1yr" {
                crate::model::price::TermLength::OneYear
            } else {
                crate::model::price::TermLength::ThreeYears
            });
        }
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        evaluate_env(&env, None, embedded().unwrap(), "test", as_of).unwrap()
    }

    fn ids(env: &EnvReport) -> BTreeSet<String> {
        env.options.iter().map(|o| o.id.clone()).collect()
    }

    #[test]
    fn all_keeps_everything_and_fitting_keeps_the_fits_and_what_is_named() {
        let full = report(None);
        let mut all = full.clone();
        select(&mut all, OptionsFilter::All);
        assert_eq!(all.options, full.options);
        assert_eq!((all.search.options_listed, all.search.options_evaluated), (full.options.len(), full.options.len()));
        let mut fitting = full.clone();
        select(&mut fitting, OptionsFilter::Fitting);
        assert!(fitting.options.iter().all(|o| o.feasible));
        assert_eq!(fitting.options.len(), full.options.iter().filter(|o| o.feasible).count());
        assert_eq!(fitting.search.options_filter, OptionsFilter::Fitting);
        assert_eq!(fitting.search.options_evaluated, full.options.len());
    }

    #[test]
    fn best_lists_one_fitting_row_per_group_and_one_excluded_row_per_kind_and_engine() {
        let full = report(None);
        let mut best = full.clone();
        select(&mut best, OptionsFilter::Best);
        assert!(best.options.len() * 4 < full.options.len(), "{} of {}", best.options.len(), full.options.len());
        // the recommendation and the cheapest options stay, in the report's order
        for id in [&best.recommendation.option_id, &best.cheapest.on_demand, &best.cheapest.reserved] {
            let id = id.as_deref().unwrap();
            assert!(best.option(id).is_some(), "{id}");
        }
        let order: Vec<&str> =
            full.options.iter().map(|o| o.id.as_str()).filter(|id| ids(&best).contains(*id)).collect();
        assert_eq!(best.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), order);
        // every group with a fit has exactly one fitting row under the policy (on-demand here),
        // plus the cheapest reserved option the report names
        let reserved = best.cheapest.reserved.clone().unwrap();
        let mut fitting_groups = BTreeSet::new();
        for o in full.options.iter().filter(|o| o.feasible) {
            fitting_groups.insert(group_key(o));
        }
        let rows: Vec<&OptionReport> = best.options.iter().filter(|o| o.feasible && o.id != reserved).collect();
        assert_eq!(rows.len(), fitting_groups.len());
        for o in &rows {
            assert!(term_allowed(&best, o.term.as_deref()), "{}", o.id);
            // the cheapest on-demand fit of its group
            let cheapest = full
                .options
                .iter()
                .find(|x| group_key(x) == group_key(o) && x.feasible && term_allowed(&best, x.term.as_deref()))
                .unwrap();
            assert!(o.id == cheapest.id || best.recommendation.option_id.as_deref() == Some(o.id.as_str()), "{}", o.id);
        }
        // one excluded row per kind × engine whose groups have no fit at all, none for the others
        let mut expected = BTreeSet::new();
        for o in &full.options {
            if !fitting_groups.contains(&group_key(o)) {
                expected.insert((o.kind.id(), o.engine.id()));
            }
        }
        let excluded: Vec<(&str, &str)> =
            best.options.iter().filter(|o| !o.feasible).map(|o| (o.kind.id(), o.engine.id())).collect();
        assert_eq!(excluded.iter().copied().collect::<BTreeSet<_>>(), expected);
        assert_eq!(excluded.len(), expected.len(), "one row each: {excluded:?}");
        assert!(best.options.iter().filter(|o| !o.feasible).all(|o| !o.excluded_reasons.is_empty()));
        assert_eq!(best.search.options_listed, best.options.len());
        assert_eq!(best.search.options_evaluated, full.options.len());
        // the pricing sources are those the listed lines cite
        for s in &best.pricing.sources {
            assert!(
                best.options
                    .iter()
                    .flat_map(|o| &o.lines)
                    .any(|l| l.price_source.id() == s.id && l.price_source.date() == s.date),
                "{} cited",
                s.id
            );
        }
        for p in best.options.iter().flat_map(|o| &o.lines).map(|l| &l.price_source) {
            assert!(
                best.pricing
                    .sources
                    .iter()
                    .any(|s| (s.id.as_str(), s.kind, s.date.as_str()) == (p.id(), p.kind(), p.date())),
                "{}",
                p.id()
            );
        }
        assert!(best.pricing.sources.len() <= full.pricing.sources.len());
    }

    #[test]
    fn best_follows_the_commit_policy() {
        let mut best = report(Some("1yr"));
        select(&mut best, OptionsFilter::Best);
        let star = best.recommended().unwrap();
        assert_eq!(star.term.as_deref(), Some("1yr-no-upfront"), "{}", star.id);
        assert!(
            best.options
                .iter()
                .filter(|o| o.feasible && o.kind == OptionKind::Node)
                .any(|o| o.term.as_deref() == Some("1yr-no-upfront")),
            "node rows on the committed term"
        );
        for o in best.options.iter().filter(|o| o.feasible && o.term.is_some()) {
            let named = best.cheapest.reserved.as_deref() == Some(o.id.as_str())
                || best.cheapest.on_demand.as_deref() == Some(o.id.as_str());
            assert!(term_allowed(&best, o.term.as_deref()) || named, "{}", o.id);
        }
    }

    /// Filtering before the reports are built lists exactly what filtering the built report
    /// does: the bundled plan's environments and an org's (pub/sub and split options, a
    /// current, budgets, reservations, Memcached, several regions), under every filter.
    #[test]
    fn issue_13_listing_before_the_reports_are_built_is_selecting_after() {
        use crate::report::{env_report, env_report_listed};
        use crate::source::plan::{EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, parse_plan};
        let book = embedded().unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let bundled = parse_plan(EXAMPLE_PLAN, EXAMPLE_PLAN_NAME, book).unwrap();
        let org = parse_plan(&crate::tui::sample::org_plan(24), "org.toml", book).unwrap();
        let mut seen = 0;
        for inputs in bundled.envs.iter().chain(&org.envs) {
            let eval = crate::model::evaluate::evaluate(inputs, book, as_of).unwrap();
            for filter in [OptionsFilter::Best, OptionsFilter::Fitting, OptionsFilter::All] {
                let mut selected = env_report(&eval, book, "p", as_of);
                select(&mut selected, filter);
                let listed = env_report_listed(&eval, book, "p", as_of, filter);
                assert_eq!(listed, selected, "{} with {filter:?}", inputs.name);
                seen += usize::from(listed.options.len() < eval.options.len());
            }
        }
        assert!(seen >= 2 * (bundled.envs.len() + org.envs.len()), "best and fitting left options out: {seen}");
    }

    #[test]
    fn terms_the_policy_allows() {
        let mut env = report(None);
        assert!(term_allowed(&env, None) && term_allowed(&env, Some("on-demand")));
        assert!(!term_allowed(&env, Some("1yr-no-upfront")));
        env.policy.commit = "3yr".into();
        env.policy.commit_payment = "all-upfront".into();
        assert!(term_allowed(&env, Some("1yr-all-upfront")) && term_allowed(&env, Some("3yr-all-upfront")));
        assert!(!term_allowed(&env, Some("3yr-no-upfront")));
        env.policy.commit = "1yr".into();
        assert!(!term_allowed(&env, Some("3yr-all-upfront")));
    }
}
