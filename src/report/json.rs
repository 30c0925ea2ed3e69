//! JSON rendering: one environment → its object; all → `{ schema_version, totals, envs }`.

use super::Report;

/// Pretty JSON with a trailing newline. Amounts are exact decimals, never rounded.
pub fn render(report: &Report) -> String {
    let text = match report {
        Report::One(env) => serde_json::to_string_pretty(env),
        Report::All(all) => serde_json::to_string_pretty(all),
    };
    // Serializing plain data with string keys cannot fail.
    let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
