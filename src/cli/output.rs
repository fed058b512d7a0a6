//! Shared printing: tables for people, JSON for scripts, and argument checks.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use paperboy::text::scrub::scrub_line;

pub(super) fn terminal_width() -> usize {
    crossterm::terminal::size()
        .ok()
        .filter(|_| std::io::stdout().is_terminal())
        .map(|(w, _)| w as usize)
        .unwrap_or(80)
}

pub(super) fn check_month(m: &str) -> Result<()> {
    let ok = m.len() == 7
        && m.as_bytes()[4] == b'-'
        && chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").is_ok();
    if !ok {
        bail!(
            "`{}` is not a month: write it as YYYY-MM, e.g. 2014-12",
            scrub_line(m)
        );
    }
    Ok(())
}

pub(super) fn print_json<T: serde::Serialize + ?Sized>(rows: &T) -> Result<()> {
    // Buffered: stdout is line-buffered, and pretty JSON is many lines (a write each).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, rows)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A listing: every field as JSON, or the `cells` of each row as a table under `header`.
pub(super) fn print_listing<T: serde::Serialize>(
    rows: &[T],
    json: bool,
    header: &[&str],
    cells: impl Fn(&T) -> Vec<String>,
) -> Result<ExitCode> {
    if json {
        print_json(rows)?;
    } else {
        let table: Vec<Vec<String>> = rows.iter().map(cells).collect();
        print_table(header, &table)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints rows as left-aligned columns; the last column is not padded.
pub(super) fn print_table(header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    use paperboy::text::width::width;
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut line = |cells: &[String]| -> std::io::Result<()> {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i < last {
                s.push_str(&" ".repeat(widths[i] - width(c) + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    // The header is for people; scripts reading a pipe get rows only (`paperboy months | head -1`).
    if std::io::stdout().is_terminal() {
        line(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    }
    for r in rows {
        line(r)?;
    }
    out.flush()?;
    Ok(())
}

pub(super) fn fmt_time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_string())
}

pub(super) fn ensure_newline(mut s: String) -> String {
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}
