#!/usr/bin/env python3
"""Fan-out cost: hub CPU per RTSP reader, Parley versus gst-rtsp-server, side by side in one run.

One publisher of ../shared/media/presenter-720p.mp4 looped (720p30 H.264 + AAC, about 3.9 Mb/s) reaches N readers
on loopback, N = 1, 10, 50, 100, 200 (or --counts), over TCP and over UDP. The readers are `parley bench readers`
(RTSP clients that count packets, frames and sequence gaps without decoding). For each server, transport and N the
script samples the server process's CPU time (utime + stime from /proc/PID/stat) over a window while every reader
plays, then fits a line through (N, CPU%): its slope is the cost per reader. Every reader's losses (sequence gaps,
which include the hub's queue drops) are summed per point.

Parley is fed by ffmpeg (`-re -c copy` over RTSP TCP); gst-rtsp-server reads the same Matroska file itself in a
shared media. Usage: python3 bench/fanout/run.py [--counts 1,10,50,100,200] [--window 12] [--out bench/results]
Needs: dotnet SDK, ffmpeg, /usr/bin/python3 with gir1.2-gst-rtsp-server-1.0.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import (add_window_arguments, build_parley, cpu_seconds, free_port, looped_presenter, run_line, start_hub,  # noqa: E402
                       stop_all, wait_for_line)


def start_publisher(looped, hub_port):
    return subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-i", looped, "-c", "copy", "-f", "rtsp",
                             "-rtsp_transport", "tcp", f"rtsp://127.0.0.1:{hub_port}/bench"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(parley, url, count, transport, server_pid, settle, window, workdir, extra=()):
    out = os.path.join(workdir, "readers.json")
    bench = subprocess.Popen(
        [parley, "bench", "readers", "--count", str(count), "--transport", transport,
         "--duration", str(settle + window + 2), "--json", out, *extra, url],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for_line(bench, r"readers playing", 120)
    time.sleep(settle)
    c0, t0 = cpu_seconds(server_pid), time.monotonic()
    time.sleep(window)
    c1, t1 = cpu_seconds(server_pid), time.monotonic()
    rest, _ = bench.communicate(timeout=120)
    with open(out) as f:
        report = json.load(f)
    frames = [r["media"][0]["frames"] for r in report["readers"] if r["media"]]
    return {
        "cpu_percent": 100.0 * (c1 - c0) / (t1 - t0),
        "failed": report["failed"],
        "lost": report["lost"],
        "min_frames": min(frames) if frames else 0,
        "max_frames": max(frames) if frames else 0,
        "seconds": report["measuredSeconds"],
    }


def slope(points):
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,10,50,100,200")
    ap.add_argument("--transports", default="tcp,udp")
    add_window_arguments(ap, window=12)
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    parley = build_parley()
    workdir = tempfile.mkdtemp(prefix="parley-fanout-")
    looped = looped_presenter(workdir)

    procs = []
    results = {}
    args.load_before = os.getloadavg()
    try:
        hub_port = free_port()
        hub = start_hub(parley, hub_port, "paths.readerQueuePackets=2048")
        procs.append(hub)
        gst_port = free_port()
        gst = subprocess.Popen(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "gst_fanout_server.py"), str(gst_port), looped],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(gst)
        wait_for_line(gst, "READY", 20)
        time.sleep(1.5)

        for transport in args.transports.split(","):
            publisher = start_publisher(looped, hub_port)
            procs.append(publisher)
            time.sleep(3)
            for n in counts:
                if publisher.poll() is not None:
                    raise RuntimeError(f"the ffmpeg publisher exited with {publisher.returncode}")
                for name, url, pid in (("parley", f"rtsp://127.0.0.1:{hub_port}/bench", hub.pid),
                                       ("gst-rtsp-server", f"rtsp://127.0.0.1:{gst_port}/bench", gst.pid)):
                    point = measure(parley, url, n, transport, pid, args.settle, args.window, workdir)
                    results.setdefault(name, {}).setdefault(transport, {})[n] = point
                    print(f"{name:16} {transport} N={n:4}: {point['cpu_percent']:6.2f}% core, lost {point['lost']}, "
                          f"failed {point['failed']}, frames/reader {point['min_frames']}-{point['max_frames']}", flush=True)
            publisher.terminate()
            publisher.wait(10)
    finally:
        stop_all(procs)

    write_results(results, counts, args)


def write_results(results, counts, args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "fan-out-cpu.json"), "w") as f:
        json.dump(results, f, indent=2)
    lines = [
        "# Fan-out CPU per reader: Parley vs gst-rtsp-server",
        "",
        run_line(f"python3 bench/fanout/run.py --counts {args.counts}") + f"; window {args.window:g} s per point after {args.settle:g} s settling. Source: presenter-720p.mp4 "
        "looped (720p30 H.264 + AAC, ~3.9 Mb/s). Readers: `parley bench readers` in one process on the same machine.",
        f"Load average (1 min) before the run {args.load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}: other work on the machine "
        "competes with both servers and the readers alike.",
        "CPU is the server process's utime+stime over the window, in % of one core. 'lost' sums every reader's RTP "
        "sequence gaps (hub queue drops included).",
        "",
        "| server | transport | " + " | ".join(f"N={n}" for n in counts) + " | slope (% core per reader) | lost (all points) |",
        "|---|---|" + "---|" * len(counts) + "---|---|",
    ]
    slopes = {}
    for name, per_transport in results.items():
        for transport, points in per_transport.items():
            s = slope([(int(n), p["cpu_percent"]) for n, p in points.items()])
            slopes[(name, transport)] = s
            lost = sum(p["lost"] for p in points.values())
            failed = sum(p["failed"] for p in points.values())
            cells = " | ".join(f"{points[n]['cpu_percent']:.2f}%" for n in counts if n in points)
            lines.append(f"| {name} | {transport} | {cells} | {s:.4f} | {lost}{f' ({failed} readers failed)' if failed else ''} |")
    lines.append("")
    for transport in {t for (_, t) in slopes}:
        p, g = slopes.get(("parley", transport)), slopes.get(("gst-rtsp-server", transport))
        if p is not None and g:
            lines.append(f"- {transport}: Parley costs {p:.4f}% of a core per reader, gst-rtsp-server {g:.4f}%: ratio {p / g:.2f} (target at most 0.5).")
    with open(os.path.join(args.out, "fan-out-cpu.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
