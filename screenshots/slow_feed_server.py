#!/usr/bin/env python3
"""A local feed server for the "refresh in progress" screenshot. Standard library only.

Serves the demo feed documents of `src/demo/` under `/feeds/N.xml` / `/feeds/N.json`, each with
its own (invented) channel title, on 127.0.0.1. While the file given by `--slow-flag` exists,
every answer is delayed (feed N by `--delay + N * --step` seconds, so the feeds finish one by
one); without it the server answers at once (for `paperboy add`).

Usage: slow_feed_server.py DEMO_DIR PORT_FILE --slow-flag FILE [--delay 1.5] [--step 0.45]
Writes the port it listens on to PORT_FILE, then serves until killed.
"""

import argparse
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (document, channel title) by feed number. Every title is invented, like the demo's.
FEEDS = {
    1: ("socialwork.xml", "Connected Recovery"),
    2: ("toc.xml", "Journal of Demonstration Studies: Table of Contents"),
    3: ("preprints.json", "Demo Preprints: Social and Behavioural Sciences"),
    4: ("socialwork.xml", "Demo Lab Notes: Network Methods"),
    5: ("toc.xml", "Demo Review of Community Psychiatry"),
    6: ("preprints.json", "Demo Preprints: Public Health"),
    7: ("socialwork.xml", "Demo Replication Diary"),
    8: ("toc.xml", "Demo Quarterly of Social Care"),
}


def document(demo_dir, n):
    name, title = FEEDS[n]
    with open(os.path.join(demo_dir, name), "rb") as f:
        raw = f.read().decode("utf-8")
    if name.endswith(".json"):
        doc = json.loads(raw)
        doc["title"] = title
        return json.dumps(doc, ensure_ascii=False).encode("utf-8"), "application/feed+json"
    # The channel's title is the document's first <title>.
    raw = re.sub(r"<title>.*?</title>", "<title>%s</title>" % title, raw, count=1, flags=re.S)
    return raw.encode("utf-8"), "application/rss+xml; charset=utf-8"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("demo_dir")
    ap.add_argument("port_file")
    ap.add_argument("--slow-flag", required=True)
    ap.add_argument("--delay", type=float, default=1.5)
    ap.add_argument("--step", type=float, default=0.45)
    a = ap.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            m = re.fullmatch(r"/feeds/(\d+)\.(xml|json)", self.path.split("?")[0])
            n = int(m.group(1)) if m else 0
            if n not in FEEDS:
                body = b"not found\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if os.path.exists(a.slow_flag):
                time.sleep(a.delay + n * a.step)
            body, ctype = document(a.demo_dir, n)
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, a.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
