#!/usr/bin/env python3
"""The cold refresh at scale (issue 20): what feedbench's `compare` does not report.

For each binary given (two builds side by side in one sitting: before and after), and each rep:
`import` feedbench's generated feeds into an empty data directory, then time `refresh` as a whole
process under /usr/bin/time -v (Debian package `time`), and report medians of

  wall, user, sys   seconds, and sys as a share of wall (issue 20: at most 20%)
  peak RSS          MiB (the refresh process alone, not this interpreter)
  cache             MiB on disk after the process exits (every file in the data directory:
                    the database, its WAL and shared-memory file), against the feed XML's size
  floor             curl fetching every feed, 16 at a time, gzip (feedbench's floor)

The feeds are feedbench's own (`gen`, fixed seed), served from 127.0.0.1 by its server; generate
them once with the port they are served on, e.g. 1,000,000 entries (2 GB of XML):

  python3 ../shared/bench/feedbench.py gen /tmp/x1m 2000 500 --port 27432
  benches/refresh_scale.py --feeds-dir /tmp/x1m --port 27432 --reps 1 \\
      before=/tmp/paperboy-main after=target/release/paperboy

or let this script generate them (--feeds N --items M) into a temporary directory.
Binaries alternate within each rep, so a noisy moment hits both.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from feedbench_loader import load_feedbench

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def tree_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    return total


def time_v(cmd):
    """Runs cmd under GNU time -v: (wall s, user s, sys s, peak RSS MiB, exit code)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", out.name] + cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        text = out.read()
    if p.returncode != 0:
        sys.stderr.write(f"  ! {' '.join(cmd[:4])}... exited {p.returncode}: "
                         f"{p.stderr.decode(errors='replace')[-300:]}\n")

    def field(name):
        m = re.search(re.escape(name) + r":\s*([0-9.]+)", text)
        return float(m.group(1)) if m else float("nan")
    return (wall, field("User time (seconds)"), field("System time (seconds)"),
            field("Maximum resident set size (kbytes)") / 1024, p.returncode)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binaries", nargs="+", help="LABEL=PATH or PATH")
    ap.add_argument("--feeds-dir", help="feedbench gen's output (feeds/, feeds.opml)")
    ap.add_argument("--port", type=int, help="the port the feeds were generated for")
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=500)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-floor", action="store_true", help="skip the curl floor")
    ap.add_argument("--feedbench", default=os.path.join(REPO, "..", "shared", "bench", "feedbench.py"))
    ap.add_argument("--work", help="where the data directories go (default: a temporary directory)")
    a = ap.parse_args()
    fb = load_feedbench(a.feedbench)
    work = a.work or tempfile.mkdtemp(prefix="refresh-scale-")
    os.makedirs(work, exist_ok=True)
    if a.feeds_dir:
        src = a.feeds_dir
        if a.port is None:
            sys.exit("--feeds-dir needs --port (the one given to feedbench gen)")
        srv = fb.start_server(os.path.join(src, "feeds"), a.port)
    else:
        src = os.path.join(work, "src")
        srv = fb.start_server(os.path.join(src, "feeds"))
        fb.gen(src, a.feeds, a.items, srv.server_address[1])
    xml = tree_bytes(os.path.join(src, "feeds"))
    bins = [b.split("=", 1) if "=" in b else [os.path.basename(b), b] for b in a.binaries]
    curl = shutil.which("curl")
    rows = {}
    for rep in range(a.reps):
        if curl and not a.no_floor:
            with open(os.path.join(src, "urls")) as fh:
                cfg = "".join(f'url = "{u.strip()}"\noutput = "/dev/null"\n' for u in fh if u.strip())
            cfg_path = os.path.join(work, "curl.cfg")
            with open(cfg_path, "w") as fh:
                fh.write(cfg)
            t0 = time.perf_counter()
            subprocess.run([curl, "--parallel", "--parallel-max", "16", "--compressed", "-s", "-K", cfg_path],
                           check=False, stdout=subprocess.DEVNULL)
            rows.setdefault("floor", []).append(time.perf_counter() - t0)
        for label, path in bins:
            d = os.path.join(work, f"{label}-{rep}")
            shutil.rmtree(d, ignore_errors=True)
            subprocess.run([path, "--data-dir", d, "import", os.path.join(src, "feeds.opml")], check=True,
                           stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            wall, user, sys_, rss, code = time_v([path, "--data-dir", d, "refresh"])
            size = tree_bytes(d)
            r = (wall, user, sys_, rss, size / 2**20, code)
            print(f"rep {rep} {label}: wall {wall:.1f} s, user {user:.1f} s, sys {sys_:.1f} s, "
                  f"peak {rss:.1f} MiB, cache {size / 2**20:.0f} MiB, exit {code}", flush=True)
            rows.setdefault(label, []).append(r)
            shutil.rmtree(d, ignore_errors=True)
    srv.shutdown()
    print(f"\nfeeds from {src}: feed XML {xml / 2**20:.0f} MiB; medians of {a.reps} reps")
    print(f"{'binary':12s} {'wall s':>8s} {'user s':>8s} {'sys s':>8s} {'sys/wall':>9s} {'peak MiB':>9s} "
          f"{'cache MiB':>10s} {'cache/XML':>10s}")
    for label, _ in bins:
        r = rows[label]
        med = [statistics.median(x[i] for x in r) for i in range(5)]
        print(f"{label:12s} {med[0]:8.1f} {med[1]:8.1f} {med[2]:8.1f} {med[2] / med[0]:9.0%} {med[3]:9.1f} "
              f"{med[4]:10.0f} {med[4] * 2**20 / xml:10.2f}")
    if "floor" in rows:
        print(f"floor (curl) {statistics.median(rows['floor']):8.1f} s")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
