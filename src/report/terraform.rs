//! Terraform views: what `capplan import-terraform` found in a module ([`ImportReport`], as
//! Markdown or JSON), and the recommendation of one environment written as Terraform
//! ([`render_export`], formatted the way `terraform fmt` formats it).

use std::fmt::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{EnvReport, OptionReport};
use crate::model::catalog::Engine;
use crate::model::evaluate::OptionKind;
use crate::model::recommend::Alarm;
use crate::model::units::format_usd;
use crate::model::workload::Auth;

/// One setting read from a resource, resolved (`node_type = "cache.r7g.large"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SettingReport {
    /// Attribute, dotted for nested blocks.
    pub name: String,
    /// Its value, as HCL writes it.
    pub value: String,
}

/// An autoscaling range on a replication group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScalingReport {
    /// The `aws_appautoscaling_target` address.
    pub address: String,
    /// Where it is written (`main.tf:40`).
    pub at: String,
    /// `shards` or `replicas`.
    pub dimension: String,
    /// `min_capacity`.
    pub min: u32,
    /// `max_capacity`.
    pub max: u32,
}

/// One resource found, and what it became.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportedResource {
    /// Address (`aws_elasticache_replication_group.sessions`).
    pub address: String,
    /// Where the block starts (`main.tf:12`).
    pub at: String,
    /// The settings read, resolved.
    pub settings: Vec<SettingReport>,
    /// The `[env.NAME.current]` keys it gives (TOML), when imported.
    pub current_toml: Option<String>,
    /// Why it is not imported, when not.
    pub skipped: Option<String>,
    /// The deployment, priced (at the autoscaling minimum when scaled).
    pub cost: Option<OptionReport>,
    /// Autoscaling ranges on it.
    pub scaling: Vec<ScalingReport>,
    /// Monthly cost at the autoscaling maximum.
    pub max_monthly_usd: Option<Decimal>,
    /// Things to know.
    pub notes: Vec<String>,
    /// How many of it the module creates (`count`, `for_each`); `cost` is for one.
    pub copies: usize,
}

/// A cluster counted with its replication group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberReport {
    /// The `aws_elasticache_cluster` address.
    pub address: String,
    /// Where.
    pub at: String,
    /// Its group (address, or id when the group is not in the module).
    pub group: String,
}

/// What an import found in a module, priced for one environment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport {
    /// The module folder.
    pub dir: String,
    /// The environment that prices it.
    pub env: String,
    /// Its region.
    pub region: String,
    /// Caches found, in file order.
    pub resources: Vec<ImportedResource>,
    /// Clusters of a replication group: not counted twice.
    pub members: Vec<MemberReport>,
    /// Autoscaling targets not applied, with why.
    pub other_targets: Vec<String>,
    /// Every expression not resolved, with file and line.
    pub unresolved: Vec<String>,
}

fn fence(out: &mut String, lang: &str, text: &str) {
    let _ = writeln!(out, "```{lang}\n{text}```\n");
}

/// The import as Markdown.
pub fn import_markdown(r: &ImportReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Terraform import: {} for env.{} ({})\n", r.dir, r.env, r.region);
    let imported = r.resources.iter().filter(|x| x.cost.is_some()).count();
    let _ = writeln!(
        out,
        "{} ElastiCache resource{} found, {imported} imported; {} cluster{} counted with {} group; {} expression{} not resolved.\n",
        r.resources.len(),
        if r.resources.len() == 1 { "" } else { "s" },
        r.members.len(),
        if r.members.len() == 1 { "" } else { "s" },
        if r.members.len() == 1 { "its" } else { "their" },
        r.unresolved.len(),
        if r.unresolved.len() == 1 { "" } else { "s" },
    );
    for x in &r.resources {
        let _ = writeln!(out, "## {} ({})\n", x.address, x.at);
        if !x.settings.is_empty() {
            let _ = writeln!(out, "Settings read:\n");
            let width = x.settings.iter().map(|s| s.name.chars().count()).max().unwrap_or(0);
            let text = x.settings.iter().fold(String::new(), |mut t, s| {
                let _ = writeln!(t, "{:<width$} = {}", s.name, s.value);
                t
            });
            fence(&mut out, "hcl", &text);
        }
        if let Some(why) = &x.skipped {
            let _ = writeln!(out, "**Not imported**: {why}\n");
        }
        if let Some(toml) = &x.current_toml {
            let _ = writeln!(out, "As the plan's current deployment:\n");
            fence(&mut out, "toml", &format!("[env.{}.current]\n{toml}", r.env));
        }
        if let Some(cost) = &x.cost {
            super::markdown::line_items(&mut out, "Line items", cost, 3);
        }
        for s in &x.scaling {
            let _ = writeln!(
                out,
                "- {} ({}) scales {} from {} to {}: priced above at {}{}\n",
                s.address,
                s.at,
                s.dimension,
                s.min,
                s.max,
                s.min,
                x.max_monthly_usd.map_or_else(String::new, |m| format!(
                    "; at {} it costs {} a month",
                    s.max,
                    format_usd(m)
                ))
            );
        }
        if let Some(cost) = x.cost.as_ref().filter(|_| x.copies > 1) {
            let total = cost.monthly_usd * Decimal::from(x.copies);
            let _ = writeln!(
                out,
                "- the module creates {} of these: {} x {} = **{}** a month\n",
                x.copies,
                x.copies,
                format_usd(cost.monthly_usd),
                format_usd(total)
            );
        }
        for n in &x.notes {
            let _ = writeln!(out, "- {n}");
        }
        if !x.notes.is_empty() {
            out.push('\n');
        }
    }
    if !r.members.is_empty() {
        let _ = writeln!(out, "## Clusters counted with their replication group\n");
        for m in &r.members {
            let _ = writeln!(out, "- {} ({}): a member of {}, not a deployment of its own", m.address, m.at, m.group);
        }
        out.push('\n');
    }
    if !r.other_targets.is_empty() {
        let _ = writeln!(out, "## Autoscaling targets not applied\n");
        for t in &r.other_targets {
            let _ = writeln!(out, "- {t}");
        }
        out.push('\n');
    }
    if !r.unresolved.is_empty() {
        let _ = writeln!(out, "## Not resolved\n");
        for u in &r.unresolved {
            let _ = writeln!(out, "- {u}");
        }
        out.push('\n');
    }
    out
}

/// The import as JSON.
pub fn import_json(r: &ImportReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(r).map(|mut s| {
        s.push('\n');
        s
    })
}

// ---------------------------------------------------------------------------------------------
// Terraform out

/// One item of an HCL body, as `terraform fmt` lays it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hcl {
    /// `key = value` on one line (the value already HCL).
    Attr(String, String),
    /// `key = { k = v … }`, one entry a line.
    Object(String, Vec<(String, String)>),
    /// `ident "label" … { … }`.
    Block(String, Vec<Hcl>),
    /// `# text`.
    Comment(String),
    /// An empty line.
    Blank,
}

/// A quoted HCL string: escapes, and `${`/`%{` kept literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `items` at `indent` levels, `=` aligned within each run of one-line attributes, the way
/// `terraform fmt` writes them.
pub fn format_hcl(items: &[Hcl], indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent);
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Hcl::Attr(..) => {
                let run: Vec<(&String, &String)> = items[i..]
                    .iter()
                    .map_while(|item| match item {
                        Hcl::Attr(k, v) => Some((k, v)),
                        _ => None,
                    })
                    .collect();
                let width = run.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
                for (k, v) in &run {
                    let _ = writeln!(out, "{pad}{k:<width$} = {v}");
                }
                i += run.len();
                continue;
            }
            Hcl::Object(k, entries) => {
                let _ = writeln!(out, "{pad}{k} = {{");
                let width = entries.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
                for (k, v) in entries {
                    let _ = writeln!(out, "{pad}  {k:<width$} = {v}");
                }
                let _ = writeln!(out, "{pad}}}");
            }
            Hcl::Block(header, body) => {
                if body.is_empty() {
                    let _ = writeln!(out, "{pad}{header} {{}}");
                } else {
                    let _ = writeln!(out, "{pad}{header} {{");
                    format_hcl(body, indent + 1, out);
                    let _ = writeln!(out, "{pad}}}");
                }
            }
            Hcl::Comment(text) => {
                if text.is_empty() {
                    let _ = writeln!(out, "{pad}#");
                } else {
                    let _ = writeln!(out, "{pad}# {text}");
                }
            }
            Hcl::Blank => out.push('\n'),
        }
        i += 1;
    }
}

fn attr(k: &str, v: impl Into<String>) -> Hcl {
    Hcl::Attr(k.to_string(), v.into())
}

fn string(k: &str, v: &str) -> Hcl {
    attr(k, quote(v))
}

/// A name ElastiCache accepts: lower-case letters, digits and hyphens, starting with a letter,
/// at most 40 characters, no double or trailing hyphen.
fn cache_id(env: &str, suffix: &str) -> String {
    let mut id = String::new();
    for c in format!("{env}{suffix}").chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' };
        if !(c == '-' && (id.is_empty() || id.ends_with('-'))) {
            id.push(c);
        }
    }
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert_str(0, "c-");
    }
    id.truncate(40);
    id.trim_end_matches('-').to_string()
}

/// A Terraform resource name: lower-case letters, digits and underscores
/// (`EngineCPUUtilization` → `engine_cpu_utilization`).
fn resource_name(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut name = String::new();
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let word_start = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_ascii_uppercase) && next.is_some_and(char::is_ascii_lowercase)));
        if word_start {
            name.push('_');
        }
        name.push(if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' });
    }
    name
}

fn engine_id(e: Engine) -> &'static str {
    e.id()
}

/// The engine version written and its parameter-group family.
fn version_and_family(e: Engine) -> (&'static str, &'static str, &'static str) {
    match e {
        Engine::Valkey => ("8.0", "8", "valkey8"),
        Engine::Redis => ("7.1", "7", "redis7"),
        Engine::Memcached => ("1.6.22", "1.6", "memcached1.6"),
    }
}

/// `Average over 5 minutes` → (`Average`, 300).
fn statistic(text: &str) -> (String, u32) {
    let (stat, period) = text.split_once(" over ").unwrap_or((text, "5 minutes"));
    let mut parts = period.split_whitespace();
    let n: u32 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(5);
    let unit = parts.next().unwrap_or("minutes");
    let seconds = if unit.starts_with("second") {
        n
    } else if unit.starts_with("hour") {
        n * 3600
    } else {
        n * 60
    };
    (stat.trim().to_string(), seconds.max(60))
}

fn comparison(op: &str) -> &'static str {
    match op {
        ">=" => "GreaterThanOrEqualToThreshold",
        "<" => "LessThanThreshold",
        "<=" => "LessThanOrEqualToThreshold",
        _ => "GreaterThanThreshold",
    }
}

/// One node-based cluster to write.
struct ClusterOut<'a> {
    /// Terraform resource name (`cache`, `adapter`, `state`).
    name: String,
    id: String,
    engine: Engine,
    node_type: &'a str,
    shards: u32,
    replicas: u32,
    cluster_mode: bool,
    multi_az: bool,
    failover: bool,
    retention: u32,
    snapshot_window: Option<&'a str>,
    maintenance_window: Option<&'a str>,
    parameters: Vec<(String, String)>,
    alarms: &'a [Alarm],
    what: String,
    /// How the clients authenticate (the plan's `auth`).
    auth: Auth,
    /// The clients connect with TLS (the plan's `tls`).
    tls: bool,
}

fn member_ids(c: &ClusterOut<'_>) -> Vec<String> {
    if c.cluster_mode {
        (1..=c.shards)
            .flat_map(|s| (1..=c.replicas + 1).map(move |n| (s, n)))
            .map(|(s, n)| format!("{}-{s:04}-{n:03}", c.id))
            .collect()
    } else {
        (1..=c.replicas + 1).map(|n| format!("{}-{n:03}", c.id)).collect()
    }
}

fn alarm_blocks(
    out: &mut Vec<Hcl>,
    owner: &str,
    alarms: &[Alarm],
    for_each: Option<&str>,
    dimensions: &[(&str, &str)],
    prefix: &str,
) {
    let mut used: Vec<String> = Vec::new();
    for a in alarms {
        let base = format!("{owner}_{}_{}", resource_name(&a.metric), resource_name(&a.severity));
        let mut name = base.clone();
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        used.push(name.clone());
        let (stat, period) = statistic(&a.statistic);
        let mut body = Vec::new();
        if let Some(set) = for_each {
            body.push(attr("for_each", format!("toset({set})")));
            body.push(Hcl::Blank);
        }
        let alarm_name = match for_each {
            Some(_) => format!("{prefix}-{}-{}-${{each.value}}", a.metric, a.severity),
            None => format!("{prefix}-{}-{}", a.metric, a.severity),
        };
        // the name interpolates each.value: written as a template, not escaped
        body.push(attr("alarm_name", format!("\"{}\"", alarm_name.replace('"', "\\\""))));
        body.push(string("alarm_description", &format!("{} ({}): {}", a.severity, a.statistic, a.why)));
        body.push(string("namespace", "AWS/ElastiCache"));
        body.push(string("metric_name", &a.metric));
        body.push(string("statistic", &stat));
        body.push(attr("period", period.to_string()));
        body.push(attr("evaluation_periods", "1"));
        body.push(string("comparison_operator", comparison(&a.comparison)));
        body.push(attr("threshold", a.threshold.normalize().to_string()));
        body.push(attr("alarm_actions", "[var.alarm_topic_arn]"));
        body.push(attr("ok_actions", "[var.alarm_topic_arn]"));
        body.push(Hcl::Blank);
        body.push(Hcl::Object(
            "dimensions".into(),
            dimensions.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
        ));
        out.push(Hcl::Blank);
        out.push(Hcl::Block(format!("resource \"aws_cloudwatch_metric_alarm\" \"{name}\""), body));
    }
}

/// A Memcached cluster: an `aws_elasticache_cluster` of `shards` nodes (no replicas, no
/// snapshots), its alarms per node.
fn memcached_cluster(out: &mut Vec<Hcl>, c: &ClusterOut<'_>) {
    let (version, _, family) = version_and_family(c.engine);
    let nodes: Vec<String> = (1..=c.shards).map(|n| format!("{n:04}")).collect();
    let local_nodes = format!("{}_nodes", c.name);
    out.push(Hcl::Blank);
    out.push(Hcl::Comment(format!("{}: ElastiCache numbers Memcached nodes 0001, 0002…", c.what)));
    out.push(Hcl::Block(
        "locals".into(),
        vec![
            string(&format!("{}_id", c.name), &c.id),
            attr(&local_nodes, format!("[{}]", nodes.iter().map(|m| quote(m)).collect::<Vec<_>>().join(", "))),
        ],
    ));
    let mut body = vec![
        attr("cluster_id", format!("local.{}_id", c.name)),
        string("engine", engine_id(c.engine)),
        string("engine_version", version),
        string("node_type", c.node_type),
        attr("num_cache_nodes", c.shards.to_string()),
        string("az_mode", if c.shards > 1 { "cross-az" } else { "single-az" }),
        string("parameter_group_name", &format!("default.{family}")),
    ];
    if let Some(w) = c.maintenance_window {
        body.push(string("maintenance_window", w));
    }
    body.push(attr("subnet_group_name", "var.subnet_group_name"));
    body.push(attr("security_group_ids", "var.security_group_ids"));
    if c.tls {
        // the clients connect with TLS: Memcached 1.6.12+ encrypts in transit when asked
        body.push(attr("transit_encryption_enabled", "true"));
    }
    out.push(Hcl::Blank);
    out.push(Hcl::Comment(
        "Memcached has no replicas, no snapshots and no maxmemory-policy (it evicts the least recently used items)."
            .into(),
    ));
    out.push(Hcl::Block(format!("resource \"aws_elasticache_cluster\" \"{}\"", c.name), body));
    let cluster_id = format!("local.{}_id", c.name);
    alarm_blocks(
        out,
        &c.name,
        c.alarms,
        Some(&format!("local.{local_nodes}")),
        &[("CacheClusterId", cluster_id.as_str()), ("CacheNodeId", "each.value")],
        &c.id,
    );
}

fn node_cluster(out: &mut Vec<Hcl>, c: &ClusterOut<'_>) {
    if c.engine == Engine::Memcached {
        memcached_cluster(out, c);
        return;
    }
    let (version, _, family) = version_and_family(c.engine);
    let local_members = format!("{}_member_clusters", c.name);
    out.push(Hcl::Blank);
    out.push(Hcl::Comment(format!(
        "{}: ElastiCache names its member clusters {}",
        c.what,
        if c.cluster_mode { "<id>-<shard 0001…>-<node 001…>" } else { "<id>-<node 001…>" }
    )));
    out.push(Hcl::Block(
        "locals".into(),
        vec![
            string(&format!("{}_id", c.name), &c.id),
            attr(
                &local_members,
                format!("[{}]", member_ids(c).iter().map(|m| quote(m)).collect::<Vec<_>>().join(", ")),
            ),
        ],
    ));
    let mut params = vec![string("name", &format!("{}-{family}", c.id)), string("family", family)];
    params.push(string("description", &format!("capplan: {}", c.what)));
    for (name, value) in &c.parameters {
        params.push(Hcl::Blank);
        params.push(Hcl::Block("parameter".into(), vec![string("name", name), string("value", value)]));
    }
    out.push(Hcl::Blank);
    out.push(Hcl::Block(format!("resource \"aws_elasticache_parameter_group\" \"{}\"", c.name), params));
    let mut body = vec![
        attr("replication_group_id", format!("local.{}_id", c.name)),
        string("description", &format!("capplan: {}", c.what)),
        string("engine", engine_id(c.engine)),
        string("engine_version", version),
        string("node_type", c.node_type),
    ];
    if c.cluster_mode {
        body.push(string("cluster_mode", "enabled"));
        body.push(attr("num_node_groups", c.shards.to_string()));
        body.push(attr("replicas_per_node_group", c.replicas.to_string()));
    } else {
        body.push(string("cluster_mode", "disabled"));
        body.push(attr("num_cache_clusters", (c.replicas + 1).to_string()));
    }
    body.push(attr("parameter_group_name", format!("aws_elasticache_parameter_group.{}.name", c.name)));
    body.push(attr("automatic_failover_enabled", c.failover.to_string()));
    body.push(attr("multi_az_enabled", c.multi_az.to_string()));
    body.push(attr("snapshot_retention_limit", c.retention.to_string()));
    if let Some(w) = c.snapshot_window.filter(|_| c.retention > 0) {
        body.push(string("snapshot_window", w));
    }
    if let Some(w) = c.maintenance_window {
        body.push(string("maintenance_window", w));
    }
    body.push(attr("subnet_group_name", "var.subnet_group_name"));
    body.push(attr("security_group_ids", "var.security_group_ids"));
    body.push(attr("at_rest_encryption_enabled", "true"));
    body.push(attr("transit_encryption_enabled", "true"));
    // the clients AUTH: without the token or the user group they are refused
    match c.auth {
        Auth::Password => body.push(attr("auth_token", "var.auth_token")),
        Auth::Rbac | Auth::Iam => body.push(attr("user_group_ids", "var.user_group_ids")),
        Auth::None => {}
    }
    out.push(Hcl::Blank);
    out.push(Hcl::Block(format!("resource \"aws_elasticache_replication_group\" \"{}\"", c.name), body));
    alarm_blocks(
        out,
        &c.name,
        c.alarms,
        Some(&format!("local.{local_members}")),
        &[("CacheClusterId", "each.value")],
        &c.id,
    );
}

fn variables(out: &mut Vec<Hcl>, serverless: bool, auth: Auth) {
    let var = |name: &str, description: &str, ty: &str| {
        Hcl::Block(format!("variable \"{name}\""), vec![string("description", description), attr("type", ty)])
    };
    out.push(Hcl::Blank);
    if serverless {
        out.push(var("subnet_ids", "Subnets the cache is reachable in (capplan cannot know them)", "list(string)"));
    } else {
        out.push(var(
            "subnet_group_name",
            "ElastiCache subnet group the nodes run in (capplan cannot know it)",
            "string",
        ));
    }
    out.push(Hcl::Blank);
    out.push(var("security_group_ids", "Security groups of the cache (capplan cannot know them)", "list(string)"));
    out.push(Hcl::Blank);
    out.push(var("alarm_topic_arn", "SNS topic the CloudWatch alarms notify (capplan cannot know it)", "string"));
    match auth {
        Auth::Password => {
            out.push(Hcl::Blank);
            out.push(Hcl::Block(
                "variable \"auth_token\"".into(),
                vec![
                    string("description", "The AUTH token the clients send (auth = \"password\" in the plan)"),
                    attr("type", "string"),
                    attr("sensitive", "true"),
                ],
            ));
        }
        Auth::Rbac | Auth::Iam => {
            let (name, ty) = if serverless { ("user_group_id", "string") } else { ("user_group_ids", "list(string)") };
            out.push(Hcl::Blank);
            out.push(var(
                name,
                &format!("ElastiCache user group of the clients' {} users (capplan cannot know it)", auth_words(auth)),
                ty,
            ));
        }
        Auth::None => {}
    }
}

fn auth_words(auth: Auth) -> &'static str {
    if auth == Auth::Iam { "IAM" } else { "RBAC" }
}

/// The environment's recommendation as Terraform, formatted as `terraform fmt` formats it;
/// `None` when nothing fits (no recommendation). `version` names capplan, `date` is the
/// caller's (the header's "generated on").
pub fn render_export(env: &EnvReport, version: &str, date: NaiveDate) -> Option<String> {
    let rec = &env.recommendation;
    let option = env.recommended()?;
    let settings = rec.settings.as_ref()?;
    let monthly = rec.monthly_usd.unwrap_or(option.monthly_usd);
    let mut items = vec![
        Hcl::Comment(format!(
            "Generated by capplan {version} on {date} from {}, env.{} ({}).",
            env.plan, env.env, env.region
        )),
        Hcl::Comment(format!(
            "The recommended option {} at {} a month (prices as of {}, evaluated on {}).",
            option.id,
            format_usd(monthly),
            env.pricing.as_of,
            env.evaluated_on
        )),
    ];
    if settings.kind != OptionKind::Upstash {
        items.push(Hcl::Comment(
            "Review it before applying: subnets, security groups and the alarm topic are variables;".into(),
        ));
        items
            .push(Hcl::Comment("`capplan import-terraform DIR --env NAME` reads this file back and prices it.".into()));
    }
    if let Some(term) = option.term.as_deref().filter(|t| *t != "on-demand") {
        items.push(Hcl::Comment(format!(
            "The price assumes reserved nodes ({term}): buy them separately (console, or aws_elasticache_reserved_cache_node)."
        )));
    }
    match settings.kind {
        OptionKind::Upstash => {
            items.push(Hcl::Comment(String::new()));
            items.push(Hcl::Comment(
                "The recommendation is an Upstash database: it has no AWS resource, so nothing".into(),
            ));
            items.push(Hcl::Comment(
                "is exported. Create it in the Upstash console or with the upstash/upstash provider:".into(),
            ));
            if let Some(u) = &settings.upstash {
                items.push(Hcl::Comment(format!(
                    "plan {}, eviction {}, Prod Pack {}, read regions {}, access: {}.",
                    option.plan.as_deref().unwrap_or("?"),
                    if u.eviction { "on" } else { "off" },
                    if u.prod_pack { "on" } else { "off" },
                    u.read_regions,
                    u.access
                )));
            }
        }
        OptionKind::Serverless => {
            let name = cache_id(&env.env, "");
            let (_, major, _) = version_and_family(settings.engine);
            let auth = env.workload.figures.auth;
            variables(&mut items, true, auth);
            let mut body = vec![
                string("name", &name),
                string("description", &format!("capplan: env.{}", env.env)),
                string("engine", engine_id(settings.engine)),
                string("major_engine_version", major),
                attr("snapshot_retention_limit", settings.snapshot_retention_days.to_string()),
            ];
            if let Some(w) = settings.snapshot_window.as_deref().filter(|_| settings.snapshot_retention_days > 0) {
                // Serverless takes the start of the window
                body.push(string("daily_snapshot_time", w.split('-').next().unwrap_or(w)));
            }
            body.push(attr("subnet_ids", "var.subnet_ids"));
            body.push(attr("security_group_ids", "var.security_group_ids"));
            if matches!(auth, Auth::Rbac | Auth::Iam) {
                body.push(attr("user_group_id", "var.user_group_id"));
            }
            if let Some(l) = &settings.usage_limits {
                let mut ecpu = vec![attr("maximum", l.max_ecpu_per_sec.normalize().to_string())];
                if let Some(min) = l.min_ecpu_per_sec {
                    ecpu.push(attr("minimum", min.normalize().to_string()));
                }
                body.push(Hcl::Blank);
                body.push(Hcl::Block(
                    "cache_usage_limits".into(),
                    vec![
                        Hcl::Block(
                            "data_storage".into(),
                            vec![attr("maximum", l.max_data_gb.normalize().to_string()), string("unit", "GB")],
                        ),
                        Hcl::Blank,
                        Hcl::Block("ecpu_per_second".into(), ecpu),
                    ],
                ));
            }
            items.push(Hcl::Blank);
            items.push(Hcl::Comment(format!(
                "Serverless has no parameter group: maxmemory-policy is {} (fixed).",
                settings.maxmemory_policy.as_deref().unwrap_or("volatile-lru")
            )));
            items.push(Hcl::Block("resource \"aws_elasticache_serverless_cache\" \"cache\"".into(), body));
            alarm_blocks(
                &mut items,
                "cache",
                &settings.alarms,
                None,
                &[("clusterId", "aws_elasticache_serverless_cache.cache.name")],
                &name,
            );
        }
        OptionKind::Node | OptionKind::Split => {
            let auth = if settings.engine == Engine::Memcached { Auth::None } else { env.workload.figures.auth };
            variables(&mut items, false, auth);
            let parameters: Vec<(String, String)> =
                settings.parameters.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
            if settings.clusters.is_empty() {
                let c = ClusterOut {
                    name: "cache".into(),
                    id: cache_id(&env.env, ""),
                    engine: settings.engine,
                    node_type: settings.node_type.as_deref().or(option.node_type.as_deref()).unwrap_or_default(),
                    shards: settings.shards.unwrap_or(1),
                    replicas: settings.replicas.unwrap_or(0),
                    cluster_mode: settings.cluster_mode.unwrap_or(false),
                    multi_az: settings.multi_az,
                    failover: settings.automatic_failover,
                    retention: settings.snapshot_retention_days,
                    snapshot_window: settings.snapshot_window.as_deref(),
                    maintenance_window: settings.maintenance_window.as_deref(),
                    parameters,
                    alarms: &settings.alarms,
                    what: format!("env.{}", env.env),
                    auth,
                    tls: env.workload.figures.tls,
                };
                node_cluster(&mut items, &c);
            } else {
                items.push(Hcl::Blank);
                items.push(Hcl::Comment(format!(
                    "A split deployment: {} clusters, each sized for its own load, each its own replication group.",
                    settings.clusters.len()
                )));
                for cs in &settings.clusters {
                    let cluster_params: Vec<(String, String)> = parameters
                        .iter()
                        .filter(|(n, _)| n != "cluster-enabled")
                        .cloned()
                        .chain(std::iter::once((
                            "cluster-enabled".to_string(),
                            if cs.cluster_mode { "yes" } else { "no" }.to_string(),
                        )))
                        .collect();
                    let c = ClusterOut {
                        name: resource_name(&cs.role),
                        id: cache_id(&env.env, &format!("-{}", cs.role)),
                        engine: settings.engine,
                        node_type: &cs.node_type,
                        shards: cs.shards,
                        replicas: cs.replicas,
                        cluster_mode: cs.cluster_mode,
                        multi_az: cs.multi_az,
                        failover: cs.automatic_failover,
                        retention: cs.snapshot_retention_days,
                        snapshot_window: cs.snapshot_window.as_deref(),
                        maintenance_window: Some(cs.maintenance_window.as_str()),
                        parameters: cluster_params,
                        alarms: &cs.alarms,
                        what: format!("env.{} {} cluster", env.env, cs.role),
                        auth,
                        tls: env.workload.figures.tls,
                    };
                    node_cluster(&mut items, &c);
                }
            }
        }
    }
    let mut out = String::new();
    format_hcl(&items, 0, &mut out);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_one_line_attributes_are_aligned_and_blocks_break_them() {
        let items = vec![Hcl::Block(
            "resource \"a\" \"b\"".into(),
            vec![
                attr("for_each", "toset(local.x)"),
                Hcl::Blank,
                string("name", "n"),
                attr("evaluation_periods", "1"),
                Hcl::Blank,
                Hcl::Object(
                    "dimensions".into(),
                    vec![("CacheClusterId".into(), "each.value".into()), ("A".into(), "1".into())],
                ),
                Hcl::Block("parameter".into(), vec![string("name", "x"), string("value", "y")]),
            ],
        )];
        let mut out = String::new();
        format_hcl(&items, 0, &mut out);
        assert_eq!(
            out,
            "resource \"a\" \"b\" {\n  for_each = toset(local.x)\n\n  name               = \"n\"\n  evaluation_periods = 1\n\n  dimensions = {\n    CacheClusterId = each.value\n    A              = 1\n  }\n  parameter {\n    name  = \"x\"\n    value = \"y\"\n  }\n}\n"
        );
    }

    #[test]
    fn strings_are_escaped_and_names_are_valid() {
        assert_eq!(quote("a \"b\" ${c} %{d} \\ \n"), "\"a \\\"b\\\" $${c} %%{d} \\\\ \\n\"");
        assert_eq!(cache_id("Prod_EU", ""), "prod-eu");
        assert_eq!(cache_id("9x", "-state"), "c-9x-state");
        assert_eq!(cache_id(&"a".repeat(50), ""), "a".repeat(40));
        assert_eq!(resource_name("DatabaseMemoryUsagePercentage"), "database_memory_usage_percentage");
        assert_eq!(resource_name("EngineCPUUtilization"), "engine_cpu_utilization");
        assert_eq!(statistic("Sum over 1 minute"), ("Sum".into(), 60));
        assert_eq!(statistic("Average over 5 minutes"), ("Average".into(), 300));
    }
}
