//! What changed between two price lists of one region: the prices a refresh replaces and the
//! ones it brings. Changed prices are listed one by one (`cache.r7g.large valkey on-demand
//! 0.2016 → 0.1976`); prices that appear or disappear are counted by kind
//! (`+ 14 Serverless rates in eu-west-1`). A price whose value is the same is unchanged, whatever
//! its source says.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;

use super::catalog::{Catalog, Engine};
use super::price::{RegionPrices, ReservedOffer, Term};

/// Kinds of price, as counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PriceCategory {
    /// On-demand node-hours.
    OnDemand,
    /// Reserved offers.
    Reserved,
    /// Serverless storage and ECPU rates.
    Serverless,
    /// Extended Support surcharges.
    ExtendedSupport,
    /// Snapshot storage.
    Backup,
}

impl PriceCategory {
    /// `on-demand node prices`, `reserved offers`…, singular or plural.
    pub fn noun(self, n: usize) -> &'static str {
        let one = n == 1;
        match self {
            PriceCategory::OnDemand if one => "on-demand node price",
            PriceCategory::OnDemand => "on-demand node prices",
            PriceCategory::Reserved if one => "reserved offer",
            PriceCategory::Reserved => "reserved offers",
            PriceCategory::Serverless if one => "Serverless rate",
            PriceCategory::Serverless => "Serverless rates",
            PriceCategory::ExtendedSupport if one => "Extended Support rate",
            PriceCategory::ExtendedSupport => "Extended Support rates",
            PriceCategory::Backup if one => "snapshot storage rate",
            PriceCategory::Backup => "snapshot storage rates",
        }
    }
}

/// One price whose value changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceChange {
    /// What it is: `cache.r7g.large valkey on-demand`.
    pub what: String,
    /// The old value as shown.
    pub old: String,
    /// The new value as shown.
    pub new: String,
}

impl fmt::Display for PriceChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} → {}", self.what, self.old, self.new)
    }
}

/// Every difference between the old and the new prices of one region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegionChanges {
    /// Region code.
    pub region: String,
    /// Prices whose value changed, sorted by what they are.
    pub changed: Vec<PriceChange>,
    /// Prices only the new list has, counted by kind.
    pub added: BTreeMap<PriceCategory, usize>,
    /// Prices only the old list has, counted by kind.
    pub removed: BTreeMap<PriceCategory, usize>,
    /// Prices in both with the same value.
    pub unchanged: usize,
}

fn shown(d: Decimal) -> String {
    d.normalize().to_string()
}

fn offer_shown(o: &ReservedOffer) -> String {
    match (o.upfront_usd, o.hourly_usd) {
        (Some(up), Some(h)) => format!("upfront {} + {}/h", shown(up), shown(h)),
        _ => format!("effective {}/h", shown(o.effective_hourly_usd.unwrap_or_default())),
    }
}

fn same_offer(a: &ReservedOffer, b: &ReservedOffer) -> bool {
    (a.upfront_usd, a.hourly_usd, a.effective_hourly_usd) == (b.upfront_usd, b.hourly_usd, b.effective_hourly_usd)
}

/// Compare two maps of one kind: values that changed, keys only in one of them, keys in both.
fn compare<K: Ord, V>(
    out: &mut RegionChanges,
    category: PriceCategory,
    old: &BTreeMap<K, V>,
    new: &BTreeMap<K, V>,
    same: impl Fn(&V, &V) -> bool,
    describe: impl Fn(&K, &V, &V) -> PriceChange,
) {
    for (key, n) in new {
        match old.get(key) {
            Some(o) if same(o, n) => out.unchanged += 1,
            Some(o) => out.changed.push(describe(key, o, n)),
            None => *out.added.entry(category).or_default() += 1,
        }
    }
    let gone = old.keys().filter(|k| !new.contains_key(*k)).count();
    if gone > 0 {
        *out.removed.entry(category).or_default() += gone;
    }
}

/// What changed from `old` to `new` in `region` (`catalog` names the node types).
pub fn region_changes(region: &str, catalog: &Catalog, old: &RegionPrices, new: &RegionPrices) -> RegionChanges {
    let mut out = RegionChanges { region: region.to_string(), ..RegionChanges::default() };
    let name = |id| catalog.node(id).name.as_str();
    compare(
        &mut out,
        PriceCategory::OnDemand,
        &old.on_demand,
        &new.on_demand,
        |a, b| a.usd == b.usd,
        |(node, engine), a, b| PriceChange {
            what: format!("{} {} on-demand", name(*node), engine.id()),
            old: shown(a.usd),
            new: shown(b.usd),
        },
    );
    compare(
        &mut out,
        PriceCategory::Reserved,
        &old.reserved,
        &new.reserved,
        same_offer,
        |(node, engine, term), a, b| {
            let term = match term {
                Term::Reserved(length, payment) => format!("{} {}", length.id(), payment.id()),
                Term::OnDemand => "on-demand".to_string(),
            };
            PriceChange {
                what: format!("{} {} reserved {term}", name(*node), engine.id()),
                old: offer_shown(a),
                new: offer_shown(b),
            }
        },
    );
    let rates = |prices: &RegionPrices| -> BTreeMap<(Engine, &'static str), Decimal> {
        let mut m = BTreeMap::new();
        for (engine, r) in &prices.serverless {
            m.insert((*engine, "storage $/GB-hour"), r.storage_gb_hour.usd);
            m.insert((*engine, "ECPU $/million"), r.ecpu_per_million.usd);
        }
        m
    };
    compare(
        &mut out,
        PriceCategory::Serverless,
        &rates(old),
        &rates(new),
        |a, b| a == b,
        |(engine, what), a, b| PriceChange {
            what: format!("Serverless {} {what}", engine.id()),
            old: shown(*a),
            new: shown(*b),
        },
    );
    compare(
        &mut out,
        PriceCategory::ExtendedSupport,
        &old.extended_support,
        &new.extended_support,
        |a, b| a.usd == b.usd,
        |(node, period), a, b| PriceChange {
            what: format!("{} Extended Support {}", name(*node), period.label()),
            old: shown(a.usd),
            new: shown(b.usd),
        },
    );
    let backup =
        |prices: &RegionPrices| -> BTreeMap<(), Decimal> { prices.backup.iter().map(|r| ((), r.usd)).collect() };
    compare(
        &mut out,
        PriceCategory::Backup,
        &backup(old),
        &backup(new),
        |a, b| a == b,
        |(), a, b| PriceChange { what: "snapshot storage $/GB-month".to_string(), old: shown(*a), new: shown(*b) },
    );
    out.changed.sort_by(|a, b| a.what.cmp(&b.what));
    out
}

impl RegionChanges {
    /// Whether nothing changed, appeared or disappeared.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }

    /// The changes as lines, at most `max_changes` of them listed one by one (the rest
    /// summarised), then what was added and removed, by kind; `no change` when nothing did.
    pub fn lines(&self, max_changes: usize) -> Vec<String> {
        let region = &self.region;
        if self.is_empty() {
            return vec![format!("no change ({} prices in {region}, each the same as before)", self.unchanged)];
        }
        let mut out: Vec<String> = self.changed.iter().take(max_changes).map(ToString::to_string).collect();
        if self.changed.len() > max_changes {
            out.push(format!("… and {} more changed prices in {region}", self.changed.len() - max_changes));
        }
        for (category, n) in &self.added {
            out.push(format!("+ {n} {} in {region}", category.noun(*n)));
        }
        for (category, n) in &self.removed {
            out.push(format!("- {n} {} in {region} (no longer in the new prices)", category.noun(*n)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::catalog::NodeType;
    use crate::model::price::{PriceKind, Provenance, Rate, ServerlessRates, Source, SourcedGb};
    use rust_decimal_macros::dec;
    use std::sync::Arc;

    fn catalog() -> Catalog {
        let node = |name: &str| NodeType {
            name: name.to_string(),
            family: "r7g".into(),
            vcpu: 2,
            memory_bytes: 1 << 34,
            baseline_gbps: 0.937,
            burst_gbps: None,
            ssd_gib: None,
            cpu_credit_baseline_pct: None,
            maxclients: 65_000,
            engines: Engine::ALL.to_vec(),
        };
        Catalog::new(vec![node("cache.r7g.large"), node("cache.r7g.xlarge")])
    }

    fn source() -> Source {
        Arc::new(Provenance {
            kind: PriceKind::AwsPriceList,
            source_id: "t".into(),
            source: "t".into(),
            date: "2026-11-20".into(),
            note: None,
        })
    }

    fn rate(usd: Decimal) -> Rate {
        Rate { usd, source: source() }
    }

    #[test]
    fn a_changed_price_is_listed_and_new_rates_are_counted() {
        let c = catalog();
        let large = c.find("cache.r7g.large").unwrap();
        let xlarge = c.find("cache.r7g.xlarge").unwrap();
        let mut old = RegionPrices::default();
        old.on_demand.insert((large, Engine::Valkey), rate(dec!(0.2016)));
        old.on_demand.insert((xlarge, Engine::Valkey), rate(dec!(0.4032)));
        let mut new = old.clone();
        new.on_demand.insert((large, Engine::Valkey), rate(dec!(0.1976)));
        new.on_demand.remove(&(xlarge, Engine::Valkey));
        for engine in [Engine::Valkey, Engine::Redis] {
            new.serverless.insert(
                engine,
                ServerlessRates {
                    storage_gb_hour: rate(dec!(0.084)),
                    ecpu_per_million: rate(dec!(0.0023)),
                    min_storage_gb: SourcedGb { gb: dec!(0.1), source: rate(dec!(0)).source },
                },
            );
        }
        let changes = region_changes("eu-west-1", &c, &old, &new);
        assert_eq!(
            changes.lines(10),
            [
                "cache.r7g.large valkey on-demand 0.2016 → 0.1976",
                "+ 4 Serverless rates in eu-west-1",
                "- 1 on-demand node price in eu-west-1 (no longer in the new prices)",
            ]
        );
        assert_eq!(changes.unchanged, 0);
    }

    #[test]
    fn same_values_are_no_change_and_long_lists_are_bounded() {
        let c = catalog();
        let large = c.find("cache.r7g.large").unwrap();
        let mut old = RegionPrices::default();
        for (i, engine) in Engine::ALL.into_iter().enumerate() {
            old.on_demand.insert((large, engine), rate(Decimal::from(i + 1)));
        }
        let same = region_changes("us-east-2", &c, &old, &old.clone());
        assert!(same.is_empty());
        assert_eq!(same.lines(5), ["no change (3 prices in us-east-2, each the same as before)"]);
        let mut new = old.clone();
        for r in new.on_demand.values_mut() {
            r.usd += dec!(1);
        }
        let lines = region_changes("us-east-2", &c, &old, &new).lines(2);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2], "… and 1 more changed prices in us-east-2");
    }
}
