//! JSON rendering: one environment → its object; all → `{ schema_version, totals, envs }`.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;

/// Write the report to `out` as pretty JSON with a trailing newline (amounts are exact decimals,
/// never rounded). A report that cannot be serialized is an error (`InvalidData`, saying so),
/// and nothing is written.
pub fn write(report: &Report, out: &mut impl std::io::Write) -> std::io::Result<()> {
    match report {
        Report::One(env) => write_value(env.as_ref(), out),
        Report::All(all) => write_value(all, out),
    }
}

fn write_value<T: Serialize>(value: &T, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut bytes = pretty_at(value, 0, 0)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}

/// `value` as pretty JSON nested `depth` levels deep (each line after the first indented by
/// `depth` more steps, as `serde_json::to_vec_pretty` would write it inside the whole
/// document), or `InvalidData` saying why not.
pub fn pretty_at<T: Serialize>(value: &T, depth: usize, capacity: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(capacity);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, NestedPretty { depth, has_value: false });
    value
        .serialize(&mut ser)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("cannot write the report as JSON: {e}")))?;
    Ok(out)
}

/// `serde_json`'s pretty layout (two spaces a level) starting `depth` levels deep: the
/// environment is written in place instead of written and then re-indented line by line.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8] = b"                                                                ";
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// A value written once as pretty JSON at depth 0 (a price source many lines cite): each
    /// of its lines after the first indented to where it sits, as if written here.
    fn write_raw_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut lines = fragment.split('\n');
        if let Some(first) = lines.next() {
            w.write_all(first.as_bytes())?;
        }
        for line in lines {
            w.write_all(b"\n")?;
            self.indent(w)?;
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::write_value;
    use std::collections::BTreeMap;

    #[test]
    fn issue_13_a_value_that_cannot_be_serialized_is_an_error_and_nothing_is_written() {
        // JSON object keys must be strings: a tuple key is what serde_json refuses
        let value = BTreeMap::from([((1u8, 2u8), 3u8)]);
        let mut out = Vec::new();
        let err = write_value(&value, &mut out).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert!(err.to_string().starts_with("cannot write the report as JSON: key must be a string"), "{err}");
        assert!(out.is_empty());
        write_value(&BTreeMap::from([("a", 1)]), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"a\": 1\n}\n");
    }
}
