//! Sizing: for the recommended option and the runner-up, which resource binds and by how much,
//! so a reviewer can see why a layout has the nodes it has (the report's "Why this size").

use serde::Serialize;

use crate::model::capacity::{Demand, cluster_of, memory_factor, serverless_utilization};
use crate::model::evaluate::Evaluated;
use crate::model::limits::{SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB, SERVERLESS_MAX_ECPU_PER_SEC};
use crate::model::price::PriceBook;
use crate::model::throughput::{Resource, bottlenecks, bytes_to_gbps};
use crate::model::workload::{Deployment, EnvInputs, NodeLayout};

/// One resource of one cluster: what it needs at peak (grown over the horizon) against what it has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResourceUse {
    /// `memory`, `engine`, `network-in`, `network-out`, `connections`, `ecpu`.
    pub resource: String,
    /// The node where it is tightest (`primary`, `replica`), or the service.
    pub role: String,
    /// need / capacity.
    pub utilization: f64,
    /// Need, in `unit`.
    pub need: f64,
    /// Capacity, in `unit`.
    pub capacity: f64,
    /// `GiB`, `requests/s`, `Gbps`, `connections`, `GB`, `ECPU/s`.
    pub unit: String,
}

/// The resources of one option (one entry per cluster of a split deployment), tightest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    /// The option.
    pub option_id: String,
    /// `cluster`, `adapter`, `state`, `serverless`.
    pub cluster: String,
    /// Resources, tightest first: the first binds.
    pub resources: Vec<ResourceUse>,
}

fn node_resources(layout: &NodeLayout, env: &EnvInputs, demand: &Demand, book: &PriceBook) -> Vec<ResourceUse> {
    let node = book.catalog.node(layout.node);
    let cluster = cluster_of(layout, node, demand, &env.policy, None);
    let load = demand.load(memory_factor(layout.engine, demand.write_ratio), false);
    bottlenecks(&cluster, &load)
        .into_iter()
        .map(|b| {
            let (need, capacity, unit) = match b.resource {
                Resource::Memory => (b.need, b.capacity, "GiB"),
                Resource::Engine => (b.need, b.capacity, "requests/s"),
                Resource::NetworkIn | Resource::NetworkOut => {
                    (bytes_to_gbps(b.need), bytes_to_gbps(b.capacity), "Gbps")
                }
                Resource::Connections => (b.need, b.capacity, "connections"),
            };
            ResourceUse {
                resource: b.resource.id().to_string(),
                role: b.role.id().to_string(),
                utilization: b.utilization,
                need,
                capacity,
                unit: unit.to_string(),
            }
        })
        .collect()
}

/// The sizing of one option; empty for Upstash (its caps are in the option's utilization).
pub(super) fn sizing(option: &Evaluated, env: &EnvInputs, book: &PriceBook) -> Vec<Sizing> {
    let demand = Demand::of(&env.workload, &env.policy);
    let entry = |cluster: &str, resources| Sizing { option_id: option.id.clone(), cluster: cluster.into(), resources };
    match &option.deployment {
        Deployment::Node { layout, .. } => vec![entry("cluster", node_resources(layout, env, &demand, book))],
        Deployment::Split { adapter, state, .. } => vec![
            entry("adapter", node_resources(adapter, env, &demand.pubsub_only(), book)),
            entry("state", node_resources(state, env, &demand.without_pubsub(), book)),
        ],
        Deployment::Serverless { .. } => {
            let u = serverless_utilization(&demand);
            let service = |resource: &str, used: Option<f64>, need: f64, capacity: f64, unit: &str| ResourceUse {
                resource: resource.into(),
                role: "per-cache limit".into(),
                utilization: used.unwrap_or(0.0),
                need,
                capacity,
                unit: unit.into(),
            };
            let mut resources = vec![
                service("memory", u.memory, demand.data_gib, SERVERLESS_MAX_DATA_GB, "GB"),
                service("ecpu", u.cpu, demand.peak_ecpu, SERVERLESS_MAX_ECPU_PER_SEC, "ECPU/s"),
                service(
                    "connections",
                    u.connections,
                    demand.connections,
                    f64::from(SERVERLESS_MAX_CONNECTIONS),
                    "connections",
                ),
            ];
            resources.sort_by(|a, b| b.utilization.total_cmp(&a.utilization));
            vec![entry("serverless", resources)]
        }
        Deployment::Upstash { .. } => Vec::new(),
    }
}
