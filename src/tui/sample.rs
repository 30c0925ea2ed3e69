//! Organisation-sized sample plans: `n` environments across teams, regions, engines and tiers,
//! some with what runs today, generated deterministically for the snapshot tests, the
//! end-to-end test and the benchmarks (the terminal app at the size of a real organisation).

use std::fmt::Write as _;

const TEAMS: [&str; 12] = [
    "payments",
    "checkout",
    "search",
    "identity",
    "notifications",
    "catalog",
    "recommendations",
    "chat",
    "ledger",
    "pricing-engine",
    "fraud-detection",
    "media",
];
const STAGES: [&str; 4] = ["dev", "staging", "prod", "perf"];
const REGIONS: [&str; 6] = ["us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-2", "ap-northeast-1"];
const NODES: [&str; 5] =
    ["cache.t4g.small", "cache.r6g.large", "cache.m6g.large", "cache.r7g.xlarge", "cache.r6g.2xlarge"];

/// A plan of `n` environments named `team-stage-region-NNN` (a few with long names), as TOML.
pub fn org_plan(n: usize) -> String {
    let mut out = String::from(
        "# generated: an organisation's caches (capplan::tui::sample::org_plan)\nregion = \"us-east-1\"\n",
    );
    for i in 0..n {
        let team = TEAMS[i % TEAMS.len()];
        let stage = STAGES[(i / TEAMS.len()) % STAGES.len()];
        let region = REGIONS[(i * 7 / 5) % REGIONS.len()];
        let short = region
            .replace("-east-", "e")
            .replace("-west-", "w")
            .replace("-central-", "c")
            .replace("-southeast-", "se")
            .replace("-northeast-", "ne");
        let name = if i % 17 == 5 {
            format!("{team}-{stage}-{short}-{i:03}-with-a-rather-long-descriptive-name")
        } else {
            format!("{team}-{stage}-{short}-{i:03}")
        };
        let engine = match i % 9 {
            4 => "memcached",
            1 | 6 => "redis",
            _ => "valkey",
        };
        let prod = stage == "prod";
        let ha = prod || (stage == "staging" && i % 2 == 0);
        let tier = match stage {
            "prod" => "production",
            "staging" | "perf" => "staging",
            _ => "development",
        };
        let scale = 1 + (i * 13) % 23;
        let data = 0.25 * scale as f64 * if prod { 4.0 } else { 1.0 };
        let rps = 50.0 * (scale * scale) as f64 * if prod { 3.0 } else { 1.0 };
        let _ =
            writeln!(out, "\n[env.{name}]\nregion = \"{region}\"\nengine = \"{engine}\"\nha = {ha}\ntier = \"{tier}\"");
        if prod && i % 3 == 0 {
            let _ = writeln!(out, "commit = \"1yr\"");
        }
        if i % 11 == 3 {
            let _ = writeln!(out, "budget_usd = {}", 40 + scale * 10);
        }
        let _ = writeln!(
            out,
            "\n[env.{name}.workload]\ndata_gb = {data:.2}\npeak_data_gb = {:.2}\nrequests_per_sec = {rps:.1}\npeak_requests_per_sec = {:.1}\navg_request_kb = 1.0\nread_ratio = 0.8\nconnections = {}",
            data * 1.25,
            rps * 3.0,
            20 + scale * 15
        );
        if engine != "memcached" {
            let _ = writeln!(out, "growth_pct_per_month = {}.0", i % 4);
        }
        if i % 2 == 0 {
            let node = NODES[(i / 2) % NODES.len()];
            let shards = if engine == "memcached" { 1 + i % 3 } else { 1 };
            let replicas = u32::from(ha && engine != "memcached");
            let _ = writeln!(
                out,
                "\n[env.{name}.current]\nkind = \"node\"\nengine = \"{engine}\"\nnode_type = \"{node}\"\nshards = {shards}\nreplicas = {replicas}"
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::offline::embedded;
    use crate::source::plan::parse_plan;

    /// The plan the screen captures and the README use is this generator's output, kept in step.
    #[test]
    fn the_fixture_is_the_generated_plan() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/org-300.toml");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(path, org_plan(300)).unwrap();
        }
        assert_eq!(std::fs::read_to_string(path).unwrap(), org_plan(300), "UPDATE_GOLDEN=1 rewrites {path}");
    }

    #[test]
    fn sample_plans_parse_with_unique_names() {
        let book = embedded().unwrap();
        let plan = parse_plan(&org_plan(300), "org-300.toml", book).unwrap();
        assert_eq!(plan.envs.len(), 300);
        let mut names: Vec<_> = plan.envs.iter().map(|e| e.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 300);
    }
}
