//! Properties of the cost model over random workloads, on the embedded price book.

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use capplan::model::capacity::Demand;
use capplan::model::evaluate::assess;
use capplan::model::workload::{EnvInputs, Workload};
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
