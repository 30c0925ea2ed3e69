//! The actual bill of one month (what AWS charged for ElastiCache, by usage type and resource)
//! and the calendar month it covers. Read by `source::bill` (Cost Explorer or a Cost and Usage
//! Report file); reconciled with the model's line items by the monthly review.

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

/// A calendar month, `2026-10`.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Year, 2000–2200.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
}

/// A month that is not `YYYY-MM` within 2000–2200.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a month: write it as YYYY-MM, e.g. 2026-10 (years 2000–2200)")]
pub struct BadMonth(pub String);

impl Month {
    /// Parse `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Month, BadMonth> {
        let bad = || BadMonth(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(2000..=2200).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    /// The month before.
    pub fn previous(self) -> Month {
        if self.month == 1 { Month { year: self.year - 1, month: 12 } } else { Month { month: self.month - 1, ..self } }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 { Month { year: self.year + 1, month: 1 } } else { Month { month: self.month + 1, ..self } }
    }

    /// Days in the month.
    pub fn days(self) -> u32 {
        match self.month {
            2 if (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// Hours in the month (what a node runs all month is billed for: 672–744, not the 730 of
    /// the planning month).
    pub fn hours(self) -> u32 {
        self.days() * 24
    }

    /// First instant, epoch seconds (UTC).
    pub fn start_epoch(self) -> i64 {
        days_from_civil(self.year, self.month, 1) * 86_400
    }

    /// First instant of the next month, epoch seconds (UTC).
    pub fn end_epoch(self) -> i64 {
        self.next().start_epoch()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Month::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// What a usage type bills, in the groups the review reconciles by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageCategory {
    /// Node-hours (`NodeUsage:cache.r7g.large`, on demand or covered by a reservation) and a
    /// reservation's recurring fee (`HeavyUsage:cache.r7g.large`).
    NodeUsage,
    /// Extended Support node-hours of an end-of-life Redis OSS version.
    ExtendedSupport,
    /// Serverless data stored (`CachedData:Valkey`), GB-hours.
    CachedData,
    /// Serverless ElastiCache Processing Units.
    ProcessingUnits,
    /// Snapshot storage (`BackupUsage`).
    BackupUsage,
    /// Data transfer (`DataTransfer-Regional-Bytes`, `-In-Bytes`, `-Out-Bytes`…).
    DataTransfer,
    /// Anything else (a reservation's one-time upfront fee, tax, credits).
    Other,
}

impl UsageCategory {
    /// Every category, in report order.
    pub const ALL: [UsageCategory; 7] = [
        UsageCategory::NodeUsage,
        UsageCategory::ExtendedSupport,
        UsageCategory::CachedData,
        UsageCategory::ProcessingUnits,
        UsageCategory::BackupUsage,
        UsageCategory::DataTransfer,
        UsageCategory::Other,
    ];

    /// The group a usage type belongs to: `USE1-NodeUsage:cache.m7g.large` → node usage,
    /// `EU-CachedData:Valkey` → cached data, `USE1-ElastiCacheProcessingUnits:Valkey` →
    /// processing units, `USW2-BackupUsage` → backup, `USE1-DataTransfer-Regional-Bytes` →
    /// data transfer. The region prefix (absent in us-east-1 for node usage) is ignored.
    pub fn of(usage_type: &str) -> UsageCategory {
        let t = usage_type;
        if t.contains("ExtendedSupport") {
            UsageCategory::ExtendedSupport
        } else if t.contains("NodeUsage") || t.contains("HeavyUsage") {
            UsageCategory::NodeUsage
        } else if t.contains("CachedData") {
            UsageCategory::CachedData
        } else if t.contains("ProcessingUnits") {
            UsageCategory::ProcessingUnits
        } else if t.contains("BackupUsage") {
            UsageCategory::BackupUsage
        } else if t.contains("DataTransfer") || t.contains("-Bytes") {
            UsageCategory::DataTransfer
        } else {
            UsageCategory::Other
        }
    }

    /// Stable id, as in the JSON.
    pub fn id(self) -> &'static str {
        match self {
            UsageCategory::NodeUsage => "node-usage",
            UsageCategory::ExtendedSupport => "extended-support",
            UsageCategory::CachedData => "cached-data",
            UsageCategory::ProcessingUnits => "processing-units",
            UsageCategory::BackupUsage => "backup-usage",
            UsageCategory::DataTransfer => "data-transfer",
            UsageCategory::Other => "other",
        }
    }
}

/// One charge of the bill: a usage type (and a resource when the source names it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BilledLine {
    /// AWS usage type as billed, e.g. `USE1-NodeUsage:cache.r7g.large`.
    pub usage_type: String,
    /// The resource charged (a cache cluster or serverless cache ARN or id), when known.
    pub resource: Option<String>,
    /// Cost allocation tags on the resource, `key=value`, when the source has them.
    pub tags: Vec<(String, String)>,
    /// Amount charged, USD (unblended).
    pub usd: Decimal,
    /// Usage quantity, when the source has it (node-hours, GB-hours, ECPU, GB…).
    pub quantity: Option<Decimal>,
    /// Unit of `quantity` as the source writes it (`Hrs`, `GB-Hours`…).
    pub unit: Option<String>,
}

impl BilledLine {
    /// The group the line's usage type belongs to.
    pub fn category(&self) -> UsageCategory {
        UsageCategory::of(&self.usage_type)
    }
}

/// What AWS charged for ElastiCache in one month.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bill {
    /// The month.
    pub month: Month,
    /// Where it was read, in words: `Cost Explorer GetCostAndUsage (3 requests, $0.03)` or
    /// `Cost and Usage Report cur-2026-10.csv.gz`.
    pub source: String,
    /// The charges.
    pub lines: Vec<BilledLine>,
}

impl Bill {
    /// Total charged, USD.
    pub fn total_usd(&self) -> Decimal {
        self.lines.iter().map(|l| l.usd).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_count_their_hours() {
        let m = Month::parse("2026-10").unwrap();
        assert_eq!((m.year, m.month, m.hours()), (2026, 10, 744));
        assert_eq!(m.to_string(), "2026-10");
        assert_eq!(Month::parse("2028-02").unwrap().hours(), 696);
        assert_eq!(Month::parse("2026-02").unwrap().hours(), 672);
        assert_eq!(Month::parse("2026-01").unwrap().previous().to_string(), "2025-12");
        assert_eq!(Month::parse("2026-12").unwrap().next().to_string(), "2027-01");
        assert_eq!(Month::parse("2026-10").unwrap().start_epoch(), 1_790_812_800);
        assert_eq!(
            Month::parse("2026-10").unwrap().end_epoch() - Month::parse("2026-10").unwrap().start_epoch(),
            744 * 3600
        );
        for bad in ["2026-13", "2026-1", "26-10", "2026/10", "", "1999-12", "2026-00", "２０２６-10"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usage_types_fall_in_their_groups() {
        use UsageCategory as C;
        for (t, c) in [
            ("NodeUsage:cache.r7g.large", C::NodeUsage),
            ("EU-NodeUsage:cache.m7g.large", C::NodeUsage),
            ("USE1-HeavyUsage:cache.r7g.large", C::NodeUsage),
            ("USW2-ExtendedSupportYr1_Yr2-NodeUsage:cache.t3.medium", C::ExtendedSupport),
            ("USE1-CachedData:Valkey", C::CachedData),
            ("USE1-ElastiCacheProcessingUnits:Redis", C::ProcessingUnits),
            ("USE1-BackupUsage:Redis", C::BackupUsage),
            ("USE1-DataTransfer-Regional-Bytes", C::DataTransfer),
            ("USE1-USW2-AWS-Out-Bytes", C::DataTransfer),
        ] {
            assert_eq!(C::of(t), c, "{t}");
        }
    }
}
