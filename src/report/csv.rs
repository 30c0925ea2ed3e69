//! CSV rendering: one row per line item of every listed option and of the current deployment.

use super::{EnvReport, OptionReport, Report};

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

fn rows<W: std::io::Write>(out: &mut csv::Writer<W>, env: &str, role: &str, option: &OptionReport) -> csv::Result<()> {
    for line in &option.lines {
        out.write_record([
            env,
            &option.id,
            role,
            option.kind.id(),
            option.engine.id(),
            &option.feasible.to_string(),
            &line.item,
            &line.quantity.normalize().to_string(),
            line.unit,
            &line.unit_usd.normalize().to_string(),
            &line.monthly_usd.normalize().to_string(),
            line.price_source.kind().id(),
            line.price_source.source(),
            line.price_source.date(),
            line.unverified.as_deref().unwrap_or_default(),
        ])?;
    }
    Ok(())
}

/// CRLF line ends, RFC 4180 quoting: a field is quoted when it holds a comma, a quote or a line
/// break, and its quotes are doubled.
pub(super) fn writer<W: std::io::Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out)
}

/// An environment's rows: its current deployment's, then each listed option's.
pub(super) fn env_rows<W: std::io::Write>(w: &mut csv::Writer<W>, env: &EnvReport) -> csv::Result<()> {
    if let Some(current) = &env.current {
        rows(w, &env.env, "current", current)?;
    }
    for option in &env.options {
        rows(w, &env.env, "option", option)?;
    }
    Ok(())
}

/// Write the CSV to `out`, header first (see [`writer`] for the format).
pub fn write(report: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = writer(out);
    let mut records = || -> csv::Result<()> {
        w.write_record(HEADER)?;
        for env in report.envs() {
            env_rows(&mut w, env)?;
        }
        Ok(())
    };
    records().map_err(std::io::Error::other)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    /// The quoting the report has always had: RFC 4180, only where needed.
    #[test]
    fn fields_with_separators_are_quoted() {
        let mut w = super::writer(Vec::new());
        w.write_record(["plain", "a, b", "say \"hi\"", "two\nlines", "cr\r", "", "$1.00"]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,$1.00\r\n");
    }
}
