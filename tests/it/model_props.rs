//! Properties of the cost model over random workloads, on the embedded price book.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use capplan::model::capacity::Demand;
use capplan::model::evaluate::assess;
use capplan::model::workload::{
    EnvInputs, MAX_CLIENT_AZS, MAX_CONNECTIONS, MAX_DATA_GB, MAX_GROWTH_PCT, MAX_PER_SEC, MAX_PUBSUB_SUBSCRIBERS,
    MAX_SIZE_KB, Workload,
};
use capplan::model::{catalog::Engine, evaluate};
use capplan::report::env_report;
use capplan::source::offline::embedded;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn env(engine: Engine, ha: bool, w: Workload) -> EnvInputs {
    EnvInputs::new("prod", "us-east-1", engine, ha, w)
}

prop_compose! {
    fn workload()(
        data_cents in 0u64..400_000,          // 0 – 4,000 GiB
        extra_data in 0u64..100_000,
        rps in 0u64..2_000_000,
        extra_rps in 0u64..1_000_000,
        kb_tenths in 0u64..200,
        connections in 0u32..80_000,
        min_ecpu in prop_oneof![Just(0u64), 0u64..200_000],
        cross_slot in any::<bool>(),
    ) -> Workload {
        let data = Decimal::new(i64::try_from(data_cents).unwrap(), 2);
        let rps_d = Decimal::from(rps);
        Workload {
            data_gb: data,
            peak_data_gb: data + Decimal::new(i64::try_from(extra_data).unwrap(), 2),
            requests_per_sec: rps_d,
            peak_requests_per_sec: rps_d + Decimal::from(extra_rps),
            avg_request_kb: Decimal::new(i64::try_from(kb_tenths).unwrap(), 1),
            read_ratio: Decimal::new(8, 1),
            connections,
            min_ecpu_per_sec: Decimal::from(min_ecpu),
            cross_slot_commands: cross_slot,
            ..Workload::default()
        }
    }
}

/// A figure from 0 to `max` spread over every magnitude, `max` itself one time in four.
fn up_to(max: u64) -> impl Strategy<Value = Decimal> {
    let digits = max.ilog10();
    prop_oneof![
        3 => (0..=digits, 1u64..10).prop_map(move |(exp, m)| Decimal::from((m * 10u64.pow(exp)).min(max))),
        1 => Just(Decimal::from(max)),
    ]
}

prop_compose! {
    /// Any workload within the bounds every workload is held to ([`Workload::validate`]), the
    /// extremes included.
    fn bounded_workload()(
        data in up_to(MAX_DATA_GB),
        extra_data in up_to(MAX_DATA_GB),
        rps in up_to(MAX_PER_SEC),
        extra_rps in up_to(MAX_PER_SEC),
        kb in up_to(MAX_SIZE_KB),
        connections in prop_oneof![Just(MAX_CONNECTIONS), 0..=MAX_CONNECTIONS],
        min_ecpu in up_to(MAX_PER_SEC),
        growth in up_to(MAX_GROWTH_PCT),
        pubsub in up_to(MAX_PER_SEC),
        payload in up_to(MAX_SIZE_KB),
        subscribers in prop_oneof![Just(MAX_PUBSUB_SUBSCRIBERS), 0..=MAX_PUBSUB_SUBSCRIBERS],
        azs in 1..=MAX_CLIENT_AZS,
        flags in any::<[bool; 4]>(),
    ) -> Workload {
        Workload {
            data_gb: data,
            peak_data_gb: (data + extra_data).min(Decimal::from(MAX_DATA_GB)),
            requests_per_sec: rps,
            peak_requests_per_sec: (rps + extra_rps).min(Decimal::from(MAX_PER_SEC)),
            avg_request_kb: kb,
            connections,
            min_ecpu_per_sec: min_ecpu,
            growth_pct_per_month: growth,
            pubsub_messages_per_sec: pubsub,
            peak_pubsub_messages_per_sec: pubsub,
            pubsub_payload_kb: payload,
            pubsub_subscribers: subscribers,
            max_item_kb: flags[0].then_some(kb),
            cross_slot_commands: flags[1],
            must_not_evict: flags[2],
            client_cluster_aware: Some(flags[3]),
            client_azs: azs,
            ..Workload::default()
        }
    }
}

fn engine() -> impl Strategy<Value = Engine> {
    prop_oneof![Just(Engine::Valkey), Just(Engine::Redis), Just(Engine::Memcached)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Total = Σ lines exactly, and every line's monthly = quantity × unit price in its own unit,
    /// as the report carries them.
    #[test]
    fn totals_are_exact_sums_of_quantity_times_unit_price(w in workload(), engine in engine(), ha in any::<bool>()) {
        let book = embedded().unwrap();
        let eval = evaluate(&env(engine, ha, w), book, as_of()).unwrap();
        let report = env_report(&eval, book, "prop", as_of());
        prop_assert!(!report.options.is_empty());
        for option in &report.options {
            let mut sum = Decimal::ZERO;
            for line in &option.lines {
                prop_assert_eq!(line.monthly_usd, line.quantity * line.unit_usd, "{} / {}", option.id, line.item);
                prop_assert!(line.quantity >= Decimal::ZERO && line.unit_usd >= Decimal::ZERO);
                sum += line.monthly_usd;
            }
            prop_assert_eq!(option.monthly_usd, sum, "{}", option.id);
        }
        let sorted = report.options.windows(2).all(|w| w[0].monthly_usd <= w[1].monthly_usd);
        prop_assert!(sorted, "options are sorted by monthly cost");
    }

    /// The recommender's fast costing equals the sum of the lines the report shows.
    #[test]
    fn fast_node_costs_equal_the_line_items(w in workload(), engine in engine(), ha in any::<bool>()) {
        let book = embedded().unwrap();
        let e = env(engine, ha, w);
        let eval = evaluate(&e, book, as_of()).unwrap();
        let traffic = capplan::model::cost::Traffic::of(&e.workload);
        let mut checked = 0;
        for option in &eval.options {
            if let capplan::model::workload::Deployment::Node { layout, term } = &option.deployment {
                let cross_az = capplan::model::cost::cross_az_gb(&e, &traffic, capplan::model::cost::read_azs(layout));
                let fast = capplan::model::cost::node_monthly_usd(&e.region, layout, *term, &e.option_backup(), cross_az, book).unwrap();
                prop_assert_eq!(fast.0, option.monthly_usd(), "{}", option.id);
                if option.cost.upfront_known {
                    prop_assert_eq!(fast.1, option.cost.upfront_usd, "{}", option.id);
                }
                checked += 1;
            }
        }
        prop_assert!(checked > 0);
    }

    /// Issue 13: every workload within the bounds evaluates, to the very largest (no overflow,
    /// no panic), and so does the report built from it.
    #[test]
    fn every_workload_within_the_bounds_evaluates(w in bounded_workload(), engine in engine(), ha in any::<bool>()) {
        prop_assert!(w.validate().is_ok(), "{:?}", w.validate());
        let book = embedded().unwrap();
        let e = env(engine, ha, w);
        let eval = evaluate(&e, book, as_of());
        prop_assert!(eval.is_ok(), "{:?}", eval.err());
        let report = capplan::report::evaluate_env(&e, None, book, "prop", as_of());
        prop_assert!(report.is_ok(), "{:?}", report.err());
    }

    /// More data or more requests never costs less for the same option.
    #[test]
    fn more_load_never_costs_less_for_the_same_option(
        w in workload(),
        engine in engine(),
        more_data_cents in 0u64..100_000,
        more_rps in 0u64..500_000,
        more_kb_tenths in 0u64..50,
    ) {
        let book = embedded().unwrap();
        let small = env(engine, true, w.clone());
        let mut bigger = w;
        bigger.data_gb += Decimal::new(i64::try_from(more_data_cents).unwrap(), 2);
        bigger.peak_data_gb += Decimal::new(i64::try_from(more_data_cents).unwrap(), 2);
        bigger.requests_per_sec += Decimal::from(more_rps);
        bigger.peak_requests_per_sec += Decimal::from(more_rps);
        bigger.avg_request_kb += Decimal::new(i64::try_from(more_kb_tenths).unwrap(), 1);
        let big = env(engine, true, bigger);
        let eval = evaluate(&small, book, as_of()).unwrap();
        for option in &eval.options {
            let demand = Demand::of(&big.workload, &big.policy);
            let again = assess(&option.deployment, &big.option_backup(), None, &big, &demand, book, as_of()).unwrap();
            prop_assert!(again.monthly_usd() >= option.monthly_usd(), "{}: {} < {}", option.id, again.monthly_usd(), option.monthly_usd());
        }
    }
}
