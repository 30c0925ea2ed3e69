//! A report of every environment, written as it is produced: each environment is rendered on
//! its own ([`Chunk::of`], on any thread), an [`AllWriter`] writes the chunks in plan order and
//! keeps only what the end of the report needs (the totals, one summary row per environment),
//! and [`AllWriter::finish`] writes that end. No more than one environment's report is held by
//! the writer at a time.
//!
//! The output is what [`super::render`] gives for the same environments: JSON stays one document,
//! `{ "schema_version", "envs": [ … ], "not_evaluated": [ … ], "totals": { … } }` (totals last:
//! they are known at the end); Markdown has each environment's section, then the summary table
//! and totals; CSV has its header, then each environment's rows.

use std::io::{self, Write};

use super::json::pretty_at;
use super::{EnvReport, Format, NotEvaluated, SCHEMA_VERSION, Totals, csv, markdown};

/// How deep an environment sits in the JSON of every environment (`{ "envs": [ here ] }`).
const JSON_ENV_DEPTH: usize = 2;

/// One environment, rendered, with what the end of the report needs of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk {
    /// Its part of the report.
    bytes: Vec<u8>,
    /// Its row of the Markdown summary table.
    row: String,
    /// Markdown: the report's head, when this is the first environment.
    head: String,
    /// What it adds to the totals.
    totals: Totals,
}

impl Chunk {
    /// Render `env` as its part of a report of every environment in `format`, or say why it
    /// cannot be (a value JSON cannot hold).
    pub fn of(env: &EnvReport, format: Format) -> io::Result<Chunk> {
        let mut totals = Totals::default();
        totals.add(env);
        let (bytes, row, head) = match format {
            Format::Md => {
                (markdown::all_section(env).into_bytes(), markdown::summary_row(env), markdown::all_head(Some(env)))
            }
            Format::Json => {
                // about 2.6 kB of JSON an option listed, with its lines: sized once, not doubled
                // three times over from a guess
                let capacity = 16 * 1024 + 3 * 1024 * (env.options.len() + 1);
                (pretty_at(env, JSON_ENV_DEPTH, capacity)?, String::new(), String::new())
            }
            Format::Csv => {
                let mut w = csv::writer(Vec::new());
                csv::env_rows(&mut w, env).map_err(io::Error::other)?;
                (w.into_inner().map_err(|e| io::Error::other(e.to_string()))?, String::new(), String::new())
            }
        };
        Ok(Chunk { bytes, row, head, totals })
    }

    /// Its size, bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether it is empty (an environment always renders something).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Writes a report of every environment to `out` as its environments come (see the module).
#[derive(Debug)]
pub struct AllWriter<W: Write> {
    format: Format,
    out: W,
    written: usize,
    rows: Vec<String>,
    totals: Totals,
}

impl<W: Write> AllWriter<W> {
    /// A writer of a report in `format` to `out`; nothing is written before the first chunk.
    pub fn new(format: Format, out: W) -> Self {
        AllWriter { format, out, written: 0, rows: Vec::new(), totals: Totals::default() }
    }

    /// The report's opening, before the first environment (Markdown takes its price line from it).
    fn open(&mut self, first: Option<&Chunk>) -> io::Result<()> {
        match self.format {
            Format::Md => match first {
                Some(c) => self.out.write_all(c.head.as_bytes()),
                None => self.out.write_all(markdown::all_head(None).as_bytes()),
            },
            Format::Json => write!(self.out, "{{\n  \"schema_version\": {SCHEMA_VERSION},\n  \"envs\": ["),
            Format::Csv => {
                let mut w = csv::writer(Vec::new());
                w.write_record(csv::HEADER).map_err(io::Error::other)?;
                let header = w.into_inner().map_err(|e| io::Error::other(e.to_string()))?;
                self.out.write_all(&header)
            }
        }
    }

    /// Write the next environment.
    pub fn write(&mut self, chunk: &Chunk) -> io::Result<()> {
        if self.written == 0 {
            self.open(Some(chunk))?;
        }
        if self.format == Format::Json {
            self.out.write_all(if self.written == 0 { b"\n    " } else { b",\n    " })?;
        }
        self.out.write_all(&chunk.bytes)?;
        self.written += 1;
        self.totals.add_all(&chunk.totals);
        if self.format == Format::Md {
            self.rows.push(chunk.row.clone());
        }
        Ok(())
    }

    /// Environments written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Write the end of the report (`not_evaluated` lists the environments left out), flush,
    /// and hand the output back.
    pub fn finish(mut self, not_evaluated: &[NotEvaluated]) -> io::Result<W> {
        if self.written == 0 {
            self.open(None)?;
        }
        match self.format {
            Format::Md => {
                self.out.write_all(markdown::all_tail(&self.rows, &self.totals, not_evaluated).as_bytes())?;
            }
            Format::Json => {
                self.out.write_all(if self.written == 0 { b"]" } else { b"\n  ]" })?;
                self.out.write_all(b",\n  \"not_evaluated\": ")?;
                self.out.write_all(&pretty_at(&not_evaluated, 1, 4096)?)?;
                self.out.write_all(b",\n  \"totals\": ")?;
                self.out.write_all(&pretty_at(&self.totals, 1, 4096)?)?;
                self.out.write_all(b"\n}\n")?;
            }
            Format::Csv => {}
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AllReport, Report, evaluate_env, render};
    use crate::source::offline::embedded;
    use crate::source::plan::{EXAMPLE_PLAN, parse_plan};
    use chrono::NaiveDate;

    fn envs() -> Vec<EnvReport> {
        let book = embedded().unwrap();
        let plan = parse_plan(EXAMPLE_PLAN, "bundled", book).unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        plan.envs.iter().map(|e| evaluate_env(e, None, book, "bundled", as_of).unwrap()).collect()
    }

    fn streamed(envs: &[EnvReport], missing: &[NotEvaluated], format: Format) -> String {
        let mut w = AllWriter::new(format, Vec::new());
        for env in envs {
            w.write(&Chunk::of(env, format).unwrap()).unwrap();
        }
        assert_eq!(w.written(), envs.len());
        String::from_utf8(w.finish(missing).unwrap()).unwrap()
    }

    fn whole(envs: &[EnvReport], missing: &[NotEvaluated], format: Format) -> String {
        let mut all = AllReport::new(envs.to_vec());
        all.not_evaluated = missing.to_vec();
        let mut out = Vec::new();
        render(&Report::All(all), format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// At depth 0 the layout is `serde_json`'s own; deeper, it is that layout with every line
    /// after the first indented two spaces a level (the old re-indentation, kept here as the
    /// reference), for empty and nested arrays and objects, strings holding line breaks and
    /// brackets, and the bundled environments' whole reports.
    #[test]
    fn nested_pretty_json_is_serde_json_pretty_indented() {
        fn indented(json: &[u8], indent: &[u8]) -> Vec<u8> {
            let mut out = Vec::new();
            for (i, line) in json.split(|&b| b == b'\n').enumerate() {
                if i > 0 {
                    out.push(b'\n');
                    out.extend_from_slice(indent);
                }
                out.extend_from_slice(line);
            }
            out
        }
        let values = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(1),
            serde_json::json!("a\nb [ ] { }"),
            serde_json::json!({"a": [], "b": {}, "c": [1, [2, []], {"d": {}}], "e": {"f": [{}], "g": null}}),
            serde_json::json!([[[]], [{}], {"x": [1, 2]}, "s"]),
        ];
        let envs = envs();
        let reports: Vec<serde_json::Value> = envs.iter().map(|e| serde_json::to_value(e).unwrap()).collect();
        for value in values.iter().chain(&reports) {
            let flat = serde_json::to_vec_pretty(value).unwrap();
            for depth in 0..4 {
                let nested = pretty_at(value, depth, 0).unwrap();
                let want = indented(&flat, &b"  ".repeat(depth));
                assert_eq!(String::from_utf8(nested).unwrap(), String::from_utf8(want).unwrap(), "depth {depth}");
            }
        }
        // a report's price sources are raw fragments written once at depth 0: at any depth they
        // are laid out as the same values written in place
        assert!(envs[0].options.iter().any(|o| !o.lines.is_empty()));
        for depth in [0, 3, 40] {
            assert_eq!(
                String::from_utf8(pretty_at(&envs[0], depth, 64).unwrap()).unwrap(),
                String::from_utf8(indented(&serde_json::to_vec_pretty(&reports[0]).unwrap(), &b"  ".repeat(depth)))
                    .unwrap()
            );
        }
    }

    /// Every line of an environment's report citing one source shares one written source
    /// (written once as JSON), and lines citing different sources do not.
    #[test]
    fn the_lines_citing_one_source_share_its_json_written_once() {
        let envs = envs();
        let lines: Vec<&crate::report::LineReport> = envs[0].options.iter().flat_map(|o| &o.lines).collect();
        assert!(lines.len() > 100, "{} lines", lines.len());
        for a in &lines {
            assert!(a.price_source.0.json.is_some(), "{} is written on every line", a.price_source.id());
            for b in &lines {
                let same = std::sync::Arc::ptr_eq(&a.price_source.0.source, &b.price_source.0.source);
                assert_eq!(std::sync::Arc::ptr_eq(&a.price_source.0, &b.price_source.0), same);
            }
        }
    }

    /// The streamed report is byte for byte the report built whole, in every format, with and
    /// without environments left out, and with none at all.
    #[test]
    fn streaming_writes_what_the_whole_report_renders() {
        let envs = envs();
        let missing = [NotEvaluated { env: "ghost".into(), reason: "no metrics".into() }];
        for format in [Format::Md, Format::Json, Format::Csv] {
            for (e, m) in [(&envs[..], &[][..]), (&envs[..], &missing[..]), (&[][..], &missing[..]), (&[][..], &[][..])]
            {
                let text = streamed(e, m, format);
                assert_eq!(text, whole(e, m, format), "{format:?}, {} envs, {} missing", e.len(), m.len());
                if format == Format::Json {
                    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(value["envs"].as_array().unwrap().len(), e.len());
                    assert_eq!(value["not_evaluated"].as_array().unwrap().len(), m.len());
                    assert_eq!(value["schema_version"], SCHEMA_VERSION);
                }
            }
        }
    }

    #[test]
    fn a_failing_output_is_an_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let envs = envs();
        let mut w = AllWriter::new(Format::Json, Full);
        let err = w.write(&Chunk::of(&envs[0], Format::Json).unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    }
}
