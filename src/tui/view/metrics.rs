//! Metric charts over the window, each with the recommended option's capacity line as the report
//! carries it (`EnvReport::capacity_lines`, computed by the model; this view only draws it), a
//! legend, and ticks with units on both axes; the capacity line is dotted, so it reads without
//! colour too. The measured workload is shown beside the plan's, and a profile of the live
//! server (`[env.X.profile] file`, from `capplan profile`) above the charts.

use chrono::DateTime;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Widget, Wrap};

use super::text::ellipsize;
use crate::evaluation::Gathered;
use crate::model::capacity::fmt_f64;
use crate::model::observed::{Chart as Metric, MetricsData};
use crate::model::profile::Profile;
use crate::model::units::format_quantity;
use crate::report::{CapacityLine, EnvReport};
use crate::tui::app::{App, EnvView, Loading, ViewInfo};
use std::sync::Arc;

/// The Metrics screen of one environment.
pub struct MetricsView<'a> {
    /// The app.
    pub app: &'a App,
    /// The environment.
    pub env: &'a EnvView,
}

/// The unit a chart's values are in, for its axis.
fn unit(metric: Metric) -> &'static str {
    match metric {
        Metric::Requests => "/s",
        Metric::Ecpu => " ECPU/s",
        Metric::Memory => " GiB",
        Metric::Evictions | Metric::Connections => "",
        Metric::Cpu => "%",
        Metric::Network => " Gbps",
    }
}

/// A compact axis number: `0`, `7.5`, `12k`, `1.5M`.
fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(v / 1e6, 1))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3, 1))
    } else if a >= 10.0 {
        trim(v, 0)
    } else if a >= 1.0 {
        trim(v, 1)
    } else {
        trim(v, 2)
    }
}

fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn date_labels(from: i64, to: i64, width: u16) -> Vec<Span<'static>> {
    let span = to.saturating_sub(from);
    // the format that fits three labels in the chart's width
    let fmt = if width >= 60 && span <= 2 * 86_400 {
        "%m-%d %H:%M"
    } else if width >= 28 {
        "%m-%d %Hh"
    } else {
        "%m-%d"
    };
    let label = |t: i64| DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| d.format(fmt).to_string());
    // a middle label only where ratatui has room to draw it whole
    let n = if width >= 56 { 3 } else { 2 };
    (0..n).map(|i| Span::raw(label(from + span * i / (n - 1)))).collect()
}

fn chart(app: &App, report: &EnvReport, metrics: &Arc<Gathered>, metric: Metric, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(series) = metrics.data.chart(metric) else { return };
    let (first, last) = (series.first().map_or(0, |p| p.0), series.last().map_or(0, |p| p.0));
    let from = app.zoom.span_secs().map_or(first, |s| last.saturating_sub(s).max(first));
    let buckets = usize::from(area.width.saturating_sub(10)).max(2);
    let points = app.chart_points(metrics, metric, from, last, buckets);
    let max = points.iter().map(|p| p.1).fold(0.0f64, f64::max);
    let capacity: Option<&CapacityLine> = report.capacity_lines.iter().find(|c| c.metric == metric.id());
    // the capacity line is drawn when it is within 20x the data, else named as off the scale
    let on_scale = capacity.filter(|c| c.value <= max * 20.0 || max == 0.0);
    let top = on_scale.map_or(max, |c| c.value.max(max)).max(1e-9) * 1.1;
    // dotted: a point every few cells, so the line reads as capacity without colour
    let cap_points: Vec<(f64, f64)> = on_scale.map_or_else(Vec::new, |c| {
        let n = usize::from(area.width / 3).max(2);
        (0..=n).map(|i| (from as f64 + last.saturating_sub(from) as f64 * i as f64 / n as f64, c.value)).collect()
    });
    let mut datasets =
        vec![Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(theme.series).data(&points)];
    if !cap_points.is_empty() {
        datasets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(theme.capacity)
                .data(&cap_points),
        );
    }
    // the legend: what each line is, and the capacity with its unit (or why it is not drawn)
    let room = usize::from(area.width.saturating_sub(4));
    let legend = match capacity {
        Some(c) => {
            let space = if c.unit == "%" { "" } else { " " };
            let value = format!("{}{space}{}", fmt_f64(c.value), c.unit);
            let above = on_scale.is_none();
            let candidates = [
                format!(" ⣀ measured  • capacity {value}{} ", if above { " (above the scale)" } else { "" }),
                format!(" ⣀ measured  • capacity {value}{} ", if above { " ↑" } else { "" }),
                format!(" • capacity {value}{} ", if above { " ↑" } else { "" }),
                format!(" • {value}{} ", if above { " ↑" } else { "" }),
            ];
            candidates
                .iter()
                .find(|c| c.chars().count() <= room)
                .cloned()
                .unwrap_or_else(|| ellipsize(&candidates[3], room))
        }
        None => ellipsize(" ⣀ measured ", room),
    };
    let y_unit = unit(metric);
    let y_labels: Vec<Span> =
        [0.0, top / 2.0, top].iter().map(|v| Span::raw(format!("{}{y_unit}", compact(*v)))).collect();
    Chart::new(datasets)
        .block(
            Block::bordered()
                .title(format!(" {} ", ellipsize(metric.title(), room)))
                .title_bottom(Line::from(Span::styled(legend, theme.dim)))
                .border_style(theme.border),
        )
        .x_axis(
            Axis::default()
                .bounds([from as f64, last as f64])
                .labels(date_labels(from, last, area.width.saturating_sub(8)))
                .style(theme.dim),
        )
        .y_axis(Axis::default().bounds([0.0, top]).labels(y_labels).style(theme.dim))
        .render(area, buf);
}

/// The measured workload beside the plan's.
fn summary_lines(
    app: &App,
    report: &EnvReport,
    data: &MetricsData,
    whole: &dyn Fn(f64) -> String,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let o = &data.observed;
    let w = &report.workload;
    let m = |x: Option<crate::model::observed::Measured>| {
        x.map_or_else(|| "—".into(), |m| format!("{}/{}", whole(m.avg), whole(m.peak)))
    };
    let quiet = o.quiet_hour_utc.map_or_else(String::new, |h| format!(" · quiet {h:02}:00 UTC"));
    let evictions = o.evictions.map_or_else(String::new, |e| format!(" · evictions {}", whole(e)));
    let used = !w.from_metrics.is_empty();
    let mut lines = vec![Line::from(vec![
        Span::styled(if used { "measured▸" } else { "measured " }, theme.active),
        Span::raw(format!(
            "avg/peak: data {} GiB · req/s {} · conns {}{evictions}{quiet}",
            m(o.data_gib),
            m(o.requests_per_sec),
            m(o.connections)
        )),
    ])];
    // the plan's own figures: what is evaluated when the measured are not, shown beside them
    // when they are (▸ marks the figures the costs come from)
    let plan = if used {
        w.plan_figures
            .as_ref()
            .map(|p| (p.data_gb, p.peak_data_gb, p.requests_per_sec, p.peak_requests_per_sec, p.connections))
    } else {
        Some((w.data_gb, w.peak_data_gb, w.requests_per_sec, w.peak_requests_per_sec, w.connections))
    };
    if let Some((data, peak_data, rps, peak_rps, conns)) = plan {
        lines.push(Line::from(vec![
            Span::styled(if used { "plan     " } else { "plan    ▸" }, theme.dim),
            Span::raw(format!(
                "avg/peak: data {}/{} GiB · req/s {}/{} · conns {conns}",
                format_quantity(data, 2),
                format_quantity(peak_data, 2),
                format_quantity(rps, 0),
                format_quantity(peak_rps, 0),
            )),
        ]));
    }
    lines
}

/// Percent of a share, whole.
fn share(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A profile of the live server, in a few lines: the workload it served, the estimates (said to
/// be estimates), the request sizes, and what blocks a cluster-mode engine.
pub fn profile_lines(p: &Profile, file: &str, theme: &crate::tui::theme::Theme) -> Vec<Line<'static>> {
    let gib = p.used_memory_bytes as f64 / 1_073_741_824.0;
    let memory = if gib >= 1.0 {
        format!("{} GiB", fmt_f64((gib * 100.0).round() / 100.0))
    } else {
        format!("{} MiB", fmt_f64((gib * 1024.0 * 10.0).round() / 10.0))
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("profile  ", theme.active),
            Span::raw(format!(
                "{} · {} {} · {:.0} s sampled · {file}",
                p.target, p.engine, p.version, p.sampled_seconds
            )),
        ]),
        Line::from(format!(
            "  {} ops/s · memory {memory} · {} clients · {} new connections/s{}{}",
            format_quantity(rust_decimal::Decimal::from(p.ops_per_sec.round() as i64), 0),
            p.connected_clients,
            fmt_f64((p.new_connections_per_sec * 10.0).round() / 10.0),
            p.read_ratio.map_or_else(String::new, |r| format!(" · reads {}", share(r))),
            if p.avg_request_kb > 0.0 {
                format!(" · avg request {} KB", fmt_f64((p.avg_request_kb * 100.0).round() / 100.0))
            } else {
                String::new()
            },
        )),
        Line::from(vec![
            Span::styled("  estimates: ", theme.dim),
            Span::raw(format!(
                "Serverless ≈ {} ECPU/s · Upstash ≈ {} commands/month",
                fmt_f64(p.estimates.ecpu_per_sec_estimate.round()),
                format_quantity(rust_decimal::Decimal::from(p.estimates.upstash_commands_per_month.round() as i64), 0)
            )),
        ]),
    ];
    let mut previous: Option<f64> = None;
    let mut sizes = Vec::new();
    for b in &p.request_kb_histogram {
        if b.count > 0 {
            let label = match (previous, b.upto_kb) {
                (None, Some(u)) => format!("≤{} KB", fmt_f64(u)),
                (Some(f), Some(u)) => format!("{}–{} KB", fmt_f64(f), fmt_f64(u)),
                (Some(f), None) => format!(">{} KB", fmt_f64(f)),
                (None, None) => "all".into(),
            };
            sizes.push(format!("{label} {}", share(b.share)));
        }
        previous = b.upto_kb;
    }
    if !sizes.is_empty() {
        lines.push(Line::from(format!("  request sizes: {}", sizes.join(" · "))));
    }
    if p.cross_slot.is_empty() && p.blockers.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("  cluster mode: ", theme.dim),
            Span::styled("nothing seen that blocks it", theme.ok),
        ]));
    } else {
        let mut what: Vec<String> = p
            .cross_slot
            .iter()
            .map(|c| format!("{} ×{} across slots (e.g. {})", c.command, c.count, c.example.join(" ")))
            .collect();
        // cross-slot blockers are the commands above
        what.extend(p.blockers.iter().filter(|b| b.kind != "cross-slot").map(|b| format!("{}: {}", b.kind, b.detail)));
        lines.push(Line::from(vec![Span::styled("  blocks cluster mode: ", theme.bad), Span::raw(what.join(" · "))]));
    }
    if !p.gaps.is_empty() {
        lines.push(Line::from(vec![Span::styled("  not gathered: ", theme.warn), Span::raw(p.gaps.join(" · "))]));
    }
    lines
}

impl Widget for MetricsView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = &self.app.theme;
        // the profile of the live server first, when the plan names one
        let profile_text = match (&self.env.profile_at, &self.env.profile) {
            (Some(path), Loading::Loaded(p)) => {
                let name =
                    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                Some(profile_lines(p, &name, theme))
            }
            (Some(_), Loading::Failed(e)) => {
                Some(vec![Line::from(vec![Span::styled("profile not read: ", theme.bad), Span::raw(e.clone())])])
            }
            (Some(path), _) => Some(vec![Line::from(format!(
                "{} reading the profile {}…",
                super::spinner(self.app.ticks),
                path.display()
            ))]),
            (None, _) => None,
        };
        let area = match profile_text {
            Some(mut lines) => {
                if matches!(self.env.metrics, Loading::Absent) {
                    lines.push(Line::from(""));
                    lines.push(Line::from(vec![Span::styled(
                        format!(
                            "No metrics for this environment: [env.{}.metrics] file = \"metrics.json\" (or a live cache) adds charts.",
                            self.env.base.name
                        ),
                        theme.dim,
                    )]));
                }
                let block = Block::bordered()
                    .title(" live server profile (estimates are estimates) ")
                    .border_style(theme.border);
                let para = Paragraph::new(lines).wrap(Wrap { trim: false });
                let wanted = u16::try_from(para.line_count(area.width.saturating_sub(2))).unwrap_or(u16::MAX);
                let no_metrics = matches!(self.env.metrics, Loading::Absent);
                let height = if no_metrics { area.height } else { (wanted + 2).min(area.height / 2).max(3) };
                let [top, rest] = Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
                para.block(block).render(top, buf);
                if no_metrics {
                    return;
                }
                rest
            }
            None => area,
        };
        let long = format!(" {} · metrics · zoom {} (z) · times UTC ", self.env.base.name, self.app.zoom.label());
        let title = if long.chars().count() + 30 <= usize::from(area.width) {
            long
        } else {
            format!(" {} · {} (z) ", self.env.base.name, self.app.zoom.label())
        };
        let block = Block::bordered().title(title).border_style(theme.border);
        let metrics = match &self.env.metrics {
            Loading::Loaded(_) if self.env.metrics_trimmed => {
                Paragraph::new(format!("{} reading the metrics again…", super::spinner(self.app.ticks)))
                    .block(block)
                    .render(area, buf);
                return;
            }
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
            Loading::Loading | Loading::Idle => {
                let what = match self.env.metrics_at.as_ref() {
                    Some((_, at @ crate::source::MetricsLocation::Live(_))) => format!("fetching {}", at.name()),
                    Some((_, at)) => format!("reading {}", at.name()),
                    None => "reading the metrics".to_string(),
                };
                Paragraph::new(format!("{} {what}…", super::spinner(self.app.ticks))).block(block).render(area, buf);
                return;
            }
            Loading::Failed(e) => {
                Paragraph::new(vec![
                    Line::from(Span::styled("metrics could not be loaded:", theme.bad)),
                    Line::from(e.clone()),
                    Line::from(""),
                    Line::from("r reads (fetches) them again."),
                ])
                .wrap(Wrap { trim: true })
                .block(block)
                .render(area, buf);
                return;
            }
        };
        let data = &metrics.data;
        let Some(report) = self.env.report() else { return };
        let charts: Vec<Metric> = Metric::ALL.into_iter().filter(|c| data.chart(*c).is_some()).collect();
        let inner = block.inner(area);
        let cols: usize = if inner.width >= 100 { 3 } else { 2 };
        let rows_wanted = charts.len().div_ceil(cols).max(1);
        let max_rows = usize::from((inner.height.saturating_sub(2) / 7).max(1));
        let rows = rows_wanted.min(max_rows);
        // page through the chart rows that do not fit (↓/↑), and say so only then
        let last_first_row = rows_wanted - rows;
        self.app.view_info.set(ViewInfo { chart_row: last_first_row, ..self.app.view_info.get() });
        let first_row = self.env.chart_row.min(last_first_row);
        let block = if last_first_row > 0 {
            block.title(
                Line::from(format!(" ↑↓ charts: rows {}-{} of {} ", first_row + 1, first_row + rows, rows_wanted))
                    .right_aligned(),
            )
        } else {
            block
        };
        block.render(area, buf);
        let whole = |v: f64| {
            if v.abs() >= 100.0 {
                format_quantity(rust_decimal::Decimal::from(v.round() as i64), 0)
            } else {
                fmt_f64(v)
            }
        };
        let summary_lines = summary_lines(self.app, report, data, &whole);
        let summary_height =
            Paragraph::new(summary_lines.clone()).wrap(Wrap { trim: false }).line_count(inner.width).clamp(2, 4);
        let [summary, grid] =
            Layout::vertical([Constraint::Length(u16::try_from(summary_height).unwrap_or(2)), Constraint::Min(0)])
                .areas(inner);
        Paragraph::new(summary_lines).wrap(Wrap { trim: false }).render(summary, buf);
        let shown = &charts[(first_row * cols).min(charts.len())..charts.len().min((first_row + rows) * cols)];
        let row_areas = Layout::vertical(vec![Constraint::Fill(1); rows]).split(grid);
        for (r, row_area) in row_areas.iter().enumerate() {
            let col_areas = Layout::horizontal(vec![Constraint::Fill(1); cols]).split(*row_area);
            for (c, cell) in col_areas.iter().enumerate() {
                if let Some(metric) = shown.get(r * cols + c) {
                    chart(self.app, report, metrics, *metric, *cell, buf);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::tui::app::tests::{app, open, press};
    use crate::tui::view::testing::{SIZES, draw};
    use crossterm::event::KeyCode;

    #[test]
    fn metrics_screen() {
        let mut a = app();
        open(&mut a, 3);
        press(&mut a, KeyCode::Char('3'));
        for (w, h) in SIZES {
            insta::assert_snapshot!(format!("metrics_{w}x{h}"), draw(&a, w, h));
        }
        let screen = draw(&a, 120, 40).to_string();
        assert!(screen.contains("capacity 19.74 GiB"), "the legend names the capacity with its unit:\n{screen}");
        assert!(!screen.contains("if Serverless"), "no chart repeats requests/s as estimated ECPU:\n{screen}");
        assert!(screen.contains(" GiB") && screen.contains("/s"), "the axes carry units:\n{screen}");
        let all_fit = draw(&a, 200, 60).to_string();
        assert!(!all_fit.contains("↑↓ charts"), "no paging hint when every chart fits:\n{all_fit}");
    }

    #[test]
    fn zoom_cycles_and_environments_without_metrics_say_how_to_add_them() {
        let mut a = app();
        open(&mut a, 3);
        press(&mut a, KeyCode::Char('3'));
        press(&mut a, KeyCode::Char('z'));
        assert!(draw(&a, 120, 40).to_string().contains("zoom whole window"));
        open(&mut a, 1);
        let screen = draw(&a, 80, 24).to_string();
        assert!(screen.contains("No metrics for this environment"), "{screen}");
    }

    #[test]
    fn a_profile_of_the_live_server_shows_above_the_charts_or_alone() {
        use crate::tui::app::{Effect, Loading};
        use crate::tui::event::{Event, SourceEvent};
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/profile/prod.profile.json");
        let mut a = app();
        let mut paths = vec![None; a.envs.len()];
        paths[2] = Some(fixture.clone());
        paths[0] = Some(fixture.clone());
        assert!(a.set_profiles(paths).is_empty(), "profiles are read when their environment is opened");
        a.go_to_tab(0);
        let Some(Effect::LoadProfile { env, path }) = a.go_to_tab(1) else { panic!("dev's profile is read") };
        let read = |path: &std::path::Path| {
            crate::source::redis_profile::read_profile(path).map(Box::new).map_err(|e| e.to_string())
        };
        a.handle(Event::Source(SourceEvent::ProfileLoaded { env, result: read(&path) }));
        crate::tui::app::tests::settle(&mut a);
        press(&mut a, KeyCode::Char('3'));
        // dev has no metrics: the profile fills the screen
        let screen = draw(&a, 120, 40).to_string();
        insta::assert_snapshot!("metrics_profile_only_120x40", screen);
        assert!(screen.contains("DEL ×40 across slots (e.g. DEL session:100 user:100)"), "{screen}");
        assert!(screen.contains("EVAL ×40 across slots"), "{screen}");
        assert!(screen.contains("Serverless ≈") && screen.contains("ECPU/s"), "{screen}");
        // prod has metrics too: the profile sits above the charts
        let opened = a.go_to_tab(3);
        let Some(Effect::LoadProfile { env, path }) = opened else { panic!("prod's profile is read: {opened:?}") };
        a.handle(Event::Source(SourceEvent::ProfileLoaded { env, result: read(&path) }));
        crate::tui::app::tests::settle(&mut a);
        let screen = draw(&a, 120, 40).to_string();
        assert!(screen.contains("live server profile") && screen.contains("memory GiB"), "{screen}");
        // r reads the profile again with the metrics
        let Some(Effect::Batch(both)) = press(&mut a, KeyCode::Char('r')) else { panic!("r reads both") };
        assert_eq!(both.len(), 2);
        assert!(matches!(a.envs[2].profile, Loading::Loading));
        // a file that is not a profile: said on the screen, no crash
        a.handle(Event::Source(SourceEvent::ProfileLoaded {
            env: "prod".into(),
            result: read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml").as_path()),
        }));
        let screen = draw(&a, 120, 40).to_string();
        assert!(screen.contains("profile not read:") && screen.contains("not a profile JSON"), "{screen}");
    }

    #[test]
    fn dates_on_the_smallest_terminal_are_whole() {
        let mut a = app();
        open(&mut a, 3);
        press(&mut a, KeyCode::Char('3'));
        let screen = draw(&a, 60, 16).to_string();
        insta::assert_snapshot!("metrics_60x16", screen);
    }
}
