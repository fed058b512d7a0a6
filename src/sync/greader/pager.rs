//! Bounds on a paged listing: a server that pages forever is stopped, with bounded time and
//! memory.

use std::collections::HashSet;

use super::SyncError;

/// Ids one listing (a stream's ids, or a pull's items) may hold: far more than any account
/// keeps, and few enough that a server paging forever is stopped with bounded memory (a million
/// ids, with the set that finds repeats, take about 45 MB).
pub const MAX_LISTED: usize = 1_000_000;
/// Pages of one listing before the client gives up on a server that never stops.
pub const MAX_PAGES: usize = 2_000;
/// The longest continuation token kept (real ones are a number or a short opaque token).
const MAX_CONTINUATION: usize = 1024;

/// Guards one paged listing (a stream's ids, or a pull's items) against a server that never
/// stops: a continuation seen before or too long to be real, a page that adds nothing new while
/// saying more follows, more than [`MAX_LISTED`] ids or more than [`MAX_PAGES`] pages each end
/// it with [`SyncError::Runaway`], so the time and memory a listing takes are bounded.
#[derive(Debug)]
pub struct Pager {
    endpoint: String,
    ids: HashSet<i64>,
    continuations: HashSet<String>,
    pages: usize,
}

/// What a page brought: the ids new to the listing, in the page's order, and the continuation
/// to ask for next (`None`: the listing is complete).
#[derive(Debug, Default)]
pub struct Paged {
    pub new: Vec<i64>,
    pub next: Option<String>,
}

impl Pager {
    /// A listing from `endpoint` (named in the error).
    pub fn new(endpoint: impl Into<String>) -> Pager {
        Pager {
            endpoint: endpoint.into(),
            ids: HashSet::new(),
            continuations: HashSet::new(),
            pages: 0,
        }
    }

    /// Takes one page's ids and continuation.
    pub fn page(
        &mut self,
        ids: impl IntoIterator<Item = i64>,
        continuation: Option<String>,
    ) -> Result<Paged, SyncError> {
        self.pages += 1;
        let mut new = Vec::new();
        for id in ids {
            if self.ids.insert(id) {
                new.push(id);
            }
            if self.ids.len() > MAX_LISTED {
                return Err(self.runaway(format!("more than {MAX_LISTED} items")));
            }
        }
        let Some(next) = continuation.filter(|c| !c.trim().is_empty()) else {
            return Ok(Paged { new, next: None });
        };
        if new.is_empty() {
            return Err(self.runaway("a page with nothing new, and a continuation".into()));
        }
        if next.len() > MAX_CONTINUATION {
            let why = format!("a continuation longer than {MAX_CONTINUATION} bytes");
            return Err(self.runaway(why));
        }
        if self.continuations.contains(&next) {
            return Err(self.runaway("a continuation it had sent before".into()));
        }
        if self.pages >= MAX_PAGES {
            return Err(self.runaway(format!("more than {MAX_PAGES} pages")));
        }
        self.continuations.insert(next.clone());
        Ok(Paged {
            new,
            next: Some(next),
        })
    }

    fn runaway(&self, reason: String) -> SyncError {
        SyncError::Runaway {
            endpoint: self.endpoint.clone(),
            reason,
            pages: self.pages,
        }
    }
}
