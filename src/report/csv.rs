//! CSV rendering: one row per line item of every option and of the current deployment.

use super::{OptionReport, Report};

/// Column names, in order.
pub const HEADER: [&str; 15] = [
    "env",
    "option_id",
    "role",
    "kind",
    "engine",
    "feasible",
    "item",
    "quantity",
    "unit",
    "unit_usd",
    "monthly_usd",
    "price_kind",
    "price_source",
    "price_date",
    "unverified",
];

/// RFC 4180 field: quoted when it holds a comma, quote or line break.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn rows(out: &mut String, env: &str, role: &str, option: &OptionReport) {
    for line in &option.lines {
        let cells = [
            env.to_string(),
            option.id.clone(),
            role.to_string(),
            option.kind.id().to_string(),
            option.engine.id().to_string(),
            option.feasible.to_string(),
            line.item.clone(),
            line.quantity.normalize().to_string(),
            line.unit.clone(),
            line.unit_usd.normalize().to_string(),
            line.monthly_usd.normalize().to_string(),
            line.price_source.kind.id().to_string(),
            line.price_source.source.clone(),
            line.price_source.date.clone(),
            line.unverified.clone().unwrap_or_default(),
        ];
        let joined: Vec<String> = cells.iter().map(|c| field(c)).collect();
        out.push_str(&joined.join(","));
        out.push_str("\r\n");
    }
}

/// The CSV text, header first, CRLF line ends.
pub fn render(report: &Report) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for env in report.envs() {
        if let Some(current) = &env.current {
            rows(&mut out, &env.env, "current", current);
        }
        for option in &env.options {
            rows(&mut out, &env.env, "option", option);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
