//! Metric charts over the window, each with the capacity line of the recommended option, and the
//! measured workload beside the plan's.

use chrono::DateTime;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget, Wrap};

use crate::model::capacity::{self, Demand, fmt_f64};
use crate::model::evaluate::OptionKind;
use crate::model::limits::{SERVERLESS_MAX_CONNECTIONS, SERVERLESS_MAX_DATA_GB, SERVERLESS_MAX_ECPU_PER_SEC};
use crate::model::metering::ecpu_per_request_mix;
use crate::model::observed::{Chart as Metric, MetricsData, downsample};
use crate::model::units::{format_quantity, to_f64};
use crate::model::workload::NodeLayout;
use crate::report::EnvReport;
use crate::tui::app::{App, EnvView, Loading, ScrollLimits};

/// The Metrics screen of one environment.
pub struct MetricsView<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

/// The recommended option's capacity on a chart's scale, with its label.
fn capacity_line(app: &App, report: &EnvReport, metric: Metric) -> Option<(f64, String)> {
    let option = report.recommended()?;
    let book = &app.book;
    let policy = &app.envs.iter().find(|e| e.base.name == report.env)?.base.policy;
    let weight = to_f64(ecpu_per_request_mix(&report.workload.size_buckets()));
    match option.kind {
        OptionKind::Node | OptionKind::Split => {
            let name = option.state.as_ref().map_or(option.node_type.as_deref()?, |s| s.node_type.as_str());
            let node = book.catalog.node(book.catalog.find(name)?);
            let shards = f64::from(option.state.as_ref().map_or(option.shards.unwrap_or(1), |s| s.shards));
            match metric {
                Metric::Requests => {
                    let layout = NodeLayout {
                        engine: option.engine,
                        node: book.catalog.find(name)?,
                        shards: option.state.as_ref().map_or(option.shards.unwrap_or(1), |s| s.shards),
                        replicas: option.state.as_ref().map_or(option.replicas.unwrap_or(0), |s| s.replicas),
                        cluster_mode: option
                            .state
                            .as_ref()
                            .map_or(option.cluster_mode.unwrap_or(false), |s| s.cluster_mode),
                        replica_reads: option.replica_reads.unwrap_or(false),
                    };
                    let demand = Demand::of(&report.workload, policy).without_pubsub();
                    Some((
                        capacity::layout_requests_capacity(&layout, node, &demand, policy).round(),
                        "capacity ~".into(),
                    ))
                }
                Metric::Memory => Some((
                    capacity::data_capacity_gib(node, policy, to_f64(report.workload.hot_data_fraction)) * shards,
                    "usable ".into(),
                )),
                Metric::Connections => Some((f64::from(node.maxclients), "maxclients ".into())),
                Metric::Cpu => Some((policy.headroom * 100.0, "limit ".into())),
                Metric::Network => Some((node.baseline_gbps, "baseline ".into())),
                Metric::Ecpu | Metric::Evictions => None,
            }
        }
        OptionKind::Serverless => match metric {
            Metric::Requests => Some((SERVERLESS_MAX_ECPU_PER_SEC / weight, "limit ".into())),
            Metric::Ecpu => Some((SERVERLESS_MAX_ECPU_PER_SEC, "limit ".into())),
            Metric::Memory => Some((SERVERLESS_MAX_DATA_GB, "limit ".into())),
            Metric::Connections => Some((f64::from(SERVERLESS_MAX_CONNECTIONS), "limit ".into())),
            _ => None,
        },
        OptionKind::Upstash => None,
    }
}

fn date_label(t: f64) -> String {
    DateTime::from_timestamp(t as i64, 0).map_or_else(String::new, |d| d.format("%m-%d %H:%M").to_string())
}

fn chart(app: &App, report: &EnvReport, data: &MetricsData, metric: Metric, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    // node-based metrics have no ECPU: estimate what Serverless would meter from the requests
    let (series, scale, estimated) = match (metric, data.chart(metric)) {
        (_, Some(s)) => (s, 1.0, false),
        (Metric::Ecpu, None) => match data.chart(Metric::Requests) {
            Some(s) => (s, to_f64(ecpu_per_request_mix(&report.workload.size_buckets())), true),
            None => return,
        },
        (_, None) => return,
    };
    let (first, last) = (series.first().map_or(0, |p| p.0), series.last().map_or(0, |p| p.0));
    let from = app.zoom.span_secs().map_or(first, |s| (last - s).max(first));
    let buckets = usize::from(area.width.saturating_sub(10)).max(2);
    let points: Vec<(f64, f64)> =
        downsample(series, from, last, buckets).into_iter().map(|(t, v)| (t, v * scale)).collect();
    let max = points.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let capacity = capacity_line(app, report, metric);
    let (cap_points, cap_title) = match &capacity {
        Some((c, label)) if *c <= max * 20.0 || max == 0.0 => {
            (vec![(from as f64, *c), (last as f64, *c)], format!(" · {label}{}", fmt_f64(*c)))
        }
        Some((c, label)) => (Vec::new(), format!(" · {label}{} off scale", fmt_f64(*c))),
        None => (Vec::new(), String::new()),
    };
    let top = cap_points.first().map_or(max, |p| p.1.max(max)).max(1e-9) * 1.1;
    let mut datasets =
        vec![Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(theme.series).data(&points)];
    if !cap_points.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.capacity)
                .data(&cap_points),
        );
    }
    let title = if estimated {
        format!(" {} if Serverless (est.){cap_title} ", metric.title())
    } else {
        format!(" {}{cap_title} ", metric.title())
    };
    Chart::new(datasets)
        .block(Block::bordered().title(title).border_style(theme.border))
        .x_axis(
            Axis::default()
                .bounds([from as f64, last as f64])
                .labels([Span::raw(date_label(from as f64)), Span::raw(date_label(last as f64))])
                .style(theme.dim),
        )
        .y_axis(Axis::default().bounds([0.0, top]).labels([Span::raw("0"), Span::raw(fmt_f64(top))]).style(theme.dim))
        .render(area, buf);
}

impl Widget for MetricsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        let block = Block::bordered()
            .title(format!(" {} · metrics · zoom {} (z) ", self.env.base.name, self.app.zoom.label()))
            .title(Line::from(" ↑↓ more charts ").right_aligned())
            .border_style(theme.border);
        let data = match &self.env.metrics {
            Loading::Loaded(d) => d,
            Loading::Absent => {
                Paragraph::new(vec![
                    Line::from("No metrics for this environment."),
                    Line::from(""),
                    Line::from(format!("Add to the plan:  [env.{}.metrics]  file = \"metrics.json\"", self.env.base.name)),
                    Line::from("a CloudWatch GetMetricData export (JSON) or a flat CSV: timestamp,metric,stat,dimension,value."),
                    Line::from("See the README; the bundled example's prod has one."),
                ])
                .wrap(Wrap { trim: true })
                .block(block)
                .render(area, buf);
                return;
            }
            Loading::Loading => {
                Paragraph::new(format!("{} loading metrics…", super::spinner(self.app.ticks)))
                    .block(block)
                    .render(area, buf);
                return;
            }
            Loading::Failed(e) => {
                Paragraph::new(vec![
                    Line::from(Span::styled("metrics could not be loaded:", theme.bad)),
                    Line::from(e.clone()),
                ])
                .wrap(Wrap { trim: true })
                .block(block)
                .render(area, buf);
                return;
            }
        };
        let inner = block.inner(area);
        block.render(area, buf);
        let Ok(report) = &self.env.report else { return };
        let [summary, grid] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
        let o = &data.observed;
        let w = &report.workload;
        let m = |x: Option<crate::model::observed::Measured>| {
            x.map_or_else(|| "—".into(), |m| format!("{}/{}", fmt_f64(m.avg), fmt_f64(m.peak)))
        };
        let quiet = o.quiet_hour_utc.map_or_else(String::new, |h| format!(" · quiet {h:02}:00 UTC"));
        let evictions = o.evictions.map_or_else(String::new, |e| format!(" · evictions {}", fmt_f64(e)));
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("measured ", theme.active),
                Span::raw(format!(
                    "avg/peak: data {} GiB · req/s {} · conns {}{evictions}{quiet}",
                    m(o.data_gib),
                    m(o.requests_per_sec),
                    m(o.connections)
                )),
            ]),
            Line::from(vec![
                Span::styled("plan     ", theme.dim),
                Span::raw(format!(
                    "avg/peak: data {}/{} GiB · req/s {}/{} · conns {}",
                    format_quantity(w.data_gb, 2),
                    format_quantity(w.peak_data_gb, 2),
                    format_quantity(w.requests_per_sec, 0),
                    format_quantity(w.peak_requests_per_sec, 0),
                    w.connections
                )),
            ]),
        ])
        .render(summary, buf);
        let charts: Vec<Metric> = Metric::ALL
            .into_iter()
            .filter(|c| data.chart(*c).is_some() || (*c == Metric::Ecpu && data.chart(Metric::Requests).is_some()))
            .collect();
        let cols: usize = if grid.width >= 100 { 3 } else { 2 };
        let rows_wanted = charts.len().div_ceil(cols).max(1);
        let max_rows = usize::from((grid.height / 7).max(1));
        let rows = rows_wanted.min(max_rows);
        // page through the chart rows that do not fit (↓/↑)
        let last_first_row = rows_wanted - rows;
        self.app.scroll_limits.set(ScrollLimits { chart_row: last_first_row, ..self.app.scroll_limits.get() });
        let first_row = self.env.chart_row.min(last_first_row);
        let shown = &charts[(first_row * cols).min(charts.len())..charts.len().min((first_row + rows) * cols)];
        let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows]).split(grid);
        for (r, row_area) in row_areas.iter().enumerate() {
            let col_areas = Layout::horizontal(vec![Constraint::Fill(1); cols]).split(*row_area);
            for (c, cell) in col_areas.iter().enumerate() {
                if let Some(metric) = shown.get(r * cols + c) {
                    chart(self.app, report, data, *metric, *cell, buf);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, press};
    use crate::tui::view::testing::draw;
    use crossterm::event::KeyCode;

    #[rstest::rstest]
    #[case::narrow(80, 24)]
    #[case::wide(120, 40)]
    fn metrics_screen(#[case] w: u16, #[case] h: u16) {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::Char('3'));
        let screen = draw(&a, w, h).to_string();
        assert!(screen.contains("memory GiB · usable 19.74"), "{screen}");
        assert!(screen.contains("ECPU/s if Serverless (est.)"), "node metrics get an ECPU estimate: {screen}");
        insta::assert_snapshot!(format!("metrics_{w}x{h}"), draw(&a, w, h));
    }

    #[test]
    fn zoom_cycles_and_environments_without_metrics_say_how_to_add_them() {
        let mut a = app();
        a.tab = 3;
        press(&mut a, KeyCode::Char('3'));
        press(&mut a, KeyCode::Char('z'));
        assert!(draw(&a, 120, 40).to_string().contains("zoom whole window"));
        a.tab = 1;
        let screen = draw(&a, 80, 24).to_string();
        assert!(screen.contains("No metrics for this environment"), "{screen}");
    }
}
