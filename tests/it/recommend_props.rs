//! Properties of the recommender over random workloads, on the embedded price book.
//!
//! Two kinds: what the judged recommendation always respects (every constraint it claims, no
//! cluster mode a client cannot follow, no burstable node in production, Upstash's Prod Pack
//! under HA, at most the simplicity margin above the cheapest fit of its pool); and, on a
//! neutral policy where judgement adds no preference (a cluster-aware client, no keyspace
//! listeners or pub/sub, a zero simplicity margin), the cost properties: the winner is the
//! brute-force minimum, more load never recommends less, relaxing a constraint never costs more.
//! The judged policy prefers simpler layouts within a margin and uses cluster mode only as a last
//! resort for some workloads, so there a cheaper cluster layout can replace a simpler one once
//! the simple ones stop fitting: monotone cost is a property of the neutral policy only.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

use capplan::model::capacity::{Demand, memory_factor};
use capplan::model::catalog::{Engine, NodeId};
use capplan::model::evaluate::{EnvEvaluation, OptionKind};
use capplan::model::price::{PriceBook, Term, TermLength};
use capplan::model::recommend::{SearchStats, brute_force, eligible};
use capplan::model::workload::{Auth, Deployment, EnvInputs, Tier, Workload};
use capplan::model::{evaluate, units::to_f64};
use capplan::source::offline::embedded;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn dec(cents: u64) -> Decimal {
    Decimal::new(i64::try_from(cents).unwrap(), 2)
}

prop_compose! {
    fn workload()(
        data in 0u64..20_000,                 // 0 – 200 GiB
        extra in 0u64..5_000,
        rps in 0u64..150_000,
        extra_rps in 0u64..150_000,
        kb in 1u64..40,
        read in 0u64..=100,
        connections in 0u32..70_000,
        growth in 0u64..400,                  // 0 – 4 %/month
        pubsub in prop_oneof![Just(0u64), 0u64..30_000],
        subscribers in 0u32..32,
        flags in any::<[bool; 6]>(),
        hot in prop_oneof![Just(0u64), 0u64..30],
    ) -> Workload {
        Workload {
            data_gb: dec(data),
            peak_data_gb: dec(data + extra),
            requests_per_sec: Decimal::from(rps),
            peak_requests_per_sec: Decimal::from(rps + extra_rps),
            avg_request_kb: Decimal::new(i64::try_from(kb).unwrap(), 1),
            read_ratio: Decimal::new(i64::try_from(read).unwrap(), 2),
            connections,
            growth_pct_per_month: dec(growth),
            pubsub_messages_per_sec: Decimal::from(pubsub),
            peak_pubsub_messages_per_sec: Decimal::from(pubsub * 2),
            pubsub_subscribers: subscribers,
            cross_slot_commands: flags[0],
            keyspace_notifications: flags[1],
            uses_select: flags[2],
            reads_from_replicas: if flags[3] { Some(true) } else { None },
            auth: if flags[4] { Auth::Password } else { Auth::Rbac },
            tls: !flags[5],
            hot_key_share: dec(hot),
            ..Workload::default()
        }
    }
}

prop_compose! {
    /// Workloads most small catalogs can serve, so the comparisons are rarely vacuous.
    fn modest_workload()(
        data in 0u64..3_000,                  // 0 – 30 GiB
        rps in 0u64..30_000,
        extra_rps in 0u64..30_000,
        kb in 1u64..20,
        read in 50u64..=100,
        connections in 0u32..5_000,
        growth in 0u64..300,
        flags in any::<[bool; 3]>(),
    ) -> Workload {
        Workload {
            data_gb: dec(data),
            peak_data_gb: dec(data + data / 4),
            requests_per_sec: Decimal::from(rps),
            peak_requests_per_sec: Decimal::from(rps + extra_rps),
            avg_request_kb: Decimal::new(i64::try_from(kb).unwrap(), 1),
            read_ratio: Decimal::new(i64::try_from(read).unwrap(), 2),
            connections,
            growth_pct_per_month: dec(growth),
            cross_slot_commands: flags[0],
            reads_from_replicas: if flags[1] { None } else { Some(false) },
            tls: !flags[2],
            ..Workload::default()
        }
    }
}

fn engine() -> impl Strategy<Value = Engine> {
    prop_oneof![Just(Engine::Valkey), Just(Engine::Redis), Just(Engine::Memcached)]
}

fn env(engine: Engine, ha: bool, w: Workload) -> EnvInputs {
    EnvInputs::new("prod", "us-east-1", engine, ha, w)
}

/// The same environment where judgement adds no preference: a cluster-aware client, no keyspace
/// listeners, no pub/sub, reads from replicas settled either way, a zero simplicity margin.
fn neutral(mut e: EnvInputs) -> EnvInputs {
    e.workload.client_cluster_aware = Some(true);
    e.workload.reads_from_replicas = Some(e.workload.reads_from_replicas.unwrap_or(true));
    e.workload.pubsub_messages_per_sec = Decimal::ZERO;
    e.workload.peak_pubsub_messages_per_sec = Decimal::ZERO;
    e.policy.simplicity_margin = Decimal::ZERO;
    e
}

fn winner_usd(e: &EnvEvaluation) -> Option<Decimal> {
    e.recommended().map(capplan::model::evaluate::Evaluated::monthly_usd)
}

/// A book that prices only `keep` node types in us-east-1 (a small catalog).
fn small_book(keep: &BTreeSet<NodeId>) -> PriceBook {
    let mut book = embedded().unwrap().clone();
    let region = book.regions.get_mut("us-east-1").unwrap();
    region.on_demand.retain(|(node, _), _| keep.contains(node));
    region.reserved.retain(|(node, _, _), _| keep.contains(node));
    book
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// What the recommendation claims, checked with our own arithmetic from the catalog.
    #[test]
    fn the_recommended_option_satisfies_every_constraint_it_claims(w in prop_oneof![workload(), modest_workload()], engine in engine(), ha in any::<bool>(), commit in any::<bool>()) {
        let book = embedded().unwrap();
        let mut e = env(engine, ha, w);
        if commit {
            e.commit.length = Some(TermLength::OneYear);
        }
        let eval = evaluate(&e, book, as_of()).unwrap();
        let Some(winner) = eval.recommended() else {
            // nothing fits: then no option may be eligible
            prop_assert!(!eval.options.iter().any(|o| eligible(o, &e)));
            return Ok(());
        };
        prop_assert!(winner.feasible());
        prop_assert!(winner.deployment.term().is_none_or(|t| e.commit.allows(t)));
        let w = &e.workload;
        let growth = (1.0 + to_f64(w.growth_pct_per_month) / 100.0).powi(12);
        let peak_data = to_f64(w.peak_data_gb) * growth;
        match &winner.deployment {
            Deployment::Node { layout, term } => {
                let node = book.catalog.node(layout.node);
                prop_assert!(layout.engine.serves(engine));
                prop_assert!(!(layout.cluster_mode && (w.cross_slot_commands || w.uses_select) && engine != Engine::Memcached));
                prop_assert!(!(layout.cluster_mode && w.client_cluster_aware == Some(false)));
                prop_assert!(!(node.is_burstable() && e.tier == Tier::Production), "{} in production", node.name);
                prop_assert!(!layout.replica_reads || w.reads_from_replicas != Some(false));
                prop_assert!(!ha || layout.replicas >= 1 || layout.engine == Engine::Memcached);
                prop_assert!(layout.nodes() <= 90);
                let reserved = match node.size() { "micro" => 0.5, "small" => 0.3, _ => 0.25 };
                let tiered = node.ssd_gib.is_some() && to_f64(w.hot_data_fraction) <= 0.2;
                let usable = node.memory_bytes as f64 / f64::from(1u32 << 30) * (1.0 - reserved) * if tiered { 4.8 } else { 1.0 };
                let need = peak_data * memory_factor(layout.engine, w.write_ratio());
                prop_assert!(need <= 0.75 * usable * f64::from(layout.shards) + 1e-9, "{}: {need} GiB on {}", winner.id, node.name);
                prop_assert!(f64::from(w.connections) * growth <= 0.75 * f64::from(node.maxclients) + 1e-9);
                prop_assert!(*term == Term::OnDemand || e.commit.allows(*term));
                for u in [winner.utilization.memory, winner.utilization.cpu, winner.utilization.network, winner.utilization.connections].into_iter().flatten() {
                    prop_assert!(u <= 0.75 + 1e-12);
                }
            }
            Deployment::Serverless { engine: se, .. } => {
                prop_assert!(se.serves(engine));
                if *se != Engine::Memcached {
                    prop_assert!(!w.cross_slot_commands && !w.keyspace_notifications && !w.uses_select && w.auth != Auth::Password);
                }
                prop_assert!(w.tls);
                prop_assert!(peak_data <= 0.75 * 5000.0 + 1e-9);
                prop_assert!(f64::from(w.connections) * growth <= 65_000.0);
            }
            Deployment::Upstash { plan } => {
                prop_assert!(engine != Engine::Memcached);
                if ha {
                    prop_assert!(plan != "free");
                    prop_assert!(winner.cost.lines.iter().any(|l| l.item.starts_with("Prod Pack")), "{} without the Prod Pack", winner.id);
                }
                let cap = if plan == "payg" { 100.0 } else {
                    to_f64(book.upstash.plans.iter().find(|p| &p.id == plan).unwrap().data_gib)
                };
                prop_assert!(peak_data <= 0.75 * cap + 1e-9);
            }
            Deployment::Split { adapter, state, .. } => {
                prop_assert!(w.has_pubsub());
                prop_assert!(!adapter.cluster_mode && adapter.shards == 1);
                prop_assert!(!(state.cluster_mode && (w.cross_slot_commands || w.uses_select)));
            }
        }
    }

    /// The judged winner is eligible, at most the simplicity margin above the cheapest option of
    /// its pool, and a last resort only when nothing else is eligible.
    #[test]
    fn the_judged_winner_stays_within_the_margin_of_its_pool(w in prop_oneof![workload(), modest_workload()], engine in engine(), ha in any::<bool>(), aware in prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]) {
        let book = embedded().unwrap();
        let mut e = env(engine, ha, w);
        e.workload.client_cluster_aware = aware;
        let eval = evaluate(&e, book, as_of()).unwrap();
        let Some(winner) = eval.recommended() else { return Ok(()) };
        let eligible: Vec<_> = eval.options.iter().filter(|o| eligible(o, &e)).collect();
        let preferred: Vec<_> = eligible.iter().filter(|o| o.last_resort.is_empty()).collect();
        if !winner.last_resort.is_empty() {
            prop_assert!(preferred.is_empty(), "{} is a last resort but {} was eligible", winner.id, preferred[0].id);
        }
        let pool_min = if preferred.is_empty() {
            eligible.iter().map(|o| o.monthly_usd()).min()
        } else {
            preferred.iter().map(|o| o.monthly_usd()).min()
        }.unwrap();
        prop_assert!(winner.monthly_usd() <= pool_min * (Decimal::ONE + e.policy.simplicity_margin), "{} at {} over {}", winner.id, winner.monthly_usd(), pool_min);
    }

    /// On small catalogs the winner equals a brute-force minimum over every layout and term
    /// (neutral policy).
    #[test]
    fn the_winner_is_the_brute_force_minimum_on_small_catalogs(
        w in modest_workload(),
        engine in engine(),
        ha in any::<bool>(),
        picks in proptest::collection::btree_set(0usize..59, 1..6),
        commit in prop_oneof![Just(None), Just(Some(TermLength::OneYear)), Just(Some(TermLength::ThreeYears))],
    ) {
        let keep: BTreeSet<NodeId> = picks.into_iter().map(NodeId).collect();
        let book = small_book(&keep);
        let mut e = neutral(env(engine, ha, w));
        e.commit.length = commit;
        let eval = evaluate(&e, &book, as_of()).unwrap();
        let demand = Demand::of(&e.workload, &e.policy);
        let nodes: Vec<NodeId> = keep.iter().copied().collect();
        let mut stats = SearchStats::default();
        let brute_nodes = Engine::ALL
            .into_iter()
            .filter(|en| en.serves(engine))
            .filter_map(|en| brute_force(&e, &demand, &nodes, en, &book, &mut stats).map(|b| b.0))
            .min();
        let others = eval.options.iter().filter(|o| o.kind != OptionKind::Node && eligible(o, &e)).map(capplan::model::evaluate::Evaluated::monthly_usd).min();
        let expected = match (brute_nodes, others) { (Some(a), Some(b)) => Some(a.min(b)), (a, b) => a.or(b) };
        prop_assert_eq!(winner_usd(&eval), expected);
    }

    /// More load never makes the recommendation cheaper (neutral policy).
    #[test]
    fn more_load_never_recommends_less(w in modest_workload(), engine in engine(), ha in any::<bool>(), more_data in 0u64..5_000, more_rps in 0u64..50_000) {
        let book = embedded().unwrap();
        let small = neutral(env(engine, ha, w.clone()));
        let mut bigger = w;
        bigger.data_gb += dec(more_data);
        bigger.peak_data_gb += dec(more_data);
        bigger.requests_per_sec += Decimal::from(more_rps);
        bigger.peak_requests_per_sec += Decimal::from(more_rps);
        let a = winner_usd(&evaluate(&small, book, as_of()).unwrap());
        let b = winner_usd(&evaluate(&neutral(env(engine, ha, bigger)), book, as_of()).unwrap());
        match (a, b) {
            (Some(a), Some(b)) => prop_assert!(b >= a, "{b} < {a}"),
            (None, Some(_)) => prop_assert!(false, "the smaller load found nothing, the bigger one did"),
            _ => {}
        }
    }

    /// Removing a constraint never makes the answer more expensive (neutral policy).
    #[test]
    fn removing_a_constraint_never_costs_more(w in workload(), engine in engine(), ha in any::<bool>(), which in 0usize..7) {
        let book = embedded().unwrap();
        let constrained = neutral(env(engine, ha, w));
        let mut relaxed = constrained.clone();
        let rw = &mut relaxed.workload;
        match which {
            0 => rw.cross_slot_commands = false,
            1 => rw.keyspace_notifications = false,
            2 => rw.uses_select = false,
            3 => rw.auth = Auth::Rbac,
            4 => rw.tls = true,
            5 => relaxed.ha = false,
            _ => rw.hot_key_share = Decimal::ZERO,
        }
        let a = winner_usd(&evaluate(&constrained, book, as_of()).unwrap());
        let b = winner_usd(&evaluate(&relaxed, book, as_of()).unwrap());
        match (a, b) {
            (Some(a), Some(b)) => prop_assert!(b <= a, "relaxing #{which} cost {b} > {a}"),
            (Some(_), None) => prop_assert!(false, "relaxing #{which} left nothing that fits"),
            _ => {}
        }
    }
}
