#!/usr/bin/env python3
"""Turns hyperfine --export-json files into the benchmarks' result tables (stdlib only).

    report.py machine
        The machine and tools the numbers were taken on, as markdown lines.
    report.py compare --title T --subject NAME --peer NAME [--peer NAME] --max-ratio R JSON...
        Start-up/latency: times of every command, then subject/peer time ratios, each
        PASS when the ratio is <= R (lower is better).
    report.py throughput --title T --bytes N --subject NAME [--peer NAME --min-ratio R]
                         [--min-rate BYTES_PER_S] JSON...
        Bytes per second of every command (N / median time), then the subject/peer
        throughput ratio (PASS when >= R) or the subject's rate (PASS when >= the rate).
    report.py ops --title T --ops NAME=COUNT... --subject NAME [--peer NAME --min-ratio R]
                  [--min-rate OPS_PER_S] [--unit WORD] JSON...
        Operations per second when commands do different numbers of operations per run
        (COUNT for each command name): time per operation, rate, and each command's time
        extrapolated to the subject's COUNT; then the per-operation speed ratio
        peer/subject (PASS when >= R) and/or the subject's rate (PASS when >= the rate).
    report.py limits --title T [--max-time NAME=SECONDS]... [--rss NAME=KB --max-rss NAME=MB]... [JSON...]
        Absolute targets: each command's median time (PASS when <= SECONDS), and peak
        resident memory measured by the caller with GNU time (PASS when <= MB).
    report.py table RESULTS
        The combined markdown table of all results appended to RESULTS.

A command may have been measured by several hyperfine runs (rounds in alternating order,
so slow drift in background load hits every command alike): all its times are pooled by
command name. Ratios use medians, which a few runs disturbed by other processes barely
move; the 95% interval comes from resampling the runs (bootstrap, fixed seed). A result
whose interval reaches past the target is marked "(marginal)". The ratio of the minimums
(fastest run of each) is shown beside it: on a busy machine it is often the steadier number,
but the verdict is taken on the medians.

compare and throughput append one JSON line per result to $BENCH_RESULTS when it is set.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys

BOOTSTRAP_ROUNDS = 2000


def load_times(paths):
    """{command name: [seconds, ...]} pooled over all the hyperfine exports."""
    times = {}
    for path in paths:
        with open(path) as f:
            for result in json.load(f)["results"]:
                times.setdefault(result["command"], []).extend(result["times"])
    return times


def fmt_time(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"
    raise AssertionError


def fmt_rate(bytes_per_s):
    if bytes_per_s >= 1e9:
        return f"{bytes_per_s / 1e9:.2f} GB/s"
    return f"{bytes_per_s / 1e6:.1f} MB/s"


def spread(samples):
    mean = statistics.fmean(samples)
    sd = statistics.stdev(samples) if len(samples) > 1 else 0.0
    return f"{fmt_time(mean)} ± {fmt_time(sd)}"


def ratio_interval(numerator, denominator):
    """95% bootstrap interval of median(numerator) / median(denominator)."""
    rng = random.Random(1)
    ratios = sorted(
        statistics.median(rng.choices(numerator, k=len(numerator)))
        / statistics.median(rng.choices(denominator, k=len(denominator)))
        for _ in range(BOOTSTRAP_ROUNDS)
    )
    return ratios[int(0.025 * BOOTSTRAP_ROUNDS)], ratios[int(0.975 * BOOTSTRAP_ROUNDS) - 1]


def verdict(passed, marginal):
    return ("PASS" if passed else "FAIL") + (" (marginal)" if marginal else "")


def print_table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    for row in [header] + rows:
        print("  " + "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def record(result):
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(result) + "\n")


def need(times, names):
    missing = [name for name in names if name not in times]
    if missing:
        sys.exit(f"report.py: no times for {missing}; have {sorted(times)}")


def compare(args):
    times = load_times(args.json)
    need(times, [args.subject] + args.peer)
    print(f"### {args.title}")
    print_table(
        ["command", "median", "mean ± σ", "min", "runs"],
        [[name, fmt_time(statistics.median(t)), spread(t), fmt_time(min(t)), len(t)]
         for name, t in times.items()],
    )
    subject = times[args.subject]
    rows = []
    for peer in args.peer:
        ratio = statistics.median(subject) / statistics.median(times[peer])
        low, high = ratio_interval(subject, times[peer])
        passed = ratio <= args.max_ratio
        marginal = (high > args.max_ratio) if passed else (low <= args.max_ratio)
        min_ratio = min(subject) / min(times[peer])
        rows.append([f"{args.subject} / {peer}", f"{ratio:.2f}", f"[{low:.2f}, {high:.2f}]", f"{min_ratio:.2f}",
                     f"≤ {args.max_ratio:g}", verdict(passed, marginal)])
        record({
            "title": args.title, "subject": args.subject, "subject_value": fmt_time(statistics.median(subject)),
            "peer": peer, "peer_value": fmt_time(statistics.median(times[peer])),
            "ratio": f"{ratio:.2f}", "interval": f"{low:.2f}–{high:.2f}", "min_ratio": f"{min_ratio:.2f}",
            "target": f"≤ {args.max_ratio:g}",
            "verdict": verdict(passed, marginal),
        })
    print()
    print_table(["time ratio (medians)", "ratio", "95% interval", "ratio of minimums", "target", "result"], rows)


def throughput(args):
    times = load_times(args.json)
    need(times, [args.subject] + ([args.peer] if args.peer else []))
    print(f"### {args.title}")
    print_table(
        ["command", "throughput", "median", "mean ± σ", "min", "runs"],
        [[name, fmt_rate(args.bytes / statistics.median(t)), fmt_time(statistics.median(t)), spread(t),
          fmt_time(min(t)), len(t)] for name, t in times.items()],
    )
    subject = times[args.subject]
    rate = args.bytes / statistics.median(subject)
    print()
    if args.peer:
        peer = times[args.peer]
        ratio = statistics.median(peer) / statistics.median(subject)
        # Throughput ratio = inverse time ratio.
        inv_low, inv_high = ratio_interval(subject, peer)
        low, high = 1 / inv_high, 1 / inv_low
        min_ratio = min(peer) / min(subject)
        passed = ratio >= args.min_ratio
        marginal = (low < args.min_ratio) if passed else (high >= args.min_ratio)
        print_table(
            ["throughput ratio (medians)", "ratio", "95% interval", "ratio of minimums", "target", "result"],
            [[f"{args.subject} / {args.peer}", f"{ratio:.2f}×", f"[{low:.2f}, {high:.2f}]", f"{min_ratio:.2f}×",
              f"≥ {args.min_ratio:g}×", verdict(passed, marginal)]],
        )
        record({
            "title": args.title, "subject": args.subject, "subject_value": fmt_rate(rate),
            "peer": args.peer, "peer_value": fmt_rate(args.bytes / statistics.median(peer)),
            "ratio": f"{ratio:.2f}×", "interval": f"{low:.2f}–{high:.2f}", "min_ratio": f"{min_ratio:.2f}×",
            "target": f"≥ {args.min_ratio:g}×",
            "verdict": verdict(passed, marginal),
        })
    else:
        # 95% interval of the rate from resampled medians.
        rng = random.Random(1)
        rates = sorted(args.bytes / statistics.median(rng.choices(subject, k=len(subject)))
                       for _ in range(BOOTSTRAP_ROUNDS))
        low, high = rates[int(0.025 * BOOTSTRAP_ROUNDS)], rates[int(0.975 * BOOTSTRAP_ROUNDS) - 1]
        passed = rate >= args.min_rate
        marginal = (low < args.min_rate) if passed else (high >= args.min_rate)
        print_table(
            ["throughput (median)", "rate", "95% interval", "rate at minimum", "target", "result"],
            [[args.subject, fmt_rate(rate), f"[{fmt_rate(low)}, {fmt_rate(high)}]",
              fmt_rate(args.bytes / min(subject)), f"≥ {fmt_rate(args.min_rate)}", verdict(passed, marginal)]],
        )
        record({
            "title": args.title, "subject": args.subject, "subject_value": fmt_rate(rate),
            "peer": "—", "peer_value": "—", "ratio": "—", "interval": f"{fmt_rate(low)}–{fmt_rate(high)}",
            "min_ratio": f"({fmt_rate(args.bytes / min(subject))})",
            "target": f"≥ {fmt_rate(args.min_rate)}", "verdict": verdict(passed, marginal),
        })


def fmt_ops(ops_per_s, unit):
    if ops_per_s >= 1e6:
        return f"{ops_per_s / 1e6:.2f} M {unit}/s"
    return f"{ops_per_s / 1e3:.1f} k {unit}/s"


def ops(args):
    counts = {}
    for spec in args.ops:
        name, sep, count = spec.rpartition("=")
        if not sep or not name:
            sys.exit(f"report.py: --ops wants NAME=COUNT, got {spec!r}")
        counts[name] = int(float(count))
    times = load_times(args.json)
    need(times, list(counts) + [args.subject] + ([args.peer] if args.peer else []))
    missing = sorted(set(times) - set(counts))
    if missing:
        sys.exit(f"report.py: no --ops count for {missing}")
    unit, scale = args.unit, counts[args.subject]
    print(f"### {args.title}")
    print_table(
        ["command", f"{unit}/run", "median", "mean ± σ", "min", "runs", f"per {unit.rstrip('s')}", "rate",
         f"{scale:,} {unit} at median", "at mean"],
        [[name, f"{counts[name]:,}", fmt_time(statistics.median(t)), spread(t), fmt_time(min(t)), len(t),
          fmt_time(statistics.median(t) / counts[name]), fmt_ops(counts[name] / statistics.median(t), unit),
          fmt_time(statistics.median(t) / counts[name] * scale), fmt_time(statistics.fmean(t) / counts[name] * scale)]
         for name, t in times.items()],
    )
    subject, n_subject = times[args.subject], counts[args.subject]
    subject_value = f"{fmt_time(statistics.median(subject))} for {n_subject:,}"
    if args.peer:
        peer, n_peer = times[args.peer], counts[args.peer]
        # Speed ratio per operation = (peer time per op) / (subject time per op).
        k = n_subject / n_peer
        ratio = k * statistics.median(peer) / statistics.median(subject)
        inv_low, inv_high = ratio_interval(subject, peer)
        low, high = k / inv_high, k / inv_low
        min_ratio = k * min(peer) / min(subject)
        mean_ratio = k * statistics.fmean(peer) / statistics.fmean(subject)
        passed = ratio >= args.min_ratio
        marginal = (low < args.min_ratio) if passed else (high >= args.min_ratio)
        print()
        print_table(
            [f"speed ratio per {unit.rstrip('s')} (medians)", "ratio", "95% interval", "ratio of minimums",
             "ratio of means", "target", "result"],
            [[f"{args.subject} / {args.peer}", f"{ratio:.0f}×", f"[{low:.0f}, {high:.0f}]", f"{min_ratio:.0f}×",
              f"{mean_ratio:.0f}×", f"≥ {args.min_ratio:g}×", verdict(passed, marginal)]],
        )
        record({
            "title": args.title, "subject": args.subject, "subject_value": subject_value,
            "peer": args.peer,
            "peer_value": f"{fmt_time(statistics.median(peer) / n_peer * n_subject)} "
                          f"({fmt_time(statistics.median(peer) / n_peer)} × {n_subject:,}, extrapolated)",
            "ratio": f"{ratio:.0f}×", "interval": f"{low:.0f}–{high:.0f}", "min_ratio": f"{min_ratio:.0f}×",
            "target": f"≥ {args.min_ratio:g}×", "verdict": verdict(passed, marginal),
        })
    if args.min_rate is not None:
        rate = n_subject / statistics.median(subject)
        rng = random.Random(1)
        rates = sorted(n_subject / statistics.median(rng.choices(subject, k=len(subject)))
                       for _ in range(BOOTSTRAP_ROUNDS))
        low, high = rates[int(0.025 * BOOTSTRAP_ROUNDS)], rates[int(0.975 * BOOTSTRAP_ROUNDS) - 1]
        passed = rate >= args.min_rate
        marginal = (low < args.min_rate) if passed else (high >= args.min_rate)
        print()
        print_table(
            ["rate (median)", "rate", "95% interval", "rate at minimum", "target", "result"],
            [[args.subject, fmt_ops(rate, unit), f"[{fmt_ops(low, unit)}, {fmt_ops(high, unit)}]",
              fmt_ops(n_subject / min(subject), unit), f"≥ {fmt_ops(args.min_rate, unit)}", verdict(passed, marginal)]],
        )
        record({
            "title": f"{args.title}, rate", "subject": args.subject, "subject_value": fmt_ops(rate, unit),
            "peer": "—", "peer_value": "—", "ratio": "—",
            "interval": f"{fmt_ops(low, unit)}–{fmt_ops(high, unit)}",
            "min_ratio": f"({fmt_ops(n_subject / min(subject), unit)})",
            "target": f"≥ {fmt_ops(args.min_rate, unit)}", "verdict": verdict(passed, marginal),
        })


def pairs(items, convert):
    result = {}
    for item in items or []:
        name, _, value = item.rpartition("=")
        result[name] = convert(value)
    return result


def limits(args):
    times = load_times(args.json) if args.json else {}
    max_times = pairs(args.max_time, float)
    rss = pairs(args.rss, int)
    max_rss = pairs(args.max_rss, float)
    need(times, list(max_times))
    print(f"### {args.title}")
    rows = []
    for name, limit in max_times.items():
        median = statistics.median(times[name])
        passed = median <= limit
        marginal = (max(times[name]) > limit) if passed else (min(times[name]) <= limit)
        rows.append([name, "time", fmt_time(median), f"≤ {fmt_time(limit)}", verdict(passed, marginal)])
        record({"title": f"{args.title}: {name}", "subject_value": fmt_time(median), "peer": "—", "peer_value": "—",
                "ratio": "—", "interval": f"{fmt_time(min(times[name]))}–{fmt_time(max(times[name]))}", "min_ratio": "—",
                "target": f"≤ {fmt_time(limit)}", "verdict": verdict(passed, marginal)})
    for name, limit in max_rss.items():
        megabytes = rss[name] * 1024 / 1e6
        passed = megabytes <= limit
        rows.append([name, "peak RSS", f"{megabytes:.0f} MB", f"≤ {limit:g} MB", verdict(passed, False)])
        record({"title": f"{args.title}: {name}, peak RSS", "subject_value": f"{megabytes:.0f} MB", "peer": "—",
                "peer_value": "—", "ratio": "—", "interval": "—", "min_ratio": "—", "target": f"≤ {limit:g} MB",
                "verdict": verdict(passed, False)})
    print_table(["command", "measure", "value", "target", "result"], rows)


def table(args):
    with open(args.results) as f:
        results = [json.loads(line) for line in f if line.strip()]
    print("| benchmark | pcimmio | peer | peer's | ratio | 95% interval | ratio of minimums | target | result |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['title']} | {r['subject_value']} | `{r['peer']}` | {r['peer_value']} | {r['ratio']} "
              f"| {r['interval']} | {r['min_ratio']} | {r['target']} | {r['verdict']} |".replace("`—`", "—"))
    failed = sum(not r["verdict"].startswith("PASS") for r in results)
    print()
    print(f"{len(results) - failed} of {len(results)} targets met.")


def run(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def machine(_args):
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    commit = run(["git", "-C", repo, "rev-parse", "--short", "HEAD"])
    if run(["git", "-C", repo, "status", "--porcelain", "--", "Sources", "Package.swift", "Package.resolved"]):
        commit += " + uncommitted changes to Sources/Package (built from the working tree)"
    versions = ", ".join(
        f"{package} {run(['dpkg-query', '-W', '-f=${Version}', package])}"
        for package in ("hyperfine", "pciutils", "memtool")
    )
    print(f"- machine: {os.cpu_count()} CPUs (nproc {run(['nproc'])}), {model}, "
          f"Linux {platform.release()} {platform.machine()}")
    print(f"- load average at start: {load}")
    print(f"- pcimmio: {commit}; tools: {versions}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)

    p = sub.add_parser("machine")
    p.set_defaults(func=machine)

    p = sub.add_parser("compare")
    p.add_argument("--title", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--peer", action="append", required=True)
    p.add_argument("--max-ratio", type=float, required=True)
    p.add_argument("json", nargs="+")
    p.set_defaults(func=compare)

    p = sub.add_parser("throughput")
    p.add_argument("--title", required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--peer")
    p.add_argument("--min-ratio", type=float)
    p.add_argument("--min-rate", type=float)
    p.add_argument("json", nargs="+")
    p.set_defaults(func=throughput)

    p = sub.add_parser("ops")
    p.add_argument("--title", required=True)
    p.add_argument("--ops", action="append", required=True, metavar="NAME=COUNT")
    p.add_argument("--subject", required=True)
    p.add_argument("--peer")
    p.add_argument("--min-ratio", type=float)
    p.add_argument("--min-rate", type=float)
    p.add_argument("--unit", default="ops")
    p.add_argument("json", nargs="+")
    p.set_defaults(func=ops)

    p = sub.add_parser("limits")
    p.add_argument("--title", required=True)
    p.add_argument("--max-time", action="append", metavar="NAME=SECONDS")
    p.add_argument("--rss", action="append", metavar="NAME=KB")
    p.add_argument("--max-rss", action="append", metavar="NAME=MB")
    p.add_argument("json", nargs="*")
    p.set_defaults(func=limits)

    p = sub.add_parser("table")
    p.add_argument("results")
    p.set_defaults(func=table)

    args = parser.parse_args()
    if args.mode == "throughput":
        if (args.min_ratio is None) if args.peer else (args.min_rate is None):
            parser.error("throughput needs --peer with --min-ratio, or --min-rate without a peer")
    if args.mode == "ops":
        if (args.peer is None) != (args.min_ratio is None) or (args.peer is None and args.min_rate is None):
            parser.error("ops needs --peer with --min-ratio, --min-rate, or both")
    args.func(args)


if __name__ == "__main__":
    main()
