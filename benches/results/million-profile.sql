-- first frame / CLI months: months(None)
SELECT month, COUNT(*), TOTAL(read = 0) FROM entries GROUP BY month ORDER BY month DESC;
SELECT month, COUNT(DISTINCT paper_key) FROM entry_papers GROUP BY month;
SELECT p.month, COUNT(DISTINCT p.paper_key), COUNT(DISTINCT CASE WHEN NOT EXISTS (SELECT 1 FROM entry_papers q WHERE q.month = p.month AND q.paper_key = a.paper_key) THEN a.paper_key END) FROM paper_aliases a CROSS JOIN entry_papers p ON p.paper_key = a.alias_key GROUP BY p.month;
-- first frame / CLI feeds: feeds()
SELECT f.id, f.url, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), f.site_url, f.etag, f.last_modified, f.last_fetched, f.last_status, f.last_error, f.gone, (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id), (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id AND e.read = 0), f.folder, NULLIF(f.user_title, ''), f.remote_id, f.warning FROM feeds f ORDER BY COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url) COLLATE NOCASE, f.id;
-- first frame: starred count
SELECT COUNT(*) FROM (SELECT 1 FROM entries e WHERE e.starred = 1 LIMIT -1);
-- first frame: newest month page and count
SELECT e.id, e.feed_id, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), e.title, e.link, e.published, e.month, e.read, e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d WHERE d.entry_id = e.id), e.starred FROM entries e CROSS JOIN feeds f ON f.id = e.feed_id WHERE e.month = '2025-12' ORDER BY e.sort_time DESC, e.id DESC LIMIT 200 OFFSET 0;
SELECT COUNT(*) FROM (SELECT 1 FROM entries e WHERE e.month = '2025-12' LIMIT -1);
-- dois --month 2024-08
SELECT d.doi, e.id, e.title, d.source FROM entries e JOIN entry_dois d ON d.entry_id = e.id WHERE e.month = '2024-08' ORDER BY e.sort_time DESC, e.id DESC, d.pos;
-- search "recovery capital": first page (200) and capped count (1000)
SELECT e.id, e.feed_id, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), e.title, e.link, e.published, e.month, e.read, e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d WHERE d.entry_id = e.id), e.starred FROM entries_fts s CROSS JOIN entries e ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215) CROSS JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH '"recovery" "capital"*' ORDER BY s.rowid DESC LIMIT 200 OFFSET 0;
SELECT COUNT(*) FROM (SELECT 1 FROM entries_fts s CROSS JOIN entries e ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215) WHERE entries_fts MATCH '"recovery" "capital"*' LIMIT 1000);
-- list --search recovery --limit 50
SELECT e.id, e.feed_id, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), e.title, e.link, e.published, e.month, e.read, e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d WHERE d.entry_id = e.id), e.starred FROM entries_fts s CROSS JOIN entries e ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215) CROSS JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH '"recovery"*' ORDER BY s.rowid DESC LIMIT 50 OFFSET 0;
-- the same search without the prefix on its last word (no prefix doclist to merge)
SELECT e.id, e.feed_id, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), e.title, e.link, e.published, e.month, e.read, e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d WHERE d.entry_id = e.id), e.starred FROM entries_fts s CROSS JOIN entries e ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215) CROSS JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH '"recovery" "capital"' ORDER BY s.rowid DESC LIMIT 200 OFFSET 0;
-- list --search recovery without the prefix
SELECT e.id, e.feed_id, COALESCE(NULLIF(f.user_title, ''), NULLIF(f.title, ''), f.url), e.title, e.link, e.published, e.month, e.read, e.updated, (SELECT group_concat(d.doi, char(10) ORDER BY d.pos) FROM entry_dois d WHERE d.entry_id = e.id), e.starred FROM entries_fts s CROSS JOIN entries e ON e.sort_time = (s.rowid >> 24) AND (e.id & 16777215) = (s.rowid & 16777215) CROSS JOIN feeds f ON f.id = e.feed_id WHERE entries_fts MATCH '"recovery"' ORDER BY s.rowid DESC LIMIT 50 OFFSET 0;
-- the Unread row (passed over on the way to a folder): its months' counts
SELECT e.month, COUNT(*), TOTAL(e.read = 0) FROM entries e WHERE e.read = 0 GROUP BY +e.month ORDER BY +e.month DESC;
-- the Unread row: its months' papers
SELECT p.month, COUNT(DISTINCT COALESCE(a.paper_key, p.paper_key)) FROM entry_papers p LEFT JOIN paper_aliases a ON a.alias_key = p.paper_key WHERE p.entry_id IN (SELECT e.id FROM entries e WHERE e.read = 0) GROUP BY p.month;
-- dois --month without the entries' titles (how much the wide entries rows cost)
SELECT d.doi, e.id, d.source FROM entries e JOIN entry_dois d ON d.entry_id = e.id WHERE e.month = '2024-08' ORDER BY e.sort_time DESC, e.id DESC, d.pos;
