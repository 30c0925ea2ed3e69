//! The actual bill of a month, read from a Cost and Usage Report export (legacy CUR or CUR 2.0
//! / Data Exports, CSV, gzipped or not) or from Cost Explorer (`GetCostAndUsage`, every page),
//! into a plain [`Bill`] of ElastiCache charges by usage type (and resource or tag).
//!
//! The row and answer mapping is pure and unit-tested; [`cost_explorer`] is the thin async
//! shell around the SDK. Cost Explorer charges $0.01 per request (each page is one); the bill
//! says how many were made.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition, GroupDefinitionType,
};
use rust_decimal::Decimal;

use super::SourceError;
use super::aws::{Context, SdkConfig, map_error};
use crate::model::bill::{Bill, BilledLine, Month};

/// The product code of ElastiCache in a Cost and Usage Report.
pub const CUR_PRODUCT_CODE: &str = "AmazonElastiCache";
/// The `SERVICE` dimension value of ElastiCache in Cost Explorer.
pub const CE_SERVICE: &str = "Amazon ElastiCache";
/// What one Cost Explorer request costs, USD: $0.01 per API request (AWS Cost Management pricing,
/// as issue 12 states it; FACTS.md has no Cost Explorer entry).
pub const CE_USD_PER_REQUEST: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
/// The IAM action Cost Explorer needs.
pub const CE_ACTION: &str = "ce:GetCostAndUsage";
/// Most pages read from Cost Explorer for one month (each a paid request): a bound, not a limit
/// a real month reaches.
const MOST_PAGES: u32 = 50;

/// The most one usage type of one month may cost, USD: beyond it a figure is not a charge
/// (and sums of such figures could not be exact).
const MOST_USD: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12

/// Line item types a review leaves out of the reconciliation, with how it names them: the
/// model prices usage before tax, credits and discounts, and a reservation's one-time upfront
/// fee is not a month's cost (its recurring fee, `RIFee`, is kept).
const LEFT_OUT: [(&str, &str); 8] = [
    ("Tax", "tax"),
    ("Credit", "credits"),
    ("Refund", "refunds"),
    ("Fee", "one-time fees (reservation upfront)"),
    ("EdpDiscount", "EDP discounts"),
    ("PrivateRateDiscount", "private rate discounts"),
    ("BundledDiscount", "bundled discounts"),
    ("Discount", "discounts"),
];

/// The columns of a report, in the legacy CUR (`lineItem/UsageType`) and CUR 2.0
/// (`line_item_usage_type`) spellings.
struct Columns {
    product: usize,
    usage_type: usize,
    start: usize,
    cost: usize,
    amount: Option<usize>,
    unit: Option<usize>,
    resource: Option<usize>,
    /// Legacy CUR: one column per tag, `resourceTags/user:Environment`.
    tags: Vec<(usize, String)>,
    /// CUR 2.0: one `resource_tags` column holding a JSON object.
    tags_json: Option<usize>,
    /// `lineItem/LineItemType`: usage, a reservation's fee, tax, a credit…
    kind: Option<usize>,
}

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
}

impl Columns {
    fn find(headers: &csv::StringRecord) -> Result<Columns, String> {
        let required = [
            ("lineItem/ProductCode", "line_item_product_code"),
            ("lineItem/UsageType", "line_item_usage_type"),
            ("lineItem/UsageStartDate", "line_item_usage_start_date"),
            ("lineItem/UnblendedCost", "line_item_unblended_cost"),
        ];
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for (legacy, v2) in required {
            match column(headers, &[legacy, v2]) {
                Some(i) => found.push(i),
                None => missing.push(format!("{legacy} (CUR 2.0: {v2})")),
            }
        }
        if !missing.is_empty() {
            return Err(format!(
                "not a Cost and Usage Report: no column {}; export the report as CSV (legacy CUR, or CUR 2.0 from Data Exports) with its header row",
                missing.join(", ")
            ));
        }
        let tag_columns = headers
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                let h = h.trim();
                let key = h.strip_prefix("resourceTags/")?;
                Some((i, key.strip_prefix("user:").unwrap_or(key).to_string()))
            })
            .collect();
        Ok(Columns {
            product: found[0],
            usage_type: found[1],
            start: found[2],
            cost: found[3],
            amount: column(headers, &["lineItem/UsageAmount", "line_item_usage_amount"]),
            unit: column(headers, &["pricing/unit", "pricing_unit"]),
            resource: column(headers, &["lineItem/ResourceId", "line_item_resource_id"]),
            tags: tag_columns,
            tags_json: column(headers, &["resource_tags"]),
            kind: column(headers, &["lineItem/LineItemType", "line_item_line_item_type"]),
        })
    }
}

/// Decimal from a report's number (`0.252`, `1.2E-4`, empty = none).
fn number(text: &str) -> Result<Option<Decimal>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    Decimal::from_str(t)
        .or_else(|_| Decimal::from_scientific(t))
        .map(Some)
        .map_err(|_| format!("'{t}' is not a number"))
}

/// The month a usage start date falls in: `2026-10-01T00:00:00Z`, `2026-10-01 00:00:00`,
/// `2026-10-01`.
fn month_of(date: &str) -> Option<Month> {
    Month::parse(date.trim().get(..7)?).ok()
}

/// Tags of a CUR 2.0 `resource_tags` cell: `{"user_environment": "prod"}` (empty = none).
fn json_tags(text: &str) -> Result<Vec<(String, String)>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Vec::new());
    }
    let map: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(t).map_err(|e| format!("resource_tags is not a JSON object ({e})"))?;
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| {
            let value = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => return None,
                other => other.to_string(),
            };
            let key = k.strip_prefix("user_").map_or(k.clone(), str::to_string);
            Some((key, value))
        })
        .filter(|(_, v)| !v.is_empty())
        .collect())
}

/// What a line is charged for: usage type, resource, tags.
type LineKey = (String, Option<String>, Vec<(String, String)>);

/// Charges summed by [`LineKey`].
#[derive(Default)]
struct Sums(BTreeMap<LineKey, (Decimal, Option<Decimal>, Option<String>)>);

impl Sums {
    /// Add a charge; `Err` names what went out of range.
    fn add(
        &mut self,
        key: LineKey,
        usd: Decimal,
        quantity: Option<Decimal>,
        unit: Option<String>,
    ) -> Result<(), &'static str> {
        let entry = self.0.entry(key).or_insert((Decimal::ZERO, None, None));
        entry.0 = entry.0.checked_add(usd).filter(|t| t.abs() <= MOST_USD).ok_or("the cost")?;
        if let Some(q) = quantity {
            entry.1 = Some(entry.1.unwrap_or_default().checked_add(q).ok_or("the usage amount")?);
        }
        if entry.2.is_none() {
            entry.2 = unit;
        }
        Ok(())
    }

    fn into_lines(self) -> Vec<BilledLine> {
        self.0
            .into_iter()
            .map(|((usage_type, resource, tags), (usd, quantity, unit))| BilledLine {
                usage_type,
                resource,
                tags,
                usd,
                quantity,
                unit,
            })
            .collect()
    }
}

/// The ElastiCache charges of `month` in a report, read from `reader` (already decompressed),
/// summed by usage type, resource and tags. `name` names the file in errors. Rows of other
/// services and other months are skipped; a row that cannot be read is an error naming its
/// line and column.
pub fn bill_from_report(reader: impl Read, name: &str, month: Month) -> Result<Bill, SourceError> {
    let err = |message: String| SourceError::Bill { file: name.to_string(), message };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv.headers().map_err(|e| err(format!("cannot read the header row: {e}")))?.clone();
    let cols = Columns::find(&headers).map_err(err)?;
    let mut sums = Sums::default();
    let mut left_out: BTreeMap<&str, Decimal> = BTreeMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(err(format!("cannot read the report: {e}"))),
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |i: usize| record.get(i).unwrap_or("");
        if cell(cols.product).trim() != CUR_PRODUCT_CODE {
            continue;
        }
        let Some(row_month) = month_of(cell(cols.start)) else {
            return Err(err(format!(
                "line {line}, column {}: '{}' is not a date",
                headers.get(cols.start).unwrap_or(""),
                cell(cols.start)
            )));
        };
        if row_month != month {
            continue;
        }
        let at = |i: usize, e: String| err(format!("line {line}, column {}: {e}", headers.get(i).unwrap_or("")));
        let usd = number(cell(cols.cost)).map_err(|e| at(cols.cost, e))?.unwrap_or_default();
        let kind = cols.kind.map_or("", |i| cell(i).trim());
        if let Some((_, what)) = LEFT_OUT.iter().find(|(k, _)| *k == kind) {
            let sum = left_out.entry(*what).or_insert(Decimal::ZERO);
            *sum = sum
                .checked_add(usd)
                .filter(|t| t.abs() <= MOST_USD)
                .ok_or_else(|| at(cols.cost, "the sum is out of range".into()))?;
            continue;
        }
        let quantity = match cols.amount {
            Some(i) => number(cell(i)).map_err(|e| at(i, e))?,
            None => None,
        };
        let unit = cols.unit.map(|i| cell(i).trim().to_string()).filter(|u| !u.is_empty());
        let resource = cols.resource.map(|i| cell(i).trim().to_string()).filter(|r| !r.is_empty());
        let mut tags: Vec<(String, String)> = cols
            .tags
            .iter()
            .map(|(i, k)| (k.clone(), cell(*i).trim().to_string()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        if let Some(i) = cols.tags_json {
            tags.extend(json_tags(cell(i)).map_err(|e| at(i, e))?);
        }
        tags.sort();
        let key = (cell(cols.usage_type).trim().to_string(), resource, tags);
        sums.add(key, usd, quantity, unit)
            .map_err(|what| err(format!("line {line}: the sum of {what} is out of range")))?;
    }
    let source = if left_out.is_empty() {
        format!("Cost and Usage Report {name}")
    } else {
        let money = |usd: &Decimal| if usd.is_sign_negative() { format!("-${}", -*usd) } else { format!("${usd}") };
        let parts: Vec<String> = left_out.iter().map(|(what, usd)| format!("{what} {}", money(usd))).collect();
        format!("Cost and Usage Report {name} (left out: {}; the model prices usage before them)", parts.join(", "))
    };
    Ok(Bill { month, source, lines: sums.into_lines() })
}

/// Read the ElastiCache charges of `month` from a Cost and Usage Report file: CSV, or CSV
/// gzipped (`.gz`, recognised by its content). Parquet is refused with what to do.
pub fn read_report(path: &Path, month: Month) -> Result<Bill, SourceError> {
    let name = path.display().to_string();
    let err = |message: String| SourceError::Bill { file: name.clone(), message };
    let mut file = std::fs::File::open(path).map_err(|e| {
        err(match e.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file; give the path of a Cost and Usage Report CSV (.csv or .csv.gz) export".into()
            }
            _ => format!("cannot open: {e}"),
        })
    })?;
    let mut head = [0u8; 4];
    let n = read_up_to(&mut file, &mut head).map_err(|e| err(format!("cannot read: {e}")))?;
    let file = std::io::Read::chain(std::io::Cursor::new(head[..n].to_vec()), file);
    if head[..n].starts_with(b"PAR1") {
        return Err(err(
            "a Parquet file: capplan reads CSV reports; export the Cost and Usage Report (or the Data Export) as CSV, gzipped or not".into(),
        ));
    }
    if head[..n].starts_with(&[0x1f, 0x8b]) {
        let decoded = flate2::read::MultiGzDecoder::new(file);
        return bill_from_report(GzipErrors { inner: decoded }, &name, month);
    }
    bill_from_report(file, &name, month)
}

/// Fill `buf` as far as the reader goes.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// A gzip stream whose errors say it is the compression that is broken.
struct GzipErrors<R> {
    inner: R,
}

impl<R: Read> Read for GzipErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner
            .read(buf)
            .map_err(|e| std::io::Error::new(e.kind(), format!("the gzip data is damaged or cut short ({e})")))
    }
}

/// One page of a Cost Explorer answer, in plain Rust: each group's keys and metrics.
#[derive(Clone, Debug, PartialEq)]
pub struct CeGroup {
    /// Group keys in `GroupBy` order: the usage type, then `TAGKEY$value` when grouped by a tag.
    pub keys: Vec<String>,
    /// `UnblendedCost` amount, USD.
    pub usd: Option<String>,
    /// `UsageQuantity` amount.
    pub quantity: Option<String>,
    /// `UsageQuantity` unit.
    pub unit: Option<String>,
}

/// The bill from Cost Explorer's groups: usage type first, an optional tag key second
/// (`Environment$prod`; an untagged charge is `Environment$` and has no tag).
pub fn bill_from_groups(groups: &[CeGroup], month: Month, requests: u32) -> Result<Bill, SourceError> {
    let err = |message: String| SourceError::Aws { action: CE_ACTION.to_string(), message };
    let mut sums = Sums::default();
    for g in groups {
        let Some(usage_type) = g.keys.first() else { continue };
        let tags = match g.keys.get(1).and_then(|k| k.split_once('$')) {
            Some((key, value)) if !value.is_empty() => vec![(key.to_string(), value.to_string())],
            _ => Vec::new(),
        };
        let amount = |text: &Option<String>, what: &str| -> Result<Option<Decimal>, SourceError> {
            text.as_deref()
                .map(number)
                .transpose()
                .map(Option::flatten)
                .map_err(|e| err(format!("unreadable {what} of {usage_type}: {e}")))
        };
        let usd = amount(&g.usd, "UnblendedCost")?.unwrap_or_default();
        let quantity = amount(&g.quantity, "UsageQuantity")?;
        let unit = g.unit.clone().filter(|u| !u.is_empty() && u != "N/A");
        sums.add((usage_type.clone(), None, tags), usd, quantity, unit)
            .map_err(|what| err(format!("the sum of {what} of {usage_type} is out of range")))?;
    }
    let cost = CE_USD_PER_REQUEST * Decimal::from(requests);
    let plural = if requests == 1 { "" } else { "s" };
    Ok(Bill {
        month,
        source: format!("Cost Explorer GetCostAndUsage ({requests} request{plural}, ${cost})"),
        lines: sums.into_lines(),
    })
}

/// Read the ElastiCache charges of `month` from Cost Explorer (`GetCostAndUsage`, monthly,
/// `UnblendedCost` and `UsageQuantity`, grouped by usage type and by `tag_key` when given), every
/// page. Cost Explorer lives in us-east-1 whatever the configured region. Each request costs
/// $0.01; the bill's source says how many were made.
pub async fn cost_explorer(config: &SdkConfig, month: Month, tag_key: Option<&str>) -> Result<Bill, SourceError> {
    let config = config.clone().into_builder().region(aws_config::Region::new("us-east-1")).build();
    let client = Client::new(&config);
    let ctx = Context::new(&config, CE_ACTION, format!("ElastiCache charges of {month}"));
    let start = format!("{month}-01");
    let end = format!("{}-01", month.next());
    let period = DateInterval::builder()
        .start(start)
        .end(end)
        .build()
        .map_err(|e| SourceError::Aws { action: CE_ACTION.into(), message: e.to_string() })?;
    let filter = Expression::builder()
        .dimensions(DimensionValues::builder().key(Dimension::Service).values(CE_SERVICE).build())
        .build();
    let mut group_by =
        vec![GroupDefinition::builder().r#type(GroupDefinitionType::Dimension).key("USAGE_TYPE").build()];
    if let Some(tag) = tag_key {
        group_by.push(GroupDefinition::builder().r#type(GroupDefinitionType::Tag).key(tag).build());
    }
    let mut groups = Vec::new();
    let mut token: Option<String> = None;
    let mut requests = 0u32;
    loop {
        if requests >= MOST_PAGES {
            return Err(SourceError::Aws {
                action: CE_ACTION.into(),
                message: format!(
                    "Cost Explorer kept paging after {MOST_PAGES} requests (${}); stopped",
                    CE_USD_PER_REQUEST * Decimal::from(requests)
                ),
            });
        }
        let answer = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(Granularity::Monthly)
            .metrics("UnblendedCost")
            .metrics("UsageQuantity")
            .filter(filter.clone())
            .set_group_by(Some(group_by.clone()))
            .set_next_page_token(token.clone())
            .send()
            .await;
        requests += 1;
        let answer = answer.map_err(|e| map_error(&ctx, &e))?;
        for by_time in answer.results_by_time() {
            for g in by_time.groups() {
                let metric = |name: &str| g.metrics().and_then(|m| m.get(name));
                groups.push(CeGroup {
                    keys: g.keys().to_vec(),
                    usd: metric("UnblendedCost").and_then(|v| v.amount().map(str::to_string)),
                    quantity: metric("UsageQuantity").and_then(|v| v.amount().map(str::to_string)),
                    unit: metric("UsageQuantity").and_then(|v| v.unit().map(str::to_string)),
                });
            }
        }
        token = answer.next_page_token().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    bill_from_groups(&groups, month, requests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn oct() -> Month {
        Month::parse("2026-10").unwrap()
    }

    const LEGACY: &str = "identity/LineItemId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,lineItem/ResourceId,lineItem/UsageAmount,lineItem/UnblendedCost,pricing/unit,resourceTags/user:Environment
a,Usage,2026-10-01T00:00:00Z,AmazonElastiCache,NodeUsage:cache.r7g.large,arn:aws:elasticache:us-east-1:123456789012:cluster:shop-prod-0001-001,24,6.048,Hrs,prod
b,Usage,2026-10-02T00:00:00Z,AmazonElastiCache,NodeUsage:cache.r7g.large,arn:aws:elasticache:us-east-1:123456789012:cluster:shop-prod-0001-001,24,6.048,Hrs,prod
c,Usage,2026-10-02T00:00:00Z,AmazonEC2,BoxUsage:m7g.large,i-0abc,24,1.9584,Hrs,prod
d,Usage,2026-09-30T00:00:00Z,AmazonElastiCache,NodeUsage:cache.r7g.large,arn:aws:elasticache:us-east-1:123456789012:cluster:shop-prod-0001-001,24,6.048,Hrs,prod
e,Usage,2026-10-03T00:00:00Z,AmazonElastiCache,BackupUsage,arn:aws:elasticache:us-east-1:123456789012:snapshot:x,\"1,000\",0.085,GB-Mo,
";

    #[test]
    fn a_legacy_report_sums_elasticache_charges_of_the_month() {
        let text = LEGACY.replace("\"1,000\"", "3.4");
        let bill = bill_from_report(text.as_bytes(), "cur.csv", oct()).unwrap();
        assert_eq!(bill.lines.len(), 2, "{bill:?}");
        let node = &bill.lines[1];
        assert_eq!(node.usage_type, "NodeUsage:cache.r7g.large");
        assert_eq!(node.usd, dec!(12.096));
        assert_eq!(node.quantity, Some(dec!(48)));
        assert_eq!(node.unit.as_deref(), Some("Hrs"));
        assert_eq!(node.tags, vec![("Environment".to_string(), "prod".to_string())]);
        assert!(node.resource.as_deref().unwrap().ends_with("shop-prod-0001-001"));
        assert_eq!(bill.lines[0].usage_type, "BackupUsage");
        assert!(bill.lines[0].tags.is_empty());
        assert_eq!(bill.total_usd(), dec!(12.181));
        assert_eq!(bill.source, "Cost and Usage Report cur.csv");
    }

    #[test]
    fn tax_credits_and_upfront_fees_are_left_out_and_said() {
        let text = format!(
            "{}t,Tax,2026-10-01T00:00:00Z,AmazonElastiCache,,,,4.12,,\nc,Credit,2026-10-01T00:00:00Z,AmazonElastiCache,NodeUsage:cache.r7g.large,,,-10,,\nf,Fee,2026-10-01T00:00:00Z,AmazonElastiCache,HeavyUsage:cache.r7g.large,,,1200,,\nr,RIFee,2026-10-01T00:00:00Z,AmazonElastiCache,HeavyUsage:cache.r7g.large,,744,104.16,Hrs,\n",
            LEGACY.replace("\"1,000\"", "3.4")
        );
        let bill = bill_from_report(text.as_bytes(), "cur.csv", oct()).unwrap();
        // the reservation's recurring fee is a month's node cost; its upfront fee, tax and credits are not
        assert_eq!(bill.total_usd(), dec!(12.181) + dec!(104.16));
        assert!(bill.lines.iter().any(|l| l.usage_type == "HeavyUsage:cache.r7g.large" && l.usd == dec!(104.16)));
        assert_eq!(
            bill.source,
            "Cost and Usage Report cur.csv (left out: credits -$10, one-time fees (reservation upfront) $1200, tax $4.12; the model prices usage before them)"
        );
    }

    #[test]
    fn a_bad_cell_names_its_line_and_column() {
        let err = bill_from_report(LEGACY.as_bytes(), "cur.csv", oct()).unwrap_err().to_string();
        assert!(err.contains("cur.csv") && err.contains("line 6") && err.contains("lineItem/UsageAmount"), "{err}");
        let text = LEGACY.replace("2026-10-02T00:00:00Z,AmazonElastiCache", "yesterday,AmazonElastiCache");
        let err = bill_from_report(text.as_bytes(), "cur.csv", oct()).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("not a date"), "{err}");
    }

    #[test]
    fn a_charge_beyond_any_bill_is_refused() {
        assert_eq!(MOST_USD, dec!(1000000000000));
        let text = LEGACY.replace("\"1,000\"", "3.4").replace(",0.085,", ",1e27,");
        let err = bill_from_report(text.as_bytes(), "cur.csv", oct()).unwrap_err().to_string();
        assert!(err.contains("line 6") && err.contains("out of range"), "{err}");
    }

    #[test]
    fn a_file_without_the_columns_says_what_it_needs() {
        let err = bill_from_report("a,b\n1,2\n".as_bytes(), "x.csv", oct()).unwrap_err().to_string();
        assert!(err.contains("not a Cost and Usage Report") && err.contains("line_item_usage_type"), "{err}");
        let err = bill_from_report("".as_bytes(), "x.csv", oct()).unwrap_err().to_string();
        assert!(err.contains("x.csv"), "{err}");
    }

    #[test]
    fn a_cur2_report_reads_its_json_tags() {
        let text = "line_item_usage_start_date,line_item_product_code,line_item_usage_type,line_item_resource_id,line_item_usage_amount,line_item_unblended_cost,pricing_unit,resource_tags
2026-10-01 00:00:00,AmazonElastiCache,USE1-CachedData:Valkey,arn:aws:elasticache:us-east-1:123456789012:serverlesscache:shop,744,74.4,GB-Hours,\"{\"\"user_environment\"\": \"\"staging\"\", \"\"user_team\"\": \"\"\"\"}\"
2026-10-01 00:00:00,AmazonElastiCache,USE1-ElastiCacheProcessingUnits:Valkey,arn:aws:elasticache:us-east-1:123456789012:serverlesscache:shop,1.2E9,4.08,ECPU,
";
        let bill = bill_from_report(text.as_bytes(), "cur2.csv", oct()).unwrap();
        assert_eq!(bill.lines.len(), 2);
        assert_eq!(bill.lines[0].tags, vec![("environment".to_string(), "staging".to_string())]);
        assert_eq!(bill.lines[1].quantity, Some(dec!(1200000000)));
        assert_eq!(bill.total_usd(), dec!(78.48));
    }

    #[test]
    fn gzip_and_parquet_are_recognised_by_their_content() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let text = LEGACY.replace("\"1,000\"", "3.4");
        let gz = dir.path().join("cur.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        let bytes = enc.finish().unwrap();
        std::fs::write(&gz, &bytes).unwrap();
        assert_eq!(read_report(&gz, oct()).unwrap().total_usd(), dec!(12.181));
        std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_report(&gz, oct()).unwrap_err().to_string();
        assert!(err.contains("gzip"), "{err}");
        let pq = dir.path().join("cur.parquet");
        std::fs::write(&pq, b"PAR1\0\0\0").unwrap();
        assert!(read_report(&pq, oct()).unwrap_err().to_string().contains("export the Cost and Usage Report"));
        let err = read_report(&dir.path().join("none.csv"), oct()).unwrap_err().to_string();
        assert!(err.contains("no such file"), "{err}");
    }

    #[test]
    fn cost_explorer_groups_become_lines_with_their_tag() {
        let g = |keys: &[&str], usd: &str, q: &str| CeGroup {
            keys: keys.iter().map(ToString::to_string).collect(),
            usd: Some(usd.into()),
            quantity: Some(q.into()),
            unit: Some("Hrs".into()),
        };
        let groups = [
            g(&["USE1-NodeUsage:cache.m7g.large", "Environment$prod"], "232.1", "1488"),
            g(&["USE1-NodeUsage:cache.m7g.large", "Environment$"], "116.05", "744"),
            g(&["USE1-BackupUsage", "Environment$prod"], "1.7", "20"),
        ];
        let bill = bill_from_groups(&groups, oct(), 2).unwrap();
        assert_eq!(bill.lines.len(), 3);
        assert_eq!(bill.total_usd(), dec!(349.85));
        let untagged = bill.lines.iter().find(|l| l.tags.is_empty()).unwrap();
        assert_eq!(untagged.usd, dec!(116.05));
        assert_eq!(bill.source, "Cost Explorer GetCostAndUsage (2 requests, $0.02)");
        let bad = [g(&["USE1-BackupUsage"], "lots", "1")];
        assert!(bill_from_groups(&bad, oct(), 1).unwrap_err().to_string().contains("UnblendedCost"));
    }
}
