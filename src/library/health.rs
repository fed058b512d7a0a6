//! Paper health for the front ends: checking cited DOIs at Crossref (new ones after a refresh,
//! known ones again every `[papers] health_days`, spread over that period), and what is known
//! offline of each paper. A failed check writes nothing: the last answer stands, with its date,
//! and the next check asks again.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::library::{Library, Result};
use crate::model::EntryId;
use crate::net::Fetcher;
use crate::papers::health::{Notice, Status, WorkHealth};
use crate::papers::services::crossref;
use crate::store::HealthRow;

/// DOIs one routine check (after a refresh) asks about at most: 40 requests. What is left
/// stays due for the next one.
pub const ROUTINE_LIMIT: usize = 2_000;

/// Which papers a check asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckScope {
    /// Papers never checked, and papers due again (after a refresh; bounded).
    Routine,
    /// Every cited paper (`papers --check`).
    All,
}

/// What is known offline of a paper's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperHealth {
    pub status: Status,
    pub notices: Vec<Notice>,
    /// When Crossref gave this answer; `None`: never checked.
    pub checked: Option<DateTime<Utc>>,
}

impl PaperHealth {
    pub fn unchecked() -> PaperHealth {
        PaperHealth {
            status: Status::Unknown,
            notices: Vec::new(),
            checked: None,
        }
    }

    /// The line the reader and the CLI show (`RETRACTED 2010-02-06 (notice doi:…, Retraction
    /// Watch)`); `None` when there is nothing to say.
    pub fn line(&self) -> Option<String> {
        crate::papers::health::health_text(&WorkHealth {
            status: self.status,
            notices: self.notices.clone(),
        })
    }

    /// The `health` object of `papers --json` and `dois --json`.
    pub fn json(&self) -> HealthJson {
        HealthJson {
            status: self.status.as_str(),
            notices: (self.notices.iter())
                .map(|n| NoticeJson {
                    kind: n.kind.clone(),
                    date: n.date.clone(),
                    doi: n.doi.clone(),
                    source: n.source.clone(),
                    record_id: n.record_id.clone(),
                })
                .collect(),
            checked: self.checked.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HealthJson {
    pub status: &'static str,
    pub notices: Vec<NoticeJson>,
    /// RFC 3339; null when never checked.
    pub checked: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoticeJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub date: Option<String>,
    pub doi: Option<String>,
    pub source: Option<String>,
    pub record_id: Option<String>,
}

/// What a check did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthReport {
    /// DOIs answered (known or unknown to Crossref).
    pub checked: usize,
    /// DOIs whose batch failed (their last answer stands).
    pub failed: usize,
    /// The first error, one line.
    pub error: Option<String>,
    /// DOIs found retracted (withdrawn, removed) that were not before.
    pub newly_retracted: Vec<String>,
    /// How many of those are cited by posts the user has read.
    pub newly_retracted_read: usize,
}

/// What a front end says, once, after a check finds `n` papers newly retracted that posts the
/// user has read cite: `1 paper you read about was retracted: {to_see} to see` (`to_see`: the
/// key or command that lists them); `None` for none. Once: the next check finds them retracted
/// already ([`HealthReport::newly_retracted_read`]).
pub fn read_retracted_line(n: usize, to_see: &str) -> Option<String> {
    let verb = if n == 1 { "was" } else { "were" };
    (n > 0).then(|| {
        format!(
            "{} you read about {verb} retracted: {to_see} to see",
            crate::text::render::count(n, "paper", "papers")
        )
    })
}

/// When a DOI checked at `checked` is due again: at its own phase of the `days` period (a
/// stable hash of the DOI), at least a day later. Known papers thus come due evenly across the
/// period, whatever day they were first checked, and each is asked every `days` after its first
/// re-check.
pub fn due_after(doi_key: &str, checked: DateTime<Utc>, days: u64) -> DateTime<Utc> {
    const DAY: i64 = 86_400;
    let period = i64::try_from(days.max(1)).unwrap_or(365).min(3650) * DAY;
    let phase = i64::try_from(fnv1a(doi_key) % period.unsigned_abs()).unwrap_or(0);
    let earliest = checked.timestamp() + DAY.min(period / 2);
    let offset = (phase - earliest).rem_euclid(period);
    DateTime::from_timestamp(earliest + offset, 0).unwrap_or_default()
}

/// FNV-1a: a hash that stays the same across builds (the spread must not move on upgrade).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn row_health(row: &HealthRow) -> PaperHealth {
    PaperHealth {
        status: Status::parse(&row.status),
        // Written by this module; a row that does not read is no notice at all.
        notices: serde_json::from_str(&row.notices).unwrap_or_default(),
        checked: Some(row.checked),
    }
}

impl Library {
    /// The DOIs a check of `scope` asks about.
    pub fn health_targets(&self, scope: CheckScope) -> Result<Vec<String>> {
        let err = |e| self.store_err(e);
        match scope {
            CheckScope::All => self.store.health_all().map_err(err),
            CheckScope::Routine => {
                let mut dois = self.store.health_new(ROUTINE_LIMIT).map_err(err)?;
                let room = ROUTINE_LIMIT.saturating_sub(dois.len());
                dois.extend(self.store.health_due(Utc::now(), room).map_err(err)?);
                Ok(dois)
            }
        }
    }

    /// Checks `scope`'s papers at Crossref and stores each batch's answers as they arrive.
    pub fn check_health(&mut self, scope: CheckScope) -> Result<HealthReport> {
        let dois = self.health_targets(scope)?;
        self.check_dois(&dois)
    }

    /// The demo's embedded health (`demo::HEALTH_JSON`: real Crossref records), stored as
    /// answered when they were recorded and due as any answer given now: the demo shows them
    /// without asking Crossref. Embedded data that does not read stores nothing (a unit test
    /// reads it).
    pub(crate) fn load_demo_health(&mut self) -> Result<()> {
        let Ok(demo) = serde_json::from_slice::<serde_json::Value>(crate::demo::HEALTH_JSON) else {
            return Ok(());
        };
        let checked = (demo.get("checked").and_then(serde_json::Value::as_str))
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc));
        let works = demo.get("works").and_then(serde_json::Value::as_array);
        let now = Utc::now();
        let rows: Vec<HealthRow> = (works.into_iter().flatten())
            .filter_map(|w| {
                let key = crate::text::doi::key(w.get("DOI")?.as_str()?);
                let h = crate::papers::health::parse_work(w);
                Some(self.health_row(key, &h, checked, now))
            })
            .collect();
        self.store.put_health(&rows).map_err(|e| self.store_err(e))
    }

    /// The row storing `h` for `key`, answered at `checked`, due again after `now`.
    fn health_row(
        &self,
        key: String,
        h: &WorkHealth,
        checked: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> HealthRow {
        HealthRow {
            due: due_after(&key, now, self.config.papers.health_days),
            doi_key: key,
            status: h.status.as_str().to_string(),
            notices: serde_json::to_string(&h.notices).unwrap_or_else(|_| "[]".into()),
            checked,
        }
    }

    /// Checks `dois` (bare, lowercased) at Crossref.
    pub fn check_dois(&mut self, dois: &[String]) -> Result<HealthReport> {
        let mut report = HealthReport::default();
        if dois.is_empty() {
            return Ok(report);
        }
        let keys: Vec<&str> = dois.iter().map(String::as_str).collect();
        let before = self.store.health_of(&keys).map_err(|e| self.store_err(e))?;
        let fetcher = Fetcher::new(&crossref::fetch_config(&self.config.fetch))?;
        let base = self.crossref_api();
        let mailto = (self.config.doi.mailto.clone()).filter(|m| !m.trim().is_empty());
        let gap = self.crossref_gap();
        let list = dois.to_vec();
        let rt = self.runtime()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = rt.spawn(async move {
            let ask = crossref::Ask { base, mailto, gap };
            crossref::check(&fetcher, &ask, &list, &mut |doi, r| {
                let _ = tx.send((doi, r));
            })
            .await;
        });
        let mut rows = Vec::new();
        while let Some((doi, result)) = rx.blocking_recv() {
            match result {
                Ok(h) => {
                    let key = crate::text::doi::key(&doi);
                    let was = before.get(&key).map(|r| Status::parse(&r.status));
                    if h.status.is_retracted() && !was.is_some_and(Status::is_retracted) {
                        report.newly_retracted.push(key.clone());
                    }
                    let now = Utc::now();
                    rows.push(self.health_row(key, &h, now, now));
                    report.checked += 1;
                }
                Err(line) => {
                    report.failed += 1;
                    report.error.get_or_insert(line);
                }
            }
            if rows.len() >= crossref::BATCH {
                self.store
                    .put_health(&rows)
                    .map_err(|e| self.store_err(e))?;
                rows.clear();
            }
        }
        self.store
            .put_health(&rows)
            .map_err(|e| self.store_err(e))?;
        rt.block_on(task)
            .map_err(|e| crate::library::Error::Runtime(format!("health check failed: {e}")))?;
        report.newly_retracted_read = (self.store)
            .health_read_count(&report.newly_retracted)
            .map_err(|e| self.store_err(e))?;
        Ok(report)
    }

    /// Crossref's base URL: `PAPERBOY_CROSSREF_API` (tests point it at loopback), else
    /// `[papers] crossref_api`.
    fn crossref_api(&self) -> String {
        std::env::var("PAPERBOY_CROSSREF_API")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| self.config.papers.crossref_api.clone())
    }

    /// The gap between two requests of a Crossref lane: the polite one, none for a server on
    /// this machine (a test's).
    fn crossref_gap(&self) -> std::time::Duration {
        let loopback = url::Url::parse(self.crossref_api().trim())
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]");
        if loopback {
            std::time::Duration::ZERO
        } else {
            crossref::LANE_GAP
        }
    }

    /// What is known offline of the health of the paper known by `ids` (its keys): the most
    /// serious answer among its DOIs; unchecked when none has one.
    pub fn paper_health(&self, ids: &[String]) -> Result<PaperHealth> {
        let dois: Vec<&str> = ids.iter().filter_map(|k| k.strip_prefix("doi:")).collect();
        let rows = self.store.health_of(&dois).map_err(|e| self.store_err(e))?;
        Ok(best(rows.values().map(row_health)))
    }

    /// Health of several papers at once, by DOI key (bare, lowercased).
    pub fn health_by_doi(&self, dois: &[&str]) -> Result<HashMap<String, PaperHealth>> {
        let rows = self.store.health_of(dois).map_err(|e| self.store_err(e))?;
        Ok(rows.into_iter().map(|(k, r)| (k, row_health(&r))).collect())
    }

    /// Every paper with a notice, by DOI key.
    pub fn flagged_papers(&self) -> Result<HashMap<String, PaperHealth>> {
        let rows = self.store.health_flagged().map_err(|e| self.store_err(e))?;
        Ok(rows
            .into_iter()
            .map(|r| (r.doi_key.clone(), row_health(&r)))
            .collect())
    }

    /// The entries citing a retracted (withdrawn, removed) paper.
    pub fn entries_citing_retracted(&self) -> Result<HashSet<EntryId>> {
        (self.store.entries_citing_retracted()).map_err(|e| self.store_err(e))
    }
}

/// The most serious of several answers (a checked one over an unchecked one).
fn best(all: impl Iterator<Item = PaperHealth>) -> PaperHealth {
    all.min_by_key(|h| h.status)
        .unwrap_or_else(PaperHealth::unchecked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_spread_over_the_period_and_repeat_every_period() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).expect("time");
        let week = 7 * 86_400;
        // 20,000 papers all checked at once come due across the week, not on one day.
        let mut per_day = [0usize; 8];
        for i in 0..20_000 {
            let key = format!("10.{}/paper.{i}", 1000 + i % 37);
            let due = due_after(&key, t0, 7).timestamp() - t0.timestamp();
            assert!((86_400..=week + 86_400).contains(&due), "{key}: {due}");
            per_day[usize::try_from((due - 86_400) / 86_400).expect("day")] += 1;
        }
        for (day, n) in per_day.iter().take(7).enumerate() {
            assert!((2_300..=3_400).contains(n), "day {day}: {n} of 20000");
        }
        // Once re-checked on its day, a paper comes due exactly a period later.
        let key = "10.1016/s0140-6736(97)11096-0";
        let first = due_after(key, t0, 7);
        assert_eq!(
            due_after(key, first, 7).timestamp() - first.timestamp(),
            week
        );
    }
}
