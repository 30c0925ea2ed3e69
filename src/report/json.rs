//! JSON rendering: one environment → its object; all → `{ schema_version, totals, envs }`.

use serde::Serialize;

use super::Report;

/// Pretty JSON with a trailing newline, or why the report cannot be serialized. Amounts are
/// exact decimals, never rounded.
pub fn to_string(report: &Report) -> Result<String, serde_json::Error> {
    let mut text = match report {
        Report::One(env) => serde_json::to_string_pretty(env),
        Report::All(all) => serde_json::to_string_pretty(all),
    }?;
    text.push('\n');
    Ok(text)
}

/// Write the report to `out` as [`to_string`] renders it. A report that cannot be serialized is
/// an error (`InvalidData`, saying so), and nothing is written.
pub fn write(report: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    match report {
        Report::One(env) => write_value(env.as_ref(), out),
        Report::All(all) => write_value(all, out),
    }
}

fn write_value<T: Serialize>(value: &T, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("cannot write the report as JSON: {e}"))
    })?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}

#[cfg(test)]
mod tests {
    use super::write_value;
    use std::collections::BTreeMap;

    #[test]
    fn issue_13_a_value_that_cannot_be_serialized_is_an_error_and_nothing_is_written() {
        // JSON object keys must be strings: a tuple key is what serde_json refuses
        let value = BTreeMap::from([((1u8, 2u8), 3u8)]);
        let mut out = Vec::new();
        let err = write_value(&value, &mut out).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().starts_with("cannot write the report as JSON: key must be a string"), "{err}");
        assert!(out.is_empty());
        write_value(&BTreeMap::from([("a", 1)]), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"a\": 1\n}\n");
    }
}
