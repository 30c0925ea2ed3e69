//! Report charts drawn with plotters, as SVG and PNG: the monthly cost of the best options against
//! the request rate with their break-even points, and metric history against capacity. A view:
//! it draws what [`super::chart_data`] computed and nothing else. Text is set in `DejaVu Sans`,
//! compiled in (`assets/fonts/`), so a chart looks the same on every machine and needs no system
//! fonts.

// pixel arithmetic: every value is bounded by the 1200 × 700 canvas, far from wrapping an i32
#![allow(clippy::cast_possible_wrap)]

use std::sync::OnceLock;

use chrono::DateTime;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::chart_data::{CostChart, CostPoint, MetricChart, unit_of};
use crate::model::evaluate::OptionKind;
use crate::model::observed::Chart;

/// Width of a chart, pixels.
pub const WIDTH: u32 = 1200;
/// Height of a chart, pixels.
pub const HEIGHT: u32 = 700;

/// The font family every text is set in.
const FAMILY: &str = "DejaVu Sans";
/// `DejaVu Sans` 2.37 (Bitstream Vera licence, `assets/fonts/ORIGIN.md`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

const TITLE_PX: u32 = 26;
const SUBTITLE_PX: u32 = 16;
const LABEL_PX: u32 = 16;
const AXIS_PX: u32 = 18;
const NOTE_PX: u32 = 15;
/// Height of the title band.
const HEAD_PX: u32 = 74;
/// Height of one legend row.
const ROW_PX: u32 = 26;

const INK: RGBColor = RGBColor(33, 33, 33);
const GREY: RGBColor = RGBColor(110, 110, 110);
const LIGHT_GRID: RGBColor = RGBColor(236, 236, 236);
const GRID: RGBColor = RGBColor(205, 205, 205);
/// Serverless, nodes and Upstash: dark blue, orange and purple differ in lightness too, so they
/// stay apart in greyscale; each also has its own marker.
const SERIES: [RGBColor; 3] = [RGBColor(31, 78, 153), RGBColor(230, 120, 0), RGBColor(150, 60, 160)];
/// The measured series of a metric chart.
const MEASURED: RGBColor = RGBColor(31, 78, 153);
/// Capacity of what runs today, and of the recommendation.
const CURRENT: RGBColor = RGBColor(190, 30, 45);
const RECOMMENDED: RGBColor = RGBColor(20, 130, 60);

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be read (a broken build).
    #[error("the embedded chart font cannot be read")]
    Font,
    /// plotters failed.
    #[error("cannot draw the chart '{title}': {reason}")]
    Draw {
        /// Which chart.
        title: String,
        /// What plotters said.
        reason: String,
    },
    /// The PNG could not be encoded.
    #[error("cannot encode the chart '{title}' as PNG: {reason}")]
    Png {
        /// Which chart.
        title: String,
        /// What the encoder said.
        reason: String,
    },
}

/// One chart to draw.
#[derive(Clone, Copy, Debug)]
pub enum ChartRef<'a> {
    /// Monthly cost against request rate.
    Cost(&'a CostChart),
    /// A metric's history against capacity.
    Metric(&'a MetricChart),
}

impl ChartRef<'_> {
    /// The chart's title.
    pub fn title(&self) -> String {
        match self {
            ChartRef::Cost(c) => format!("{}: monthly cost against request rate", c.env),
            ChartRef::Metric(m) => format!("{}: {} against capacity", m.env, m.what),
        }
    }
}

fn font() -> Result<(), ChartError> {
    static READY: OnceLock<bool> = OnceLock::new();
    if *READY.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok()) {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// The chart as an SVG document (text as `<text>` in `DejaVu Sans`).
pub fn render_svg(chart: ChartRef<'_>) -> Result<String, ChartError> {
    font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(|e| draw_error(chart, &e))?;
    }
    Ok(svg)
}

/// The chart as a PNG image of [`WIDTH`] × [`HEIGHT`] pixels.
pub fn render_png(chart: ChartRef<'_>) -> Result<Vec<u8>, ChartError> {
    font()?;
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart)?;
        root.present().map_err(|e| draw_error(chart, &e))?;
    }
    let png_error = |e: png::EncodingError| ChartError::Png { title: chart.title(), reason: e.to_string() };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&rgb).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

fn draw_error(chart: ChartRef<'_>, e: &dyn std::fmt::Display) -> ChartError {
    ChartError::Draw { title: chart.title(), reason: e.to_string() }
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: ChartRef<'_>) -> Result<(), ChartError> {
    let fail = |e: &dyn std::fmt::Display| draw_error(chart, e);
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    match chart {
        ChartRef::Cost(c) => draw_cost(root, c).map_err(|e| fail(&e)),
        ChartRef::Metric(m) => draw_metric(root, m).map_err(|e| fail(&e)),
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn style(px: u32, color: RGBColor) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&color)
}

/// `950`, `1.2k`, `25k`, `1.5M`: a tick or a figure with a k/M suffix.
pub fn si(value: f64) -> String {
    let abs = value.abs();
    let (scaled, suffix) = if abs >= 1e9 {
        (value / 1e9, "G")
    } else if abs >= 1e6 {
        (value / 1e6, "M")
    } else if abs >= 1e3 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = if scaled.abs() >= 100.0 || scaled.fract().abs() < 1e-9 {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 10.0 {
        format!("{scaled:.1}")
    } else if scaled.abs() >= 1.0 || suffix.is_empty() && scaled.abs() >= 0.1 {
        format!("{scaled:.2}")
    } else {
        format!("{scaled:.3}")
    };
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{text}{suffix}")
}

/// `1,234`, `12.5`: a figure with thousands separators, whole above 100.
pub fn figure(value: f64) -> String {
    let dp = if value.abs() >= 100.0 { 0 } else { 2 };
    crate::model::units::decimal_from_f64(value)
        .map_or_else(|| format!("{value}"), |d| crate::model::units::format_quantity(d, dp))
}

/// `$18.77`, `$1,003`: a monthly cost for a label.
pub fn usd(value: f64) -> String {
    if value.abs() < 1000.0 { format!("${value:.2}") } else { format!("${}", figure(value)) }
}

/// `$0.50`, `$20`, `$1,000`, `$1.5M`: a cost tick.
fn usd_tick(value: f64) -> String {
    if value.abs() >= 1e6 {
        format!("${}", si(value))
    } else if value.abs() < 10.0 && value.fract().abs() > 1e-9 {
        format!("${value:.2}")
    } else {
        format!("${}", figure(value))
    }
}

/// The title and a line under it.
fn head<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, subtitle: &str) -> DrawResult<DB> {
    area.draw(&Text::new(title.to_string(), (24, 14), style(TITLE_PX, INK)))?;
    area.draw(&Text::new(subtitle.to_string(), (24, 48), style(SUBTITLE_PX, GREY)))
}

/// The marker of the `i`-th cost series at `at` (pixels), so the lines stay apart without colour.
fn marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kind: usize,
    at: (i32, i32),
    color: RGBColor,
) -> DrawResult<DB> {
    match kind {
        0 => area.draw(&Circle::new(at, 5, color.filled())),
        1 => area.draw(&Rectangle::new([(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)], color.filled())),
        _ => area.draw(&TriangleMarker::new(at, 7, color.filled())),
    }
}

fn series_index(kind: OptionKind) -> usize {
    match kind {
        OptionKind::Serverless => 0,
        OptionKind::Node | OptionKind::Split => 1,
        OptionKind::Upstash => 2,
    }
}

fn draw_cost<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &CostChart) -> DrawResult<DB> {
    let rows = c.series.len() as u32 + 1;
    let legend_px = rows * ROW_PX + 18;
    let (top, rest) = root.split_vertically(HEAD_PX);
    let (plot, legend) = rest.split_vertically(HEIGHT - HEAD_PX - legend_px);
    head(
        &top,
        &format!("{}: monthly cost against request rate", c.env),
        &format!(
            "today {} requests/s on average; each option keeps its layout and today's data; the peak scales with the average",
            figure(c.today_rps)
        ),
    )?;
    let costs: Vec<f64> = c.series.iter().flat_map(|s| s.points.iter().map(|p| p.usd)).filter(|v| *v > 0.0).collect();
    let lo = costs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = costs.iter().copied().fold(0.0, f64::max);
    if costs.is_empty() {
        plot.draw(&Text::new("no option could be costed", (60, 60), style(AXIS_PX, INK)))?;
    } else if hi / lo > 30.0 {
        // costs span decades: a log scale, where $0 cannot be drawn
        let (lo, hi) = (10f64.powf(lo.log10().floor()), 10f64.powf(hi.log10().ceil()));
        cost_plot(&plot, c, (lo..hi).log_scale(), "USD per month (log scale)")?;
        return cost_legend(&legend, c, true);
    } else {
        cost_plot(&plot, c, 0.0..hi * 1.15, "USD per month")?;
    }
    cost_legend(&legend, c, false)
}

/// Runs of consecutive points that fit (or not), each sharing its first point with the run
/// before so the line stays whole.
fn runs(points: &[CostPoint]) -> Vec<(bool, Vec<(f64, f64)>)> {
    let mut out: Vec<(bool, Vec<(f64, f64)>)> = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match out.last_mut() {
            Some((fits, run)) if *fits == p.fits => run.push((p.rps, p.usd)),
            _ => {
                let mut run = Vec::new();
                if i > 0 {
                    run.push((points[i - 1].rps, points[i - 1].usd));
                }
                run.push((p.rps, p.usd));
                out.push((p.fits, run));
            }
        }
    }
    out
}

fn cost_plot<DB, Y>(area: &DrawingArea<DB, Shift>, c: &CostChart, y: Y, y_desc: &str) -> DrawResult<DB>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(36)
        .margin_left(12)
        .x_label_area_size(58)
        .y_label_area_size(96)
        .build_cartesian_2d((c.x_range.0..c.x_range.1).log_scale(), y)?;
    chart
        .configure_mesh()
        .x_desc("average requests/s (log scale)")
        .y_desc(y_desc)
        .label_style(style(LABEL_PX, INK))
        .axis_desc_style(style(AXIS_PX, INK))
        .x_label_formatter(&|x| si(*x))
        .y_label_formatter(&|y| usd_tick(*y))
        .light_line_style(LIGHT_GRID)
        .bold_line_style(GRID)
        .draw()?;
    let y_range = chart.y_range();
    let (y_lo, y_hi) = (y_range.start, y_range.end);
    // today's rate: a grey dotted vertical line, labelled at the top
    if c.today_rps >= c.x_range.0 && c.today_rps <= c.x_range.1 {
        chart.draw_series(DashedLineSeries::new(
            [(c.today_rps, y_lo), (c.today_rps, y_hi)],
            4,
            5,
            GREY.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((c.today_rps, y_hi))
                + Text::new(format!("today {} req/s", figure(c.today_rps)), (6, 4), style(NOTE_PX, GREY)),
        ))?;
    }
    let clamp = |v: f64| v.clamp(y_lo, y_hi);
    // a log scale has no $0: a free option is left out there (the legend says so), never drawn
    // at the axis' lowest tick as if it cost that
    let drawable = |v: f64| y_lo <= 0.0 || v > 0.0;
    for s in &c.series {
        let i = series_index(s.kind);
        let color = SERIES[i];
        for (fits, run) in runs(&s.points) {
            let run: Vec<(f64, f64)> = run.into_iter().filter(|p| drawable(p.1)).map(|(x, y)| (x, clamp(y))).collect();
            if fits {
                chart.draw_series(LineSeries::new(run, color.stroke_width(3)))?;
            } else {
                chart.draw_series(DashedLineSeries::new(run, 10, 7, color.stroke_width(2)))?;
            }
        }
        // a marker every half decade, offset per series so they do not sit on each other
        let plotting = chart.plotting_area().strip_coord_spec();
        let (bx, by) = plotting.get_base_pixel();
        for p in s.points.iter().skip(2 + i * 2).step_by(8).filter(|p| drawable(p.usd)) {
            let (x, y) = chart.backend_coord(&(p.rps, clamp(p.usd)));
            marker(&plotting, i, (x - bx, y - by), color)?;
        }
    }
    // break-even points: a black dot each, labelled with the rate and the cost; labels are
    // stacked so they never overlap each other, and kept inside the plot
    let plotting = chart.plotting_area().strip_coord_spec();
    let (bx, by) = plotting.get_base_pixel();
    let (w, h) = plotting.dim_in_pixel();
    let label_style = style(NOTE_PX, INK);
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
    for b in &c.break_evens {
        let (x, y) = chart.backend_coord(&(b.rps, clamp(b.usd)));
        let at = (x - bx, y - by);
        let text = format!(
            "break-even {} req/s, {}/month{}",
            figure(b.rps),
            usd(b.usd),
            match b.not_fitting.as_slice() {
                [] => String::new(),
                [one] => format!(" ({one} no longer fit{} there)", if *one == "nodes" { "" } else { "s" }),
                _ => " (neither fits there)".to_string(),
            }
        );
        let (tw, th) = plotting.estimate_text_size(&text, &label_style)?;
        let (tw, th) = (tw as i32, th as i32);
        let left = at.0 + 14 + tw > w as i32 - 4;
        let tx = if left { at.0 - 14 - tw } else { at.0 + 14 };
        let mut ty = at.1 - 34;
        let overlaps = |ty: i32, placed: &[(i32, i32, i32, i32)]| {
            placed.iter().any(|&(x0, y0, x1, y1)| tx < x1 && tx + tw > x0 && ty < y1 + 4 && ty + th + 4 > y0)
        };
        while ty > 2 && overlaps(ty, &placed) {
            ty -= th + 6;
        }
        if ty <= 2 {
            ty = at.1 + 16;
            while ty + th < h as i32 && overlaps(ty, &placed) {
                ty += th + 6;
            }
        }
        placed.push((tx, ty, tx + tw, ty + th));
        let anchor_x = if left { tx + tw } else { tx };
        plotting.draw(&PathElement::new(vec![at, (anchor_x, ty + th / 2)], GREY.stroke_width(1)))?;
        plotting.draw(&Rectangle::new([(tx - 3, ty - 2), (tx + tw + 3, ty + th + 2)], WHITE.mix(0.85).filled()))?;
        plotting.draw(&Text::new(text, (tx, ty), label_style.clone()))?;
        plotting.draw(&Circle::new(at, 6, BLACK.filled()))?;
        plotting.draw(&Circle::new(at, 3, WHITE.filled()))?;
    }
    Ok(())
}

/// `log`: the cost axis is a log scale, where a $0 cost is not drawn.
fn cost_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, c: &CostChart, log: bool) -> DrawResult<DB> {
    let x0 = 120;
    for (row, s) in c.series.iter().enumerate() {
        let y = 8 + row as i32 * ROW_PX as i32 + ROW_PX as i32 / 2;
        let i = series_index(s.kind);
        let color = SERIES[i];
        if s.excluded.is_some() {
            for k in 0..3 {
                area.draw(&PathElement::new(vec![(x0 + k * 16, y), (x0 + k * 16 + 9, y)], color.stroke_width(2)))?;
            }
        } else {
            area.draw(&PathElement::new(vec![(x0, y), (x0 + 44, y)], color.stroke_width(3)))?;
        }
        marker(area, i, (x0 + 22, y), color)?;
        let mut text = match &s.excluded {
            Some(why) => format!("{} — does not fit today ({why})", s.label),
            None => s.label.clone(),
        };
        if log && s.points.iter().any(|p| p.usd <= 0.0) {
            text.push_str(if s.points.iter().all(|p| p.usd <= 0.0) {
                " — $0 a month: not drawn on the log scale"
            } else {
                " — $0 where not drawn (log scale)"
            });
        }
        area.draw(&Text::new(text, (x0 + 58, y - 9), style(LABEL_PX, INK)))?;
    }
    let y = 8 + c.series.len() as i32 * ROW_PX as i32 + ROW_PX as i32 / 2;
    area.draw(&Circle::new((x0 + 22, y), 6, BLACK.filled()))?;
    area.draw(&Circle::new((x0 + 22, y), 3, WHITE.filled()))?;
    let text = if c.break_evens.is_empty() {
        "break-even: none in this range      solid: the option carries that load      dashed: it no longer does"
    } else {
        "break-even: two options cost the same      solid: the option carries that load      dashed: it no longer does"
    };
    area.draw(&Text::new(text, (x0 + 58, y - 9), style(LABEL_PX, GREY)))
}

/// Seconds in a day and in an hour: the metric charts' x axis counts days (hours for a window
/// under three days) from the first midnight, so its ticks fall on whole days (hours).
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

/// `Nov 9` at midnight, else `05:00`: the time `x` units of `unit` seconds after the midnight
/// `midnight`.
fn date_tick(midnight: i64, unit: i64, x: f64) -> String {
    let t = midnight.saturating_add((x * unit as f64).round() as i64);
    let format = if t.rem_euclid(DAY) == 0 { "%b %-d" } else { "%H:%M" };
    DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| d.format(format).to_string())
}

/// The y axis title of a metric chart.
fn metric_axis(chart: Chart) -> String {
    match chart {
        Chart::Memory => "memory used, GiB".to_string(),
        Chart::Ecpu => "ECPU per second".to_string(),
        Chart::Cpu => "engine CPU, %".to_string(),
        Chart::Connections => "connections".to_string(),
        other => unit_of(other).to_string(),
    }
}

/// Colour and dash length of a capacity line: long red dashes for what runs today, short green
/// ones for the recommendation, long dark ones for both.
fn capacity_style(whose: &str) -> (RGBColor, i32) {
    match whose {
        "current" => (CURRENT, 12),
        "recommended" => (RECOMMENDED, 4),
        _ => (INK, 16),
    }
}

fn gap_of(dash: i32) -> i32 {
    if dash >= 12 { 6 } else { 5 }
}

/// Where legend text starts, and the widest it may be there.
const LEGEND_TEXT_X: i32 = 178;
const LEGEND_TEXT_PX: u32 = WIDTH - LEGEND_TEXT_X as u32 - 16;

/// `text` in lines no wider than `max` pixels at `px`, broken at spaces (a word longer than
/// the line stays whole).
fn wrap<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, px: u32, max: u32) -> Vec<String> {
    let font = style(px, INK);
    let fits = |t: &str| area.estimate_text_size(t, &font).map_or(true, |(w, _)| w <= max);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if line.is_empty() || fits(&candidate) {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    lines.push(line);
    lines
}

fn draw_metric<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, m: &MetricChart) -> DrawResult<DB> {
    // legend rows: long capacity labels wrap instead of running off the image
    let capacity_lines: Vec<Vec<String>> =
        m.capacities.iter().map(|c| wrap(root, &format!("capacity, {}", c.label), LABEL_PX, LEGEND_TEXT_PX)).collect();
    let note_lines: Vec<Vec<String>> = m.off_scale.iter().map(|n| wrap(root, n, LABEL_PX, LEGEND_TEXT_PX)).collect();
    let rows = 1 + capacity_lines.iter().chain(&note_lines).map(|l| l.len() as u32).sum::<u32>();
    let legend_px = rows * ROW_PX + 18;
    let (top, rest) = root.split_vertically(HEAD_PX);
    let (plot, legend) = rest.split_vertically(HEIGHT - HEAD_PX - legend_px);
    let (t0, t1) = (m.points.first().map_or(0, |p| p.0), m.points.last().map_or(1, |p| p.0));
    let peak = m.points.iter().map(|p| p.1).fold(0.0, f64::max);
    let day = |t: i64| DateTime::from_timestamp(t, 0).map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
    head(
        &top,
        &format!("{}: {} against capacity", m.env, m.what),
        &format!("{}, {} to {} (UTC); peak {} {}", m.source, day(t0), day(t1), si(peak), m.unit),
    )?;
    let top_value = m.capacities.iter().map(|c| c.value).fold(peak, f64::max).max(1e-9) * 1.15;
    let midnight = t0.div_euclid(DAY) * DAY;
    let unit = if t1.saturating_sub(t0) < 3 * DAY { HOUR } else { DAY };
    let days = |t: i64| t.saturating_sub(midnight) as f64 / unit as f64;
    let (d0, d1) = (days(t0), days(t1.max(t0 + 1)));
    let mut chart = ChartBuilder::on(&plot)
        .margin_top(8)
        .margin_right(36)
        .margin_left(12)
        .x_label_area_size(58)
        .y_label_area_size(96)
        .build_cartesian_2d(d0..d1, 0.0..top_value)?;
    chart
        .configure_mesh()
        .x_desc("date (UTC)")
        .y_desc(metric_axis(m.chart))
        .label_style(style(LABEL_PX, INK))
        .axis_desc_style(style(AXIS_PX, INK))
        .x_label_formatter(&|x| date_tick(midnight, unit, *x))
        .y_label_formatter(&|y| si(*y))
        // about one tick a day, at most 16 (hours: about 12), so the labels never crowd
        .x_labels(((d1 - d0).ceil() as usize + 1).clamp(6, if unit == HOUR { 12 } else { 16 }))
        .light_line_style(LIGHT_GRID)
        .bold_line_style(GRID)
        .draw()?;
    // one pixel wide: a wider polyline overshoots the sharp turns of a noisy series (false peaks)
    chart.draw_series(LineSeries::new(m.points.iter().map(|&(t, v)| (days(t), v)), MEASURED.stroke_width(1)))?;
    let plotting = chart.plotting_area().strip_coord_spec();
    let (bx, by) = plotting.get_base_pixel();
    let (w, _) = plotting.dim_in_pixel();
    let mut last_label_y: Option<i32> = None;
    for c in &m.capacities {
        let (color, dash) = capacity_style(&c.whose);
        let dash = (dash, gap_of(dash));
        chart.draw_series(DashedLineSeries::new(
            [(d0, c.value), (d1, c.value)],
            dash.0,
            dash.1,
            color.stroke_width(3),
        ))?;
        // the label sits on the line's right end, above it, or below when another label is there
        let (_, y) = chart.backend_coord(&(d1, c.value));
        let text = c.short.clone();
        let label_style = style(NOTE_PX, color);
        let (tw, th) = plotting.estimate_text_size(&text, &label_style)?;
        let mut ty = y - by - th as i32 - 6;
        if last_label_y.is_some_and(|l| (l - ty).abs() < th as i32 + 6) || ty < 2 {
            ty = y - by + 8;
        }
        last_label_y = Some(ty);
        let tx = w as i32 - tw as i32 - 8;
        let _ = bx;
        plotting.draw(&Rectangle::new(
            [(tx - 3, ty - 2), (tx + tw as i32 + 3, ty + th as i32 + 2)],
            WHITE.mix(0.85).filled(),
        ))?;
        plotting.draw(&Text::new(text, (tx, ty), label_style))?;
    }
    // legend
    let x0 = 120;
    let mut y = 8 + ROW_PX as i32 / 2;
    legend.draw(&PathElement::new(vec![(x0, y), (x0 + 44, y)], MEASURED.stroke_width(2)))?;
    legend.draw(&Text::new(format!("measured: {}", m.what), (x0 + 58, y - 9), style(LABEL_PX, INK)))?;
    for (c, lines) in m.capacities.iter().zip(&capacity_lines) {
        y += ROW_PX as i32;
        let (color, dash) = capacity_style(&c.whose);
        let mut x = x0;
        while x < x0 + 44 {
            legend.draw(&PathElement::new(vec![(x, y), ((x + dash).min(x0 + 44), y)], color.stroke_width(3)))?;
            x += dash + gap_of(dash);
        }
        for (k, line) in lines.iter().enumerate() {
            if k > 0 {
                y += ROW_PX as i32;
            }
            legend.draw(&Text::new(line.clone(), (LEGEND_TEXT_X, y - 9), style(LABEL_PX, INK)))?;
        }
    }
    for line in note_lines.iter().flatten() {
        y += ROW_PX as i32;
        legend.draw(&Text::new(line.clone(), (LEGEND_TEXT_X, y - 9), style(LABEL_PX, GREY)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::chart_data::{BreakEvenPoint, CapacityMark, CostSeries};

    fn texts(svg: &str) -> String {
        // the text of every `<text>` element, enough for these checks
        svg.split("<text")
            .skip(1)
            .filter_map(|t| t.split_once('>').map(|(_, rest)| rest))
            .filter_map(|t| t.split_once("</text>").map(|(text, _)| text))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn serverless_ecpu() -> MetricChart {
        MetricChart {
            env: "sessions".into(),
            chart: Chart::Ecpu,
            what: "ECPU per second (ElastiCacheProcessingUnits)".into(),
            source: "metrics.json".into(),
            unit: "ECPU/s".into(),
            points: (0..2016)
                .map(|i| (1_762_646_400 + i * 300, 5_000.0 + f64::from((i % 288) as i32) * 20.0))
                .collect(),
            capacities: vec![CapacityMark {
                value: 20_000.0,
                whose: "current".into(),
                label: "current: Serverless Valkey (20,000 ECPU/s)".into(),
                short: "current: 20,000 ECPU/s".into(),
            }],
            off_scale: vec!["recommended capacity 15,000,000 ECPU/s: far above the data, not drawn".into()],
        }
    }

    /// A Serverless cache's ECPU chart (not in the bundled example) draws, as SVG and PNG.
    #[test]
    fn an_ecpu_chart_draws_with_its_usage_limit() {
        let m = serverless_ecpu();
        let svg = render_svg(ChartRef::Metric(&m)).unwrap();
        let t = texts(&svg);
        for needle in
            ["sessions: ECPU per second", "ECPU per second", "current: 20,000 ECPU/s", "far above the data", "20k"]
        {
            assert!(t.contains(needle), "no '{needle}' in {t}");
        }
        let png = render_png(ChartRef::Metric(&m)).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }

    /// Degenerate data still draws: one point, all zeros, no capacity; a cost chart whose
    /// options all cost nothing says so.
    #[test]
    fn degenerate_charts_still_draw() {
        let mut m = serverless_ecpu();
        m.points = vec![(1_762_646_400, 0.0)];
        m.capacities.clear();
        m.off_scale.clear();
        render_svg(ChartRef::Metric(&m)).unwrap();
        render_png(ChartRef::Metric(&m)).unwrap();
        let free = CostChart {
            env: "dev".into(),
            today_rps: 0.0,
            x_range: (0.1, 10.0),
            series: vec![CostSeries {
                option_id: "upstash/free".into(),
                kind: OptionKind::Upstash,
                label: "Upstash free plan".into(),
                short: "Upstash",
                excluded: None,
                points: vec![
                    CostPoint { rps: 0.1, usd: 0.0, fits: true },
                    CostPoint { rps: 10.0, usd: 0.0, fits: false },
                ],
            }],
            break_evens: vec![BreakEvenPoint {
                rps: 1.0,
                usd: 0.0,
                between: ("a".into(), "b".into()),
                not_fitting: vec![],
            }],
        };
        assert!(texts(&render_svg(ChartRef::Cost(&free)).unwrap()).contains("no option could be costed"));
        render_png(ChartRef::Cost(&free)).unwrap();
    }

    /// On a log cost axis a free option cannot be drawn: it is left out and the legend says
    /// so, instead of a line along the lowest tick ($100) as if it cost that.
    #[test]
    fn a_free_option_on_a_log_cost_axis_is_not_drawn_at_the_lowest_tick() {
        let series = |kind, label: &str, usd: fn(f64) -> f64| CostSeries {
            option_id: label.into(),
            kind,
            label: label.into(),
            short: "x",
            excluded: None,
            points: [100.0, 1_000.0, 10_000.0, 100_000.0]
                .into_iter()
                .map(|rps| CostPoint { rps, usd: usd(rps), fits: true })
                .collect(),
        };
        let chart = |with_free: bool| CostChart {
            env: "catalog".into(),
            today_rps: 1_000.0,
            x_range: (100.0, 100_000.0),
            series: vec![
                series(OptionKind::Serverless, "Serverless Valkey", |rps| rps / 10.0 + 200.0),
                series(OptionKind::Upstash, "Upstash free plan", |_| 0.0),
            ]
            .into_iter()
            .map(|mut s| {
                if !with_free && s.kind == OptionKind::Upstash {
                    s.points.clear();
                }
                s
            })
            .collect(),
            break_evens: vec![],
        };
        let purple = format!("#{:02X}{:02X}{:02X}", SERIES[2].0, SERIES[2].1, SERIES[2].2);
        let strokes = |svg: &str| svg.matches(&format!("stroke=\"{purple}\"")).count();
        let svg = render_svg(ChartRef::Cost(&chart(true))).unwrap();
        assert!(texts(&svg).contains("USD per month (log scale)"));
        assert!(texts(&svg).contains("Upstash free plan — $0 a month: not drawn on the log scale"), "{}", texts(&svg));
        let without = render_svg(ChartRef::Cost(&chart(false))).unwrap();
        assert_eq!(strokes(&svg), strokes(&without), "the $0 curve is drawn ({purple})");
    }

    /// A capacity label longer than the image wraps onto a second legend line instead of
    /// running off the right edge (its meaning was at the end: "75 %, engine CPU planned at peak").
    #[test]
    fn a_long_capacity_label_wraps_inside_the_image() {
        let mut m = serverless_ecpu();
        m.capacities[0].label = "current and recommended: current cache.r7g.large, 1 shard × 2 nodes; recommended cache.r6g.xlarge, 1 shard × 2 nodes (75 %, engine CPU planned at peak (headroom))".into();
        let svg = render_svg(ChartRef::Metric(&m)).unwrap();
        let t = texts(&svg);
        let line = t.lines().find(|l| l.starts_with("capacity, current and recommended")).unwrap();
        assert!(!line.contains("planned at peak"), "one line: {line}");
        assert!(t.lines().any(|l| l.ends_with("planned at peak (headroom))")), "{t}");
        let root = SVGBackend::new("/dev/null", (WIDTH, HEIGHT)).into_drawing_area();
        for l in t.lines().filter(|l| l.starts_with("capacity") || l.starts_with("engine CPU planned")) {
            let (w, _) = root.estimate_text_size(l, &style(LABEL_PX, INK)).unwrap();
            assert!(w <= LEGEND_TEXT_PX, "{l}: {w} px");
        }
    }

    #[test]
    fn ticks_have_k_and_m_suffixes() {
        assert_eq!(si(950.0), "950");
        assert_eq!(si(1_000.0), "1k");
        assert_eq!(si(1_250.0), "1.25k");
        assert_eq!(si(25_000.0), "25k");
        assert_eq!(si(1_500_000.0), "1.5M");
        assert_eq!(si(0.5), "0.5");
        assert_eq!(usd(18.771), "$18.77");
        assert_eq!(usd(13_021.0), "$13,021");
        assert_eq!(usd_tick(1_000.0), "$1,000");
        assert_eq!(usd_tick(2_500_000.0), "$2.5M");
        assert_eq!(figure(2_405.77), "2,406");
    }
}
