//! The rows of the two lists, from their data and the user's choices: the All table (filtered,
//! sorted environments) and the option table (options the app can use, one row per kind ×
//! engine × node type with its best layout and term, expandable). Pure functions, cheap enough
//! to run on every key and frame.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::model::catalog::Engine;
use crate::report::{EnvReport, OptionReport};

/// A column the All table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllSort {
    /// The plan's order.
    Plan,
    /// Environment name.
    Env,
    /// Region.
    Region,
    /// Current monthly cost.
    Current,
    /// Recommended option.
    Recommended,
    /// Recommended monthly cost.
    Monthly,
    /// Recommended minus current.
    Delta,
    /// Number of warnings.
    Warnings,
}

impl AllSort {
    /// The column after this one.
    #[must_use]
    pub fn next(self) -> AllSort {
        match self {
            AllSort::Plan => AllSort::Env,
            AllSort::Env => AllSort::Region,
            AllSort::Region => AllSort::Current,
            AllSort::Current => AllSort::Recommended,
            AllSort::Recommended => AllSort::Monthly,
            AllSort::Monthly => AllSort::Delta,
            AllSort::Delta => AllSort::Warnings,
            AllSort::Warnings => AllSort::Plan,
        }
    }

    /// Its column header.
    pub fn label(self) -> &'static str {
        match self {
            AllSort::Plan => "plan order",
            AllSort::Env => "environment",
            AllSort::Region => "region",
            AllSort::Current => "current",
            AllSort::Recommended => "recommended",
            AllSort::Monthly => "monthly",
            AllSort::Delta => "change",
            AllSort::Warnings => "warnings",
        }
    }
}

/// A column the option table sorts by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionSort {
    /// Monthly cost (the report's order).
    Monthly,
    /// The option's label.
    Option,
    /// Fit first, then cost.
    Fit,
    /// Memory used at peak.
    Memory,
    /// CPU used at peak.
    Cpu,
    /// Network used at peak.
    Network,
    /// Connections used at peak.
    Connections,
}

impl OptionSort {
    /// The column after this one.
    #[must_use]
    pub fn next(self) -> OptionSort {
        match self {
            OptionSort::Monthly => OptionSort::Option,
            OptionSort::Option => OptionSort::Fit,
            OptionSort::Fit => OptionSort::Memory,
            OptionSort::Memory => OptionSort::Cpu,
            OptionSort::Cpu => OptionSort::Network,
            OptionSort::Network => OptionSort::Connections,
            OptionSort::Connections => OptionSort::Monthly,
        }
    }

    /// Its column header.
    pub fn label(self) -> &'static str {
        match self {
            OptionSort::Monthly => "monthly",
            OptionSort::Option => "option",
            OptionSort::Fit => "fit",
            OptionSort::Memory => "mem",
            OptionSort::Cpu => "cpu",
            OptionSort::Network => "net",
            OptionSort::Connections => "conn",
        }
    }
}

/// How the option table is shown (the user's choices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionView {
    /// Only options that fit.
    pub feasible_only: bool,
    /// Options of another protocol than the app's too.
    pub other_protocols: bool,
    /// Groups opened to show every member.
    pub expanded: BTreeSet<String>,
    /// Filter text (case-insensitive, on the id and label).
    pub filter: String,
}

/// One row of the option table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionRow {
    /// Index into the report's options.
    pub index: usize,
    /// `Some(n)`: a group's best option, with `n` other members; `None`: a member of an expanded group.
    pub others: Option<usize>,
    /// The group is expanded.
    pub expanded: bool,
}

/// The rows, and how many options of other protocols are hidden.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionRows {
    /// The rows in order.
    pub rows: Vec<OptionRow>,
    /// Options hidden because they speak another protocol.
    pub other_protocol: usize,
    /// Options shown (after the filters), in groups or not.
    pub matching: usize,
    /// The widest row's short label and id, in characters (the option column's width).
    pub label_chars: (usize, usize),
}

/// Valkey and Redis OSS speak one protocol, Memcached another.
pub fn same_protocol(a: Engine, b: Engine) -> bool {
    (a == Engine::Memcached) == (b == Engine::Memcached)
}

pub use crate::report::options::group_key;

fn util(o: &OptionReport, sort: OptionSort) -> f64 {
    let u = &o.utilization;
    match sort {
        OptionSort::Memory => u.memory,
        OptionSort::Cpu => u.cpu,
        OptionSort::Network => u.network,
        OptionSort::Connections => u.connections,
        _ => None,
    }
    .unwrap_or(-1.0)
}

fn compare(a: &OptionReport, b: &OptionReport, sort: OptionSort) -> Ordering {
    match sort {
        OptionSort::Monthly => a.monthly_usd.cmp(&b.monthly_usd),
        OptionSort::Option => super::view::short_label(a).cmp(&super::view::short_label(b)),
        OptionSort::Fit => b.feasible.cmp(&a.feasible).then(a.monthly_usd.cmp(&b.monthly_usd)),
        _ => util(a, sort).total_cmp(&util(b, sort)),
    }
}

/// The option table's rows for `report` as `view` asks, sorted by `sort` (`reverse` flips it).
pub fn option_rows(report: &EnvReport, view: &OptionView, sort: OptionSort, reverse: bool) -> OptionRows {
    let needle = view.filter.to_lowercase();
    let star = report.recommendation.option_id.as_deref();
    let mut other_protocol = 0;
    let mut matching = 0;
    // groups in order of their cheapest member (the report lists options cheapest first)
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, o) in report.options.iter().enumerate() {
        if !same_protocol(o.engine, report.engine) && !view.other_protocols {
            other_protocol += 1;
            continue;
        }
        if view.feasible_only && !o.feasible {
            continue;
        }
        if !needle.is_empty()
            && !o.id.to_lowercase().contains(&needle)
            && !super::view::short_label(o).to_lowercase().contains(&needle)
        {
            continue;
        }
        matching += 1;
        let key = group_key(o);
        match index_of.get(&key) {
            Some(&g) => groups[g].1.push(i),
            None => {
                index_of.insert(key.clone(), groups.len());
                groups.push((key, vec![i]));
            }
        }
    }
    // a group shows the ★, else its cheapest fit on a term the plan's commit policy allows,
    // else its cheapest fit, else its cheapest
    let allowed = |o: &OptionReport| match o.term.as_deref() {
        None | Some("on-demand") => true,
        Some(term) => {
            report.policy.commit != "none"
                && term.starts_with(&report.policy.commit)
                && term.ends_with(&report.policy.commit_payment)
        }
    };
    let best = |members: &[usize]| {
        let fits = |i: &usize| report.options[*i].feasible;
        members
            .iter()
            .copied()
            .find(|&i| Some(report.options[i].id.as_str()) == star)
            .or_else(|| members.iter().copied().find(|i| fits(i) && allowed(&report.options[*i])))
            .or_else(|| members.iter().copied().find(fits))
            .unwrap_or(members[0])
    };
    let mut heads: Vec<(usize, &String, &Vec<usize>)> = groups.iter().map(|(k, m)| (best(m), k, m)).collect();
    heads.sort_by(|a, b| {
        let o = compare(&report.options[a.0], &report.options[b.0], sort);
        if reverse { o.reverse() } else { o }
    });
    let mut rows = Vec::new();
    for (head, key, members) in heads {
        let expanded = view.expanded.contains(key);
        rows.push(OptionRow { index: head, others: Some(members.len() - 1), expanded });
        if expanded {
            rows.extend(members.iter().filter(|&&i| i != head).map(|&i| OptionRow {
                index: i,
                others: None,
                expanded: true,
            }));
        }
    }
    let label_chars = rows.iter().fold((0, 0), |(label, id), r| {
        let o = &report.options[r.index];
        (label.max(super::view::short_label(o).chars().count()), id.max(o.id.chars().count()))
    });
    OptionRows { rows, other_protocol, matching, label_chars }
}
