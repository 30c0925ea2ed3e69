//! Terraform in: the ElastiCache resources of a Terraform module (`*.tf` in one folder), read with
//! the HCL parser of `hcl-rs`, their attributes resolved from literals, variables (`default`,
//! `terraform.tfvars`, `*.auto.tfvars`, `--var-file`, `--var`) and locals, and turned into the
//! `[env.NAME.current]` keys of a plan ([`CurrentSpec`]).
//!
//! Nothing is guessed: an attribute whose expression is not a literal, a variable, a local or a
//! template of those is [`Unresolved`], named with its file and line, and a resource that needs it
//! is skipped with the reason while the others are imported. [`read_module`] is the thin I/O
//! shell; [`parse_module`] and [`Module::import`] are pure.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use hcl::edit::Span;
use hcl::expr::{Expression, TemplateExpr, TraversalOperator};
use hcl::template::{Element, Template};
use hcl::{Number, Value};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::model::catalog::Engine;
use crate::model::price::PriceBook;
use crate::model::units::decimal_from_f64;
use crate::model::workload::{Current, EnvInputs};
use crate::source::plan::{PlanError, TerraformRef, parse_current};

/// The resource types capplan reads.
pub const REPLICATION_GROUP: &str = "aws_elasticache_replication_group";
/// A cache cluster: standalone, or a member of a replication group.
pub const CACHE_CLUSTER: &str = "aws_elasticache_cluster";
/// An ElastiCache Serverless cache.
pub const SERVERLESS_CACHE: &str = "aws_elasticache_serverless_cache";
/// An Application Auto Scaling target (shards or replicas of a replication group).
pub const SCALING_TARGET: &str = "aws_appautoscaling_target";

/// What the reader fails on: the module as a whole cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum TerraformError {
    /// The folder does not exist or is a file.
    #[error("'{dir}' is not a directory: pass the folder of the Terraform module (the one with its .tf files)")]
    NotADir {
        /// The folder as given.
        dir: String,
    },
    /// The folder has no `.tf` file.
    #[error("no .tf files in '{dir}': pass the folder of the Terraform module (the one with its .tf files)")]
    NoFiles {
        /// The folder as given.
        dir: String,
    },
    /// A file cannot be read.
    #[error("cannot read '{path}': {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid HCL.
    #[error("{file}:{line}:{column}: not valid HCL: {message}; fix the syntax (`terraform validate` points at it too)")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// A `--var` is not `NAME=VALUE`.
    #[error("--var '{0}' is not NAME=VALUE; write e.g. --var node_type=cache.r7g.large")]
    BadVar(String),
}

/// One `.tf` or `.tfvars` file: its name as shown (relative to the module) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TfFile {
    /// Name as shown in messages (`main.tf`).
    pub name: String,
    /// Text.
    pub text: String,
}

/// Where something is written: `main.tf:12`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Loc {
    /// File name as shown.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// An attribute as written: its expression, the text it was written as, and where.
#[derive(Clone, Debug)]
struct Attr {
    expr: Expression,
    text: String,
    loc: Loc,
}

/// A block body: attributes, and nested blocks in order.
#[derive(Clone, Debug, Default)]
struct Body {
    attrs: IndexMap<String, Attr>,
    blocks: Vec<(String, Body)>,
}

impl Body {
    fn block(&self, ident: &str) -> Option<&Body> {
        self.blocks.iter().find(|(i, _)| i == ident).map(|(_, b)| b)
    }
}

/// One `resource "TYPE" "NAME"` block.
#[derive(Clone, Debug)]
struct Resource {
    kind: String,
    name: String,
    loc: Loc,
    body: Body,
}

impl Resource {
    fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// A variable's value and where it was set.
#[derive(Clone, Debug)]
struct VarValue {
    value: Value,
}

/// A variable as declared.
#[derive(Clone, Debug)]
struct Variable {
    default: Option<Attr>,
}

/// A module, parsed: variables, their values, locals and resources.
#[derive(Clone, Debug, Default)]
pub struct Module {
    variables: IndexMap<String, Variable>,
    values: IndexMap<String, VarValue>,
    locals: IndexMap<String, Attr>,
    resources: Vec<Resource>,
}

/// An expression capplan does not evaluate, where it is and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Unresolved {
    /// Resource address (`aws_elasticache_replication_group.sessions`).
    pub address: String,
    /// Attribute, dotted for nested blocks (`cache_usage_limits.data_storage.maximum`).
    pub attribute: String,
    /// The expression as written.
    pub expression: String,
    /// Where.
    pub at: Loc,
    /// Why it is not resolved.
    pub reason: String,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} = {} ({}) {}; pass --var or set it in the plan",
            self.address, self.attribute, self.expression, self.at, self.reason
        )
    }
}

/// What a deployment is, as the plan's `current.kind` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CurrentKind {
    /// Node-based.
    Node,
    /// ElastiCache Serverless.
    Serverless,
}

/// The `[env.NAME.current]` keys one resource gives, with where each came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CurrentSpec {
    /// `node` or `serverless`.
    pub kind: CurrentKind,
    /// Engine.
    pub engine: Engine,
    /// Node type (node).
    pub node_type: Option<String>,
    /// Engine version (node; only a version the plan accepts).
    pub engine_version: Option<String>,
    /// Shards (node; Memcached: nodes).
    pub shards: Option<u32>,
    /// Replicas per shard (node).
    pub replicas: Option<u32>,
    /// Cluster mode (node).
    pub cluster_mode: Option<bool>,
    /// Automatic snapshots kept, days.
    pub snapshot_retention_days: Option<u32>,
    /// Serverless `DataStorage.Maximum`, GB.
    pub max_data_gb: Option<Decimal>,
    /// Serverless `ECPUPerSecond.Maximum`.
    pub max_ecpu_per_sec: Option<Decimal>,
    /// Plan key → where its value is written in the module.
    pub origins: BTreeMap<String, Loc>,
}

impl CurrentSpec {
    /// The keys of `[env.NAME.current]`, one a line, as TOML.
    pub fn toml(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            out.push_str(k);
            out.push_str(" = ");
            out.push_str(&v);
            out.push('\n');
        };
        line(
            "kind",
            match self.kind {
                CurrentKind::Node => "\"node\"".into(),
                CurrentKind::Serverless => "\"serverless\"".into(),
            },
        );
        line("engine", format!("\"{}\"", self.engine.id()));
        if let Some(t) = &self.node_type {
            line("node_type", toml_string(t));
        }
        if let Some(s) = self.shards {
            line("shards", s.to_string());
        }
        if let Some(r) = self.replicas {
            line("replicas", r.to_string());
        }
        if let Some(c) = self.cluster_mode {
            line("cluster_mode", c.to_string());
        }
        if let Some(v) = &self.engine_version {
            line("engine_version", toml_string(v));
        }
        if let Some(d) = self.snapshot_retention_days {
            line("snapshot_retention_days", d.to_string());
        }
        if let Some(g) = self.max_data_gb {
            line("max_data_gb", g.normalize().to_string());
        }
        if let Some(e) = self.max_ecpu_per_sec {
            line("max_ecpu_per_sec", e.normalize().to_string());
        }
        out
    }

    /// Where the value of plan key `key` (`node_type`, `shards`…) is written, if in the module.
    pub fn origin(&self, key: &str) -> Option<&Loc> {
        self.origins.get(key)
    }
}

fn toml_string(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// What an Application Auto Scaling target scales.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScaledDimension {
    /// `elasticache:replication-group:NodeGroups`.
    Shards,
    /// `elasticache:replication-group:Replicas`.
    Replicas,
}

impl ScaledDimension {
    /// The plan key it sets.
    pub fn key(self) -> &'static str {
        match self {
            ScaledDimension::Shards => "shards",
            ScaledDimension::Replicas => "replicas",
        }
    }
}

/// An autoscaling range on a replication group.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Scaling {
    /// The `aws_appautoscaling_target` address.
    pub address: String,
    /// Where.
    pub at: Loc,
    /// Shards or replicas.
    pub dimension: ScaledDimension,
    /// `min_capacity`.
    pub min: u32,
    /// `max_capacity`.
    pub max: u32,
}

/// One resource found, and what it became.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Found {
    /// Address (`aws_elasticache_replication_group.sessions`).
    pub address: String,
    /// Where the block starts.
    pub at: Loc,
    /// The settings read, resolved, as `name = value` (Terraform spelling).
    pub settings: Vec<(String, String)>,
    /// The plan's `current` (at the autoscaling minimum when scaled), or why there is none.
    pub current: Result<CurrentSpec, String>,
    /// Autoscaling ranges on it.
    pub scaling: Vec<Scaling>,
    /// Things to know (defaults taken, attributes with no effect on cost).
    pub notes: Vec<String>,
    /// How many of it the module creates (`count`, `for_each`); the deployment is one of them.
    pub copies: usize,
}

impl Found {
    /// The `current` at the autoscaling maximum, when a range scales it.
    pub fn at_max(&self) -> Option<CurrentSpec> {
        let spec = self.current.as_ref().ok()?;
        if self.scaling.is_empty() {
            return None;
        }
        let mut max = spec.clone();
        for s in &self.scaling {
            match s.dimension {
                ScaledDimension::Shards => max.shards = Some(s.max),
                ScaledDimension::Replicas => max.replicas = Some(s.max),
            }
        }
        Some(max)
    }
}

/// A cache cluster that belongs to a replication group: counted with its group, not again.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// The `aws_elasticache_cluster` address.
    pub address: String,
    /// Where.
    pub at: Loc,
    /// The group, as its address when it is in the module, else its id.
    pub group: String,
}

/// Everything an import found.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// Caches, in file order.
    pub resources: Vec<Found>,
    /// Group members, not counted twice.
    pub members: Vec<Member>,
    /// Autoscaling targets that name no replication group of the module, with why.
    pub other_targets: Vec<String>,
    /// Every expression not resolved.
    pub unresolved: Vec<Unresolved>,
}

impl Imported {
    /// The resources that became a deployment.
    pub fn deployments(&self) -> impl Iterator<Item = (&Found, &CurrentSpec)> {
        self.resources.iter().filter_map(|f| f.current.as_ref().ok().map(|c| (f, c)))
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn syntax(file: &TfFile, e: &hcl::edit::parser::Error) -> TerraformError {
    TerraformError::Syntax {
        file: file.name.clone(),
        line: e.location().line(),
        column: e.location().column(),
        message: e.message().to_string(),
    }
}

fn body_of(file: &TfFile, body: &hcl::edit::structure::Body) -> Body {
    let mut out = Body::default();
    for attr in body.attributes() {
        let span = attr.value.span().or_else(|| attr.span());
        let (text, line) = match span {
            Some(s) => (file.text.get(s.clone()).unwrap_or_default().trim().to_string(), line_of(&file.text, s.start)),
            None => (String::new(), 0),
        };
        let expr = Expression::from(attr.value.clone());
        let text = if text.is_empty() { expr.to_string() } else { text };
        out.attrs
            .insert(attr.key.as_str().to_string(), Attr { expr, text, loc: Loc { file: file.name.clone(), line } });
    }
    for block in body.blocks() {
        out.blocks.push((block.ident.as_str().to_string(), body_of(file, &block.body)));
    }
    out
}

/// Parse the module's `.tf` files and its variable values: `tfvars` in the order they apply
/// (`terraform.tfvars`, then `*.auto.tfvars` by name, then `--var-file`s), then `vars`
/// (`NAME=VALUE`, as `--var` gives them: strings, or HCL lists and objects).
pub fn parse_module(tf: &[TfFile], tfvars: &[TfFile], vars: &[String]) -> Result<Module, TerraformError> {
    let mut module = Module::default();
    for file in tf {
        let parsed = hcl::edit::parser::parse_body(&file.text).map_err(|e| syntax(file, &e))?;
        for block in parsed.blocks() {
            let labels: Vec<&str> = block.labels.iter().map(hcl::edit::structure::BlockLabel::as_str).collect();
            let line = block.span().map_or(0, |s| line_of(&file.text, s.start));
            let loc = Loc { file: file.name.clone(), line };
            match (block.ident.as_str(), labels.as_slice()) {
                ("resource", [kind, name]) => module.resources.push(Resource {
                    kind: (*kind).to_string(),
                    name: (*name).to_string(),
                    loc,
                    body: body_of(file, &block.body),
                }),
                ("variable", [name]) => {
                    let body = body_of(file, &block.body);
                    module
                        .variables
                        .insert((*name).to_string(), Variable { default: body.attrs.get("default").cloned() });
                }
                ("locals", []) => {
                    for (k, v) in body_of(file, &block.body).attrs {
                        module.locals.insert(k, v);
                    }
                }
                _ => {}
            }
        }
    }
    for file in tfvars {
        let parsed = hcl::edit::parser::parse_body(&file.text).map_err(|e| syntax(file, &e))?;
        for (name, attr) in body_of(file, &parsed).attrs {
            // a tfvars value is a literal: no variables or locals there
            if let Ok(value) = literal(&attr.expr) {
                module.values.insert(name, VarValue { value });
            }
        }
    }
    for var in vars {
        let (name, text) = var.split_once('=').ok_or_else(|| TerraformError::BadVar(var.clone()))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(TerraformError::BadVar(var.clone()));
        }
        let value = if text.trim_start().starts_with(['[', '{']) {
            hcl::edit::parser::parse_expr(text)
                .ok()
                .and_then(|e| literal(&Expression::from(e)).ok())
                .unwrap_or_else(|| Value::String(text.to_string()))
        } else {
            Value::String(text.to_string())
        };
        module.values.insert(name.to_string(), VarValue { value });
    }
    Ok(module)
}

/// Read the module in `dir` (every `*.tf`, `terraform.tfvars`, `*.auto.tfvars`), then
/// `var_files` and `vars`.
pub fn read_module(dir: &Path, var_files: &[std::path::PathBuf], vars: &[String]) -> Result<Module, TerraformError> {
    let shown = dir.display().to_string();
    if !dir.is_dir() {
        return Err(TerraformError::NotADir { dir: shown });
    }
    let read = |path: &Path, name: String| -> Result<TfFile, TerraformError> {
        std::fs::read_to_string(path)
            .map(|text| TfFile { name, text })
            .map_err(|source| TerraformError::Read { path: path.display().to_string(), source })
    };
    let entries = std::fs::read_dir(dir).map_err(|source| TerraformError::Read { path: shown.clone(), source })?;
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect();
    names.sort();
    let shown_name = |name: &str| dir.join(name).display().to_string();
    let mut tf = Vec::new();
    for name in names.iter().filter(|n| Path::new(n).extension().is_some_and(|e| e.eq_ignore_ascii_case("tf"))) {
        tf.push(read(&dir.join(name), shown_name(name))?);
    }
    if tf.is_empty() {
        return Err(TerraformError::NoFiles { dir: shown });
    }
    let mut tfvars = Vec::new();
    if names.iter().any(|n| n == "terraform.tfvars") {
        tfvars.push(read(&dir.join("terraform.tfvars"), shown_name("terraform.tfvars"))?);
    }
    for name in names.iter().filter(|n| n.ends_with(".auto.tfvars")) {
        tfvars.push(read(&dir.join(name), shown_name(name))?);
    }
    for path in var_files {
        tfvars.push(read(path, path.display().to_string())?);
    }
    parse_module(&tf, &tfvars, vars)
}

// ---------------------------------------------------------------------------------------------
// Resolving

const NOT_SIMPLE: &str = "is not a literal, variable or local";

/// A literal value (numbers, strings without interpolation, bools, null, lists and objects of
/// them).
fn literal(expr: &Expression) -> Result<Value, String> {
    match expr {
        Expression::Null => Ok(Value::Null),
        Expression::Bool(b) => Ok(Value::Bool(*b)),
        Expression::Number(n) => Ok(Value::Number(*n)),
        Expression::String(s) => Ok(Value::String(s.clone())),
        Expression::Array(items) => items.iter().map(literal).collect::<Result<Vec<_>, _>>().map(Value::Array),
        Expression::Object(o) => {
            let mut map = hcl::Map::new();
            for (k, v) in o {
                let key = match k {
                    hcl::ObjectKey::Identifier(i) => i.as_str().to_string(),
                    hcl::ObjectKey::Expression(e) => text_of(&literal(e)?)?,
                    _ => return Err("has an object key that is not a literal".into()),
                };
                map.insert(key, literal(v)?);
            }
            Ok(Value::Object(map))
        }
        Expression::TemplateExpr(t) => {
            let template = Template::from_expr(t).map_err(|e| format!("is not a valid template: {e}"))?;
            let mut out = String::new();
            for el in template.elements() {
                match el {
                    Element::Literal(s) => out.push_str(s),
                    _ => return Err("is not a literal".into()),
                }
            }
            Ok(Value::String(out))
        }
        Expression::Parenthesis(e) => literal(e),
        _ => Err("is not a literal".into()),
    }
}

fn text_of(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err("is not a string, number or bool".into()),
    }
}

/// `root.name` with nothing after it, for `var.x` and `local.x`.
fn simple_traversal(expr: &Expression) -> Option<(&str, Vec<&str>)> {
    let Expression::Traversal(t) = expr else { return None };
    let Expression::Variable(root) = &t.expr else { return None };
    let mut names = Vec::new();
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(i) => names.push(i.as_str()),
            _ => return None,
        }
    }
    Some((root.as_str(), names))
}

impl Module {
    /// Evaluate `expr`; `stack` holds the locals being evaluated (cycle detection).
    fn eval(&self, expr: &Expression, stack: &mut Vec<String>) -> Result<Value, String> {
        match expr {
            Expression::Null | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => literal(expr),
            Expression::Parenthesis(e) => self.eval(e, stack),
            Expression::Array(items) => {
                items.iter().map(|e| self.eval(e, stack)).collect::<Result<Vec<_>, _>>().map(Value::Array)
            }
            Expression::Object(o) => {
                let mut map = hcl::Map::new();
                for (k, v) in o {
                    let key = match k {
                        hcl::ObjectKey::Identifier(i) => i.as_str().to_string(),
                        hcl::ObjectKey::Expression(e) => text_of(&self.eval(e, stack)?)?,
                        _ => return Err(NOT_SIMPLE.into()),
                    };
                    map.insert(key, self.eval(v, stack)?);
                }
                Ok(Value::Object(map))
            }
            Expression::TemplateExpr(t) => self.template(t, stack),
            Expression::Traversal(_) => match simple_traversal(expr) {
                Some((root, names)) => match (root, names.as_slice()) {
                    ("var", [name]) => self.var(name),
                    ("local", [name]) => self.local(name, stack),
                    (kind, [name, attribute]) if kind.starts_with("aws_") => {
                        self.reference(kind, name, attribute, stack)
                    }
                    _ => Err(NOT_SIMPLE.into()),
                },
                None => Err(NOT_SIMPLE.into()),
            },
            _ => Err(NOT_SIMPLE.into()),
        }
    }

    fn template(&self, t: &TemplateExpr, stack: &mut Vec<String>) -> Result<Value, String> {
        let template = Template::from_expr(t).map_err(|e| format!("is not a valid template: {e}"))?;
        let mut out = String::new();
        for el in template.elements() {
            match el {
                Element::Literal(s) => out.push_str(s),
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr, stack).map_err(|why| format!("has a part that {why}"))?;
                    out.push_str(&text_of(&v).map_err(|why| format!("has a part that {why}"))?);
                }
                Element::Directive(_) => {
                    return Err("is a template with a directive (%{…}), which capplan does not evaluate".into());
                }
            }
        }
        Ok(Value::String(out))
    }

    fn var(&self, name: &str) -> Result<Value, String> {
        if let Some(v) = self.values.get(name) {
            return Ok(v.value.clone());
        }
        match self.variables.get(name) {
            None => Err(format!("names var.{name}, which no variable \"{name}\" block declares")),
            Some(Variable { default: None }) => {
                Err(format!("needs var.{name}, which has no default and no value in terraform.tfvars or *.auto.tfvars"))
            }
            Some(Variable { default: Some(d) }) => {
                literal(&d.expr).map_err(|_| format!("needs var.{name}, whose default ({}) is not a literal", d.loc))
            }
        }
    }

    fn local(&self, name: &str, stack: &mut Vec<String>) -> Result<Value, String> {
        let Some(attr) = self.locals.get(name) else {
            return Err(format!("names local.{name}, which no locals block sets"));
        };
        let key = format!("local.{name}");
        if stack.contains(&key) {
            let mut cycle: Vec<String> = stack.iter().filter(|s| s.starts_with("local.")).cloned().collect();
            cycle.push(format!("local.{name}"));
            return Err(format!("needs locals that refer to each other ({})", cycle.join(" -> ")));
        }
        stack.push(key);
        let out = self.eval(&attr.expr, stack).map_err(|why| {
            if why.starts_with("needs locals that refer") || why.contains("refers to itself") {
                why
            } else {
                format!("needs local.{name} = {} ({}), which {why}", attr.text, attr.loc)
            }
        });
        stack.pop();
        out
    }

    /// `TYPE.NAME.ATTRIBUTE` of a resource in the module: the attribute as written there (`id`
    /// is the name argument of the ElastiCache resources); anything AWS computes is unresolved.
    fn reference(&self, kind: &str, name: &str, attribute: &str, stack: &mut Vec<String>) -> Result<Value, String> {
        let address = format!("{kind}.{name}");
        let r = self
            .resources
            .iter()
            .find(|r| r.kind == kind && r.name == name)
            .ok_or_else(|| format!("names {address}, which is not in the module"))?;
        let argument = match (kind, attribute) {
            (REPLICATION_GROUP, "id") => "replication_group_id",
            (CACHE_CLUSTER, "id") => "cluster_id",
            (SERVERLESS_CACHE | "aws_elasticache_parameter_group" | "aws_elasticache_subnet_group", "id") => "name",
            (_, a) => a,
        };
        let attr = r
            .body
            .attrs
            .get(argument)
            .ok_or_else(|| format!("names {address}.{attribute}, which AWS computes (known only after apply)"))?;
        let key = format!("{address}.{argument}");
        if stack.contains(&key) {
            return Err(format!("needs {key}, which refers to itself"));
        }
        stack.push(key);
        let out = self
            .eval(&attr.expr, stack)
            .map_err(|why| format!("needs {address}.{argument} = {} ({}), which {why}", attr.text, attr.loc));
        stack.pop();
        out
    }

    /// Resource `r`'s attribute at `path` (`["cache_usage_limits", "data_storage", "maximum"]`):
    /// `None` when not written; unresolved expressions are recorded in `unresolved`.
    fn get(&self, r: &Resource, path: &[&str], unresolved: &mut Vec<Unresolved>) -> Option<Result<(Value, Loc), ()>> {
        let (last, blocks) = path.split_last()?;
        let mut body = &r.body;
        for b in blocks {
            body = body.block(b)?;
        }
        let attr = body.attrs.get(*last)?;
        match self.eval(&attr.expr, &mut Vec::new()) {
            Ok(Value::Null) => None,
            Ok(v) => Some(Ok((v, attr.loc.clone()))),
            Err(reason) => {
                unresolved.push(Unresolved {
                    address: r.address(),
                    attribute: path.join("."),
                    expression: attr.text.clone(),
                    at: attr.loc.clone(),
                    reason,
                });
                Some(Err(()))
            }
        }
    }

    /// Whether the module's `aws_elasticache_parameter_group` named `name` sets
    /// `cluster-enabled = yes`.
    fn cluster_enabled(&self, name: &str) -> bool {
        let resolves_to = |attr: Option<&Attr>, want: &str| {
            attr.and_then(|a| self.eval(&a.expr, &mut Vec::new()).ok())
                .and_then(|v| text_of(&v).ok())
                .is_some_and(|v| v.eq_ignore_ascii_case(want))
        };
        self.resources
            .iter()
            .filter(|r| r.kind == "aws_elasticache_parameter_group" && resolves_to(r.body.attrs.get("name"), name))
            .flat_map(|r| r.body.blocks.iter().filter(|(ident, _)| ident == "parameter"))
            .any(|(_, p)| {
                resolves_to(p.attrs.get("name"), "cluster-enabled") && resolves_to(p.attrs.get("value"), "yes")
            })
    }

    /// Every resource's address, in file order.
    pub fn addresses(&self) -> Vec<String> {
        self.resources.iter().map(Resource::address).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Mapping

/// Reads one resource's attributes, keeping the settings shown and the unresolved ones.
struct Reader<'a> {
    module: &'a Module,
    r: &'a Resource,
    settings: Vec<(String, String)>,
    unresolved: Vec<Unresolved>,
    /// Attributes needed but unresolved (the resource is skipped).
    missing: Vec<String>,
    origins: BTreeMap<String, Loc>,
}

impl<'a> Reader<'a> {
    fn new(module: &'a Module, r: &'a Resource) -> Self {
        Reader {
            module,
            r,
            settings: Vec::new(),
            unresolved: Vec::new(),
            missing: Vec::new(),
            origins: BTreeMap::new(),
        }
    }

    /// The value at `path`, shown in the settings; `key` is the plan key it feeds (its origin
    /// is kept); `needed` marks the resource as skipped when unresolved.
    fn value(&mut self, path: &[&str], key: Option<&str>, needed: bool) -> Option<Value> {
        match self.module.get(self.r, path, &mut self.unresolved) {
            None => None,
            Some(Err(())) => {
                if needed {
                    self.missing.push(path.join("."));
                }
                None
            }
            Some(Ok((v, loc))) => {
                self.settings.push((path.join("."), v.to_string()));
                if let Some(k) = key {
                    self.origins.insert(k.to_string(), loc);
                }
                Some(v)
            }
        }
    }

    fn string(&mut self, path: &[&str], key: Option<&str>, needed: bool) -> Option<String> {
        let v = self.value(path, key, needed)?;
        match text_of(&v) {
            Ok(s) => Some(s),
            Err(why) => {
                self.wrong(path, &v, &format!("{why}; a string is expected"), needed);
                None
            }
        }
    }

    fn count(&mut self, path: &[&str], key: Option<&str>, needed: bool) -> Option<u32> {
        let v = self.value(path, key, needed)?;
        match number_of(&v).filter(|d| d.fract().is_zero()).and_then(|d| d.to_u32()) {
            Some(n) => Some(n),
            None => {
                self.wrong(path, &v, "is not a whole number >= 0", needed);
                None
            }
        }
    }

    fn decimal(&mut self, path: &[&str], key: Option<&str>, needed: bool) -> Option<Decimal> {
        let v = self.value(path, key, needed)?;
        match number_of(&v) {
            Some(d) => Some(d),
            None => {
                self.wrong(path, &v, "is not a number", needed);
                None
            }
        }
    }

    fn flag(&mut self, path: &[&str], needed: bool) -> Option<bool> {
        let v = self.value(path, None, needed)?;
        match &v {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
            _ => {
                self.wrong(path, &v, "is not true or false", needed);
                None
            }
        }
    }

    /// A resolved value of the wrong type: an unresolved entry of its own.
    fn wrong(&mut self, path: &[&str], v: &Value, why: &str, needed: bool) {
        let attr = path.join(".");
        let (expression, at) = self.where_of(path);
        self.unresolved.push(Unresolved {
            address: self.r.address(),
            attribute: attr.clone(),
            expression,
            at,
            reason: format!("is {v}, which {why}"),
        });
        if needed {
            self.missing.push(attr);
        }
    }

    fn where_of(&self, path: &[&str]) -> (String, Loc) {
        let mut body = &self.r.body;
        if let Some((last, blocks)) = path.split_last() {
            for b in blocks {
                match body.block(b) {
                    Some(inner) => body = inner,
                    None => return (String::new(), self.r.loc.clone()),
                }
            }
            if let Some(a) = body.attrs.get(*last) {
                return (a.text.clone(), a.loc.clone());
            }
        }
        (String::new(), self.r.loc.clone())
    }

    fn has_block(&self, name: &str) -> bool {
        self.r.body.block(name).is_some()
    }

    /// A needed attribute whose value capplan cannot use: listed as unresolved, with `reason`,
    /// and the resource is skipped.
    fn refuse(&mut self, path: &[&str], reason: String) {
        let attribute = path.join(".");
        self.missing.push(attribute.clone());
        let (expression, at) = self.where_of(path);
        self.unresolved.push(Unresolved { address: self.r.address(), attribute, expression, at, reason });
    }
}

fn number_of(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => number(n),
        Value::String(s) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
}

fn number(n: &Number) -> Option<Decimal> {
    n.as_i64()
        .map(Decimal::from)
        .or_else(|| n.as_u64().map(Decimal::from))
        .or_else(|| n.as_f64().and_then(decimal_from_f64))
}

fn engine(name: &str) -> Option<Engine> {
    match name.trim().to_ascii_lowercase().as_str() {
        "redis" => Some(Engine::Redis),
        "valkey" => Some(Engine::Valkey),
        "memcached" => Some(Engine::Memcached),
        _ => None,
    }
}

/// Engine versions the plan accepts (`current.engine_version`), as discovery keeps them.
/// `version` when capplan knows its support dates; otherwise `None`, with a note saying so.
fn known_version(engine: Engine, version: Option<String>, notes: &mut Vec<String>) -> Option<String> {
    let v = version?;
    if version_accepted(engine, &v) {
        Some(v)
    } else {
        notes.push(format!("engine_version '{v}' is not one capplan knows the support dates of: left out"));
        None
    }
}

fn version_accepted(engine: Engine, version: &str) -> bool {
    let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
    let range = match engine {
        Engine::Redis => 4..=7,
        Engine::Valkey => 7..=8,
        Engine::Memcached => 1..=1,
    };
    // `6.x` is how the provider asks for the latest Redis OSS 6: its major is known
    let parts: Vec<&str> = version.split('.').collect();
    major.is_some_and(|m| range.contains(&m))
        && parts.iter().enumerate().all(|(i, p)| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) || (i > 0 && i + 1 == parts.len() && *p == "x")
        })
}

fn skipped(missing: &[String]) -> String {
    format!("{} {} not resolved (see below)", missing.join(", "), if missing.len() == 1 { "is" } else { "are" })
}

impl Module {
    /// Every ElastiCache resource of the module, mapped: replication groups, Serverless caches
    /// and standalone clusters become deployments; clusters of a group are members; autoscaling
    /// targets give their group's range.
    pub fn import(&self) -> Imported {
        let mut out = Imported::default();
        // replication group id (resolved) → address, for autoscaling targets and members
        let mut group_ids: Vec<(String, String)> = Vec::new();
        for r in self.resources.iter().filter(|r| r.kind == REPLICATION_GROUP) {
            if let Some(Ok((v, _))) = self.get(r, &["replication_group_id"], &mut Vec::new())
                && let Ok(id) = text_of(&v)
            {
                group_ids.push((id, r.address()));
            }
        }
        let mut scaling: Vec<(String, Scaling)> = Vec::new();
        for r in self.resources.iter().filter(|r| r.kind == SCALING_TARGET) {
            let mut reader = Reader::new(self, r);
            let namespace = reader.string(&["service_namespace"], None, true);
            if namespace.as_deref().is_some_and(|n| n != "elasticache") {
                continue;
            }
            let dimension = reader.string(&["scalable_dimension"], None, true);
            let resource_id = reader.string(&["resource_id"], None, true);
            let min = reader.count(&["min_capacity"], None, true);
            let max = reader.count(&["max_capacity"], None, true);
            out.unresolved.append(&mut reader.unresolved);
            let dim = match dimension.as_deref() {
                Some("elasticache:replication-group:NodeGroups") => ScaledDimension::Shards,
                Some("elasticache:replication-group:Replicas") => ScaledDimension::Replicas,
                Some(other) => {
                    out.other_targets.push(format!(
                        "{} ({}): scalable_dimension '{other}' is not one capplan reads",
                        r.address(),
                        r.loc
                    ));
                    continue;
                }
                None => {
                    out.other_targets.push(format!(
                        "{} ({}): not read, its scalable_dimension is not resolved",
                        r.address(),
                        r.loc
                    ));
                    continue;
                }
            };
            let group = resource_id
                .as_deref()
                .and_then(|id| id.strip_prefix("replication-group/"))
                .and_then(|id| group_ids.iter().find(|(gid, _)| gid == id).map(|(_, address)| address.clone()));
            match (group, min, max) {
                (Some(group), Some(min), Some(max)) => scaling.push((
                    group,
                    Scaling { address: r.address(), at: r.loc.clone(), dimension: dim, min, max: max.max(min) },
                )),
                (None, ..) => out.other_targets.push(format!(
                    "{} ({}): resource_id {} names no replication group of the module",
                    r.address(),
                    r.loc,
                    resource_id.map_or_else(|| "(not resolved)".to_string(), |id| format!("'{id}'"))
                )),
                _ => out.other_targets.push(format!(
                    "{} ({}): min_capacity or max_capacity is not resolved",
                    r.address(),
                    r.loc
                )),
            }
        }
        for r in &self.resources {
            let found = match r.kind.as_str() {
                REPLICATION_GROUP => Some(self.replication_group(r, &scaling, &mut out.unresolved)),
                SERVERLESS_CACHE => Some(self.serverless(r, &mut out.unresolved)),
                CACHE_CLUSTER => {
                    let mut reader = Reader::new(self, r);
                    match reader.value(&["replication_group_id"], None, false) {
                        Some(v) => {
                            let id = text_of(&v).unwrap_or_else(|_| v.to_string());
                            let group = group_ids.iter().find(|(g, _)| *g == id).map_or(id, |(_, a)| a.clone());
                            out.members.push(Member { address: r.address(), at: r.loc.clone(), group });
                            out.unresolved.append(&mut reader.unresolved);
                            None
                        }
                        None if !reader.unresolved.is_empty() => {
                            out.unresolved.append(&mut reader.unresolved);
                            Some(Found {
                                address: r.address(),
                                at: r.loc.clone(),
                                settings: Vec::new(),
                                current: Err("replication_group_id is not resolved, so it may be a member of a group (counted there) or a cluster of its own".to_string()),
                                scaling: Vec::new(),
                                notes: Vec::new(),
                                copies: 1,
                            })
                        }
                        None => Some(self.cache_cluster(r, &mut out.unresolved)),
                    }
                }
                _ => None,
            };
            if let Some(mut found) = found {
                self.copies(r, &mut found, &mut out.unresolved);
                out.resources.push(found);
            }
        }
        out
    }

    /// `count` or `for_each` on a cache: how many the module creates. Unknown → not imported;
    /// none → not created; several → one is priced and the count is said.
    fn copies(&self, r: &Resource, found: &mut Found, unresolved: &mut Vec<Unresolved>) {
        let mut x = Reader::new(self, r);
        let (meta, n) = if r.body.attrs.contains_key("count") {
            ("count", x.count(&["count"], None, true).map(|n| n as usize))
        } else if r.body.attrs.contains_key("for_each") {
            let n = match x.value(&["for_each"], None, true) {
                Some(Value::Array(items)) => Some(items.len()),
                Some(Value::Object(map)) => Some(map.len()),
                Some(other) => {
                    x.wrong(&["for_each"], &other, "is not a list, set or map", true);
                    None
                }
                None => None,
            };
            ("for_each", n)
        } else {
            return;
        };
        unresolved.append(&mut x.unresolved);
        found.settings.extend(x.settings);
        match n {
            None => {
                found.current = Err(format!(
                    "{meta} is not resolved, so how many of these the module creates is not known (see below)"
                ));
            }
            Some(0) => found.current = Err(format!("{meta} makes none of these: the module does not create it")),
            Some(1) => {}
            Some(n) => {
                found.copies = n;
                found.notes.push(format!("{meta} creates {n} of these: the line items are for one"));
            }
        }
    }

    fn replication_group(
        &self,
        r: &Resource,
        scaling: &[(String, Scaling)],
        unresolved: &mut Vec<Unresolved>,
    ) -> Found {
        let mut x = Reader::new(self, r);
        let mut notes = Vec::new();
        x.string(&["replication_group_id"], None, false);
        let node_type = x.string(&["node_type"], Some("node_type"), true);
        let engine_name = x.string(&["engine"], Some("engine"), true);
        let version = x.string(&["engine_version"], Some("engine_version"), false);
        let num_clusters = x
            .count(&["num_cache_clusters"], Some("replicas"), true)
            .or_else(|| x.count(&["number_cache_clusters"], Some("replicas"), true));
        let mut shards = x.count(&["num_node_groups"], Some("shards"), true);
        let mut replicas = x.count(&["replicas_per_node_group"], Some("replicas"), true);
        let block = x.has_block("cluster_mode");
        if block {
            // the provider's older form: cluster_mode { num_node_groups, replicas_per_node_group }
            shards = shards.or_else(|| x.count(&["cluster_mode", "num_node_groups"], Some("shards"), true));
            replicas =
                replicas.or_else(|| x.count(&["cluster_mode", "replicas_per_node_group"], Some("replicas"), true));
        }
        let mode = if block { None } else { x.string(&["cluster_mode"], Some("cluster_mode"), true) };
        let parameter_group = x.string(&["parameter_group_name"], None, false);
        let failover = x.flag(&["automatic_failover_enabled"], false);
        let multi_az = x.flag(&["multi_az_enabled"], false);
        let retention = x.count(&["snapshot_retention_limit"], Some("snapshot_retention_days"), true);
        x.string(&["snapshot_window"], None, false);
        x.string(&["maintenance_window"], None, false);
        let tiering = x.flag(&["data_tiering_enabled"], false);
        let engine = match engine_name.as_deref() {
            None if x.missing.is_empty() || !x.missing.iter().any(|m| m == "engine") => {
                notes.push("engine is not set: the provider's default is redis (Redis OSS)".into());
                Some(Engine::Redis)
            }
            None => None,
            Some(name) => match engine(name) {
                Some(Engine::Memcached) | None => {
                    x.refuse(
                        &["engine"],
                        format!("is '{name}', which a replication group does not run (redis or valkey)"),
                    );
                    None
                }
                e => e,
            },
        };
        let cluster_on = match mode.as_deref() {
            Some("enabled" | "compatible") => Some(true),
            Some("disabled") => Some(false),
            Some(other) => {
                notes.push(format!(
                    "cluster_mode = \"{other}\" is not enabled, disabled or compatible: read as the shard count says"
                ));
                None
            }
            None => None,
        };
        let cluster_mode = cluster_on.unwrap_or(
            block
                || shards.is_some_and(|s| s > 1)
                || parameter_group.as_deref().is_some_and(|p| p.contains("cluster.on") || self.cluster_enabled(p)),
        );
        if mode.as_deref() == Some("compatible") {
            notes.push(
                "cluster_mode = \"compatible\" (migrating to cluster mode) is costed as cluster mode enabled".into(),
            );
        }
        let (mut shards, mut replicas) = match (num_clusters, shards, replicas) {
            (Some(n), None, None) => {
                if n == 0 {
                    notes.push("num_cache_clusters = 0 is read as 1 node".into());
                }
                (1, n.max(1) - 1)
            }
            (Some(_), ..) => {
                notes.push("num_cache_clusters and num_node_groups/replicas_per_node_group are both set: the node groups are costed".into());
                (shards.unwrap_or(1), replicas.unwrap_or(0))
            }
            (None, s, r) => {
                if s.is_none() && r.is_none() && !x.missing.iter().any(|m| m.contains("num_") || m.contains("replicas"))
                {
                    notes.push(
                        "neither num_cache_clusters nor num_node_groups is set: the provider creates one node".into(),
                    );
                }
                (s.unwrap_or(1), r.unwrap_or(0))
            }
        };
        if !cluster_mode && shards > 1 {
            notes.push(format!("{shards} node groups with cluster mode disabled: costed as cluster mode enabled"));
        }
        let cluster_mode = cluster_mode || shards > 1;
        if retention.is_none() && !x.missing.iter().any(|m| m == "snapshot_retention_limit") {
            notes.push(
                "snapshot_retention_limit is not set: the provider's default is 0 (no automatic snapshots)".into(),
            );
        }
        if failover == Some(false) && replicas > 0 {
            notes.push("automatic_failover_enabled = false: a failed primary is not replaced by a replica".into());
        }
        if multi_az == Some(true) && failover == Some(false) {
            notes.push(
                "multi_az_enabled = true needs automatic_failover_enabled = true; the apply fails without it".into(),
            );
        }
        if tiering == Some(true) {
            notes.push("data_tiering_enabled = true: an r6gd node type keeps cold data on SSD (costed as the node type's price)".into());
        }
        let mut ranges = Vec::new();
        for (group, s) in scaling {
            if *group == r.address() {
                match s.dimension {
                    ScaledDimension::Shards => shards = s.min,
                    ScaledDimension::Replicas => replicas = s.min,
                }
                x.origins.insert(s.dimension.key().to_string(), s.at.clone());
                ranges.push(s.clone());
            }
        }
        let cluster_mode = cluster_mode || shards > 1 || ranges.iter().any(|s| s.dimension == ScaledDimension::Shards);
        let current = match (x.missing.is_empty(), engine, node_type) {
            (true, Some(engine), Some(node_type)) => Ok(CurrentSpec {
                kind: CurrentKind::Node,
                engine,
                node_type: Some(node_type),
                engine_version: known_version(engine, version, &mut notes),
                shards: Some(shards),
                replicas: Some(replicas),
                cluster_mode: Some(cluster_mode),
                snapshot_retention_days: Some(retention.unwrap_or(0)),
                max_data_gb: None,
                max_ecpu_per_sec: None,
                origins: x.origins.clone(),
            }),
            (true, _, None) => Err("node_type is not set (a replication group needs one)".to_string()),
            _ => Err(skipped(&x.missing)),
        };
        unresolved.append(&mut x.unresolved);
        Found {
            address: r.address(),
            at: r.loc.clone(),
            settings: x.settings,
            current,
            scaling: ranges,
            notes,
            copies: 1,
        }
    }

    fn serverless(&self, r: &Resource, unresolved: &mut Vec<Unresolved>) -> Found {
        let mut x = Reader::new(self, r);
        let mut notes = Vec::new();
        x.string(&["name"], None, false);
        let engine_name = x.string(&["engine"], Some("engine"), true);
        x.string(&["major_engine_version"], None, false);
        let data = ["cache_usage_limits", "data_storage"];
        let max_gb = x.decimal(&[data[0], data[1], "maximum"], Some("max_data_gb"), true);
        let min_gb = x.decimal(&[data[0], data[1], "minimum"], None, false);
        let unit = x.string(&[data[0], data[1], "unit"], None, false);
        let ecpu = ["cache_usage_limits", "ecpu_per_second"];
        let max_ecpu = x.decimal(&[ecpu[0], ecpu[1], "maximum"], Some("max_ecpu_per_sec"), true);
        let min_ecpu = x.decimal(&[ecpu[0], ecpu[1], "minimum"], None, false);
        let retention = x.count(&["snapshot_retention_limit"], Some("snapshot_retention_days"), true);
        x.string(&["daily_snapshot_time"], None, false);
        if let Some(u) = unit.as_deref()
            && u != "GB"
        {
            x.refuse(&[data[0], data[1], "unit"], format!("is '{u}'; ElastiCache takes GB only"));
        }
        if let Some(gb) = min_gb {
            notes.push(format!(
                "data_storage.minimum = {} GB is billed even when less is stored (capplan costs the plan's data_gb; set it at least that high to see the floor)",
                gb.normalize()
            ));
        }
        if let Some(e) = min_ecpu {
            notes.push(format!(
                "ecpu_per_second.minimum = {} is billed even when unused: set env.NAME.workload.min_ecpu_per_sec = {} to cost it",
                e.normalize(),
                e.normalize()
            ));
        }
        notes.push("Serverless storage and ECPU lines follow the environment's workload, not the Terraform".into());
        if retention.is_none() && !x.missing.iter().any(|m| m == "snapshot_retention_limit") {
            notes.push(
                "snapshot_retention_limit is not set: the provider's default is 0 (no automatic snapshots)".into(),
            );
        }
        let engine = match engine_name.as_deref().map(|n| (n, engine(n))) {
            Some((_, Some(e))) => Some(e),
            Some((name, None)) => {
                x.refuse(&["engine"], format!("is '{name}'; accepted: valkey, redis, memcached"));
                None
            }
            None => None,
        };
        let current = match (x.missing.is_empty(), engine) {
            (true, Some(engine)) => Ok(CurrentSpec {
                kind: CurrentKind::Serverless,
                engine,
                node_type: None,
                engine_version: None,
                shards: None,
                replicas: None,
                cluster_mode: None,
                snapshot_retention_days: Some(retention.unwrap_or(0)),
                max_data_gb: max_gb,
                max_ecpu_per_sec: max_ecpu,
                origins: x.origins.clone(),
            }),
            (true, None) => Err("engine is not set (it is required)".to_string()),
            _ => Err(skipped(&x.missing)),
        };
        unresolved.append(&mut x.unresolved);
        Found {
            address: r.address(),
            at: r.loc.clone(),
            settings: x.settings,
            current,
            scaling: Vec::new(),
            notes,
            copies: 1,
        }
    }

    fn cache_cluster(&self, r: &Resource, unresolved: &mut Vec<Unresolved>) -> Found {
        let mut x = Reader::new(self, r);
        let mut notes = Vec::new();
        x.string(&["cluster_id"], None, false);
        let engine_name = x.string(&["engine"], Some("engine"), true);
        let node_type = x.string(&["node_type"], Some("node_type"), true);
        let nodes = x.count(&["num_cache_nodes"], Some("shards"), true);
        let version = x.string(&["engine_version"], Some("engine_version"), false);
        let retention = x.count(&["snapshot_retention_limit"], Some("snapshot_retention_days"), true);
        x.string(&["maintenance_window"], None, false);
        let engine = match engine_name.as_deref().map(|n| (n, engine(n))) {
            Some((_, Some(e))) => Some(e),
            Some((name, None)) => {
                x.refuse(&["engine"], format!("is '{name}'; accepted: memcached, redis, valkey"));
                None
            }
            None => None,
        };
        let memcached = engine == Some(Engine::Memcached);
        let shards = if memcached { nodes.unwrap_or(1) } else { 1 };
        if !memcached && nodes.is_some_and(|n| n > 1) {
            notes.push(
                "a Valkey/Redis OSS cache cluster has one node: num_cache_nodes above 1 is refused by ElastiCache"
                    .into(),
            );
        }
        let current = match (x.missing.is_empty(), engine, node_type) {
            (true, Some(engine), Some(node_type)) => Ok(CurrentSpec {
                kind: CurrentKind::Node,
                engine,
                node_type: Some(node_type),
                engine_version: known_version(engine, version, &mut notes),
                shards: Some(shards),
                replicas: Some(0),
                cluster_mode: if memcached { None } else { Some(false) },
                snapshot_retention_days: Some(if memcached { 0 } else { retention.unwrap_or(0) }),
                max_data_gb: None,
                max_ecpu_per_sec: None,
                origins: x.origins.clone(),
            }),
            (true, None, _) => Err("engine is not set (it is required)".to_string()),
            (true, _, None) => Err("node_type is not set (it is required)".to_string()),
            _ => Err(skipped(&x.missing)),
        };
        unresolved.append(&mut x.unresolved);
        Found {
            address: r.address(),
            at: r.loc.clone(),
            settings: x.settings,
            current,
            scaling: Vec::new(),
            notes,
            copies: 1,
        }
    }
}

/// A `[env.NAME.current]` error on keys read from Terraform, said at the Terraform attribute.
fn at_terraform(e: &PlanError, spec: &CurrentSpec, env: &str) -> String {
    let prefix = format!("env.{env}.current.");
    let key = e.key.strip_prefix(&prefix).unwrap_or(&e.key);
    match spec.origin(key) {
        Some(loc) => format!("{key} ({loc}): {}", e.message),
        None => format!("{key}: {}", e.message),
    }
}

/// `spec` as `env`'s current deployment, checked as the plan checks `[env.NAME.current]`
/// (node types, prices in its region, versions, limits); errors name the Terraform attribute.
pub fn current_of(spec: &CurrentSpec, address: &str, env: &EnvInputs, book: &PriceBook) -> Result<Current, String> {
    parse_current(&spec.toml(), address, env, book).map_err(|e| at_terraform(&e, spec, &env.name))
}

/// The current deployment `[env.NAME.current] terraform = "DIR"` names: the module in DIR
/// (relative to `plan_dir`), its one cache or the `resource` named. Errors name the plan key and
/// the Terraform file and line.
pub fn read_current(
    r: &TerraformRef,
    plan_dir: &Path,
    env: &EnvInputs,
    book: &PriceBook,
) -> Result<Current, PlanError> {
    let err = |message: String| PlanError {
        file: r.file.clone(),
        line: r.line,
        column: r.column,
        key: format!("env.{}.current.terraform", r.env),
        message,
        snippet: None,
    };
    let module = read_module(&plan_dir.join(&r.dir), &[], &[]).map_err(|e| err(e.to_string()))?;
    let imported = module.import();
    let addresses = || imported.resources.iter().map(|f| f.address.as_str()).collect::<Vec<_>>().join(", ");
    let found = match &r.resource {
        Some(address) => imported.resources.iter().find(|f| &f.address == address).ok_or_else(|| {
            err(format!(
                "resource = \"{address}\" is not an ElastiCache cache of {}; caches there: {}",
                r.dir,
                if imported.resources.is_empty() { "none".to_string() } else { addresses() }
            ))
        })?,
        None => match imported.resources.as_slice() {
            [one] => one,
            [] => {
                return Err(err(format!(
                    "{} has no ElastiCache cache (aws_elasticache_replication_group, aws_elasticache_cluster, aws_elasticache_serverless_cache)",
                    r.dir
                )));
            }
            several => {
                return Err(err(format!(
                    "{} has {} caches ({}): name one with resource = \"ADDRESS\" in [env.{}.current]",
                    r.dir,
                    several.len(),
                    addresses(),
                    r.env
                )));
            }
        },
    };
    let spec = found.current.as_ref().map_err(|why| {
        let unresolved: Vec<String> =
            imported.unresolved.iter().filter(|u| u.address == found.address).map(ToString::to_string).collect();
        let detail = if unresolved.is_empty() { String::new() } else { format!(": {}", unresolved.join("; ")) };
        err(format!("{} ({}) cannot be read: {why}{detail}", found.address, found.at))
    })?;
    current_of(spec, &found.address, env, book).map_err(|why| err(format!("{} ({}): {why}", found.address, found.at)))
}

/// Parse `text` as one HCL file named `name`: `Ok` or a located syntax error, never a panic.
pub fn check_syntax(name: &str, text: &str) -> Result<(), TerraformError> {
    let file = TfFile { name: name.to_string(), text: text.to_string() };
    hcl::edit::parser::parse_body(text).map(drop).map_err(|e| syntax(&file, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_major_version_written_as_6_x_is_known() {
        assert!(version_accepted(Engine::Redis, "6.x"));
        assert!(version_accepted(Engine::Redis, "6.2"));
        assert!(version_accepted(Engine::Valkey, "8.0"));
        for bad in ["x", "6.", "6.x.1", "12.x", "6.y"] {
            assert!(!version_accepted(Engine::Redis, bad), "{bad}");
        }
    }

    fn tf(name: &str, text: &str) -> TfFile {
        TfFile { name: name.into(), text: text.into() }
    }

    fn import(files: &[TfFile], tfvars: &[TfFile], vars: &[&str]) -> Imported {
        let vars: Vec<String> = vars.iter().map(|s| (*s).to_string()).collect();
        parse_module(files, tfvars, &vars).unwrap().import()
    }

    const VARS: &str = r#"
variable "node_type" {
  type    = string
  default = "cache.t4g.small"
}
variable "env" {}
variable "size_map" {
  default = { prod = "cache.r7g.large" }
}
"#;

    #[test]
    fn variables_take_tfvars_then_var_over_their_default() {
        let main = tf(
            "main.tf",
            r#"
resource "aws_elasticache_replication_group" "a" {
  replication_group_id = "a-${var.env}"
  node_type            = var.node_type
  num_cache_clusters   = 2
}
"#,
        );
        let vars = tf("variables.tf", VARS);
        let out = import(&[main.clone(), vars.clone()], &[], &["env=dev"]);
        let spec = out.resources[0].current.as_ref().unwrap();
        assert_eq!(spec.node_type.as_deref(), Some("cache.t4g.small"));
        let out = import(
            &[main.clone(), vars.clone()],
            &[tf("terraform.tfvars", "node_type = \"cache.r7g.xlarge\"\n")],
            &["env=dev"],
        );
        assert_eq!(out.resources[0].current.as_ref().unwrap().node_type.as_deref(), Some("cache.r7g.xlarge"));
        let out = import(
            &[main, vars],
            &[tf("terraform.tfvars", "node_type = \"cache.r7g.xlarge\"\n")],
            &["env=dev", "node_type=cache.m7g.large"],
        );
        let found = &out.resources[0];
        assert_eq!(found.current.as_ref().unwrap().node_type.as_deref(), Some("cache.m7g.large"));
        assert!(found.settings.contains(&("replication_group_id".into(), "\"a-dev\"".into())), "{:?}", found.settings);
    }

    #[test]
    fn locals_resolve_through_each_other_and_cycles_are_named() {
        let main = tf(
            "main.tf",
            r#"
locals {
  family = "r7g"
  node   = "cache.${local.family}.large"
  a      = local.b
  b      = local.a
}
resource "aws_elasticache_replication_group" "ok" {
  node_type          = local.node
  num_cache_clusters = 1
}
resource "aws_elasticache_replication_group" "loop" {
  node_type          = local.a
  num_cache_clusters = 1
}
"#,
        );
        let out = import(&[main], &[], &[]);
        assert_eq!(out.resources[0].current.as_ref().unwrap().node_type.as_deref(), Some("cache.r7g.large"));
        assert!(out.resources[1].current.is_err());
        let u = &out.unresolved[0];
        assert_eq!(u.address, "aws_elasticache_replication_group.loop");
        assert!(u.reason.contains("local.a -> local.b -> local.a"), "{}", u.reason);
    }

    #[test]
    fn an_index_or_function_is_unresolved_with_file_and_line() {
        let main = tf(
            "main.tf",
            "resource \"aws_elasticache_replication_group\" \"sessions\" {\n  node_type          = var.size_map[var.env]\n  num_cache_clusters = max(2, 3)\n}\n",
        );
        let out = import(&[main, tf("variables.tf", VARS)], &[], &["env=prod"]);
        assert_eq!(out.unresolved.len(), 2);
        assert_eq!(
            out.unresolved[0].to_string(),
            "aws_elasticache_replication_group.sessions: node_type = var.size_map[var.env] (main.tf:2) is not a literal, variable or local; pass --var or set it in the plan"
        );
        assert_eq!(out.unresolved[1].attribute, "num_cache_clusters");
        assert_eq!(out.unresolved[1].at.line, 3);
        assert!(
            out.resources[0].current.as_ref().unwrap_err().contains("node_type, num_cache_clusters are not resolved")
        );
    }

    #[test]
    fn a_variable_without_value_says_how_to_give_one() {
        let main = tf(
            "main.tf",
            "resource \"aws_elasticache_cluster\" \"m\" {\n  engine = \"memcached\"\n  node_type = \"cache.m7g.large\"\n  num_cache_nodes = var.nodes\n}\nvariable \"nodes\" {}\n",
        );
        let out = import(std::slice::from_ref(&main), &[], &[]);
        assert!(out.unresolved[0].reason.contains("no default and no value"), "{}", out.unresolved[0]);
        let out = import(&[main], &[], &["nodes=3"]);
        let spec = out.resources[0].current.as_ref().unwrap();
        assert_eq!((spec.shards, spec.replicas, spec.cluster_mode), (Some(3), Some(0), None));
        assert_eq!(spec.engine, Engine::Memcached);
    }

    #[test]
    fn the_older_cluster_mode_block_and_the_attribute_both_mean_cluster_mode() {
        let main = tf(
            "main.tf",
            r#"
resource "aws_elasticache_replication_group" "old" {
  node_type = "cache.r7g.large"
  cluster_mode {
    num_node_groups         = 3
    replicas_per_node_group = 2
  }
}
resource "aws_elasticache_replication_group" "new" {
  node_type               = "cache.r7g.large"
  engine                  = "valkey"
  cluster_mode            = "enabled"
  num_node_groups         = 1
  replicas_per_node_group = 1
}
"#,
        );
        let out = import(&[main], &[], &[]);
        let old = out.resources[0].current.as_ref().unwrap();
        assert_eq!(
            (old.shards, old.replicas, old.cluster_mode, old.engine),
            (Some(3), Some(2), Some(true), Engine::Redis)
        );
        let new = out.resources[1].current.as_ref().unwrap();
        assert_eq!(
            (new.shards, new.replicas, new.cluster_mode, new.engine),
            (Some(1), Some(1), Some(true), Engine::Valkey)
        );
        assert!(new.toml().contains("cluster_mode = true\n"));
    }

    #[test]
    fn a_parameter_group_of_the_module_with_cluster_enabled_means_cluster_mode() {
        let main = tf(
            "main.tf",
            r#"
resource "aws_elasticache_parameter_group" "pg" {
  name   = "orders-valkey8"
  family = "valkey8"
  parameter {
    name  = "cluster-enabled"
    value = "yes"
  }
}
resource "aws_elasticache_replication_group" "g" {
  node_type               = "cache.r7g.large"
  engine                  = "valkey"
  parameter_group_name    = aws_elasticache_parameter_group.pg.name
  num_node_groups         = 1
  replicas_per_node_group = 2
}
"#,
        );
        let out = import(&[main], &[], &[]);
        assert!(out.unresolved.is_empty(), "{:?}", out.unresolved);
        let spec = out.resources[0].current.as_ref().unwrap();
        assert_eq!((spec.shards, spec.replicas, spec.cluster_mode), (Some(1), Some(2), Some(true)));
    }

    #[test]
    fn autoscaling_targets_match_groups_by_their_id_and_others_are_said() {
        let main = tf(
            "main.tf",
            r#"
resource "aws_elasticache_replication_group" "g" {
  replication_group_id    = "catalog"
  node_type               = "cache.r7g.large"
  num_node_groups         = 2
  replicas_per_node_group = 1
}
resource "aws_appautoscaling_target" "replicas" {
  service_namespace  = "elasticache"
  scalable_dimension = "elasticache:replication-group:Replicas"
  resource_id        = "replication-group/catalog"
  min_capacity       = 1
  max_capacity       = 3
}
resource "aws_appautoscaling_target" "elsewhere" {
  service_namespace  = "elasticache"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  resource_id        = "replication-group/other"
  min_capacity       = 1
  max_capacity       = 3
}
resource "aws_appautoscaling_target" "dynamodb" {
  service_namespace  = "dynamodb"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  resource_id        = "table/x"
  min_capacity       = 1
  max_capacity       = 3
}
"#,
        );
        let out = import(&[main], &[], &[]);
        let found = &out.resources[0];
        assert_eq!(found.scaling.len(), 1);
        assert_eq!(
            (found.scaling[0].dimension, found.scaling[0].min, found.scaling[0].max),
            (ScaledDimension::Replicas, 1, 3)
        );
        let max = found.at_max().unwrap();
        assert_eq!((max.shards, max.replicas), (Some(2), Some(3)));
        assert_eq!(out.other_targets.len(), 1, "{:?}", out.other_targets);
        assert!(
            out.other_targets[0].contains("'replication-group/other' names no replication group"),
            "{:?}",
            out.other_targets
        );
    }

    #[test]
    fn a_value_aws_computes_is_unresolved() {
        let main = tf(
            "main.tf",
            "resource \"aws_elasticache_replication_group\" \"g\" {\n  node_type          = aws_elasticache_replication_group.other.arn\n  num_cache_clusters = 1\n}\nresource \"aws_elasticache_replication_group\" \"other\" {\n  node_type = \"cache.r7g.large\"\n}\n",
        );
        let out = import(&[main], &[], &[]);
        assert!(
            out.unresolved[0].reason.contains("which AWS computes (known only after apply)"),
            "{}",
            out.unresolved[0]
        );
        assert!(out.resources[0].current.is_err() && out.resources[1].current.is_ok());
    }

    #[test]
    fn count_and_for_each_say_how_many_or_skip_when_unknown() {
        let block = |meta: &str, name: &str| {
            format!(
                "resource \"aws_elasticache_replication_group\" \"{name}\" {{\n  {meta}\n  node_type          = \"cache.r7g.large\"\n  num_cache_clusters = 2\n}}\n"
            )
        };
        let text = [
            block("count = 3", "three"),
            block("count = 0", "none"),
            block("count = var.enabled ? 1 : 0", "maybe"),
            block("for_each = toset([\"a\", \"b\"])", "each"),
            block("for_each = { a = 1, b = 2 }", "map"),
        ]
        .concat();
        let out = import(&[tf("main.tf", &text)], &[], &[]);
        let by = |name: &str| out.resources.iter().find(|f| f.address.ends_with(name)).unwrap();
        assert_eq!(by(".three").copies, 3);
        assert!(by(".three").current.is_ok());
        assert!(by(".none").current.as_ref().unwrap_err().contains("does not create it"));
        assert!(by(".maybe").current.as_ref().unwrap_err().contains("count is not resolved"));
        assert!(by(".each").current.is_err());
        assert_eq!(by(".map").copies, 2);
    }

    #[test]
    fn syntax_errors_are_located_and_garbage_never_panics() {
        let err = parse_module(&[tf("main.tf", "resource \"x\" \"y\" {\n  a = \n}\n")], &[], &[]).unwrap_err();
        assert!(matches!(err, TerraformError::Syntax { line: 2 | 3, .. }), "{err}");
        assert!(err.to_string().starts_with("main.tf:"), "{err}");
        for text in ["", "{", "}}}", "resource", "a = b[", "\u{0}", "locals { a = local.a }"] {
            let _ = parse_module(&[tf("x.tf", text)], &[], &[]).map(|m| m.import());
        }
    }
}
