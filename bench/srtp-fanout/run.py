#!/usr/bin/env python3
"""Cost of encryption on the fan-out path: hub CPU per reader, plain RTSP/UDP versus RTSPS + SRTP/UDP with one key
shared by all readers versus one key per reader, side by side in one run.

Two hubs serve RTSP and RTSPS (self-signed certificates generated into a temporary directory): one with
rtsp.srtpKeys: shared (the default: each packet encrypted once for all readers), one with rtsp.srtpKeys: perReader
(each reader its own key: each packet encrypted once per reader). One ffmpeg publisher of
../shared/media/presenter-720p.mp4 looped (720p30 H.264 + AAC, about 3.9 Mb/s) feeds path `bench` on each hub. For
each N (--counts) the script runs N plain readers (rtsp://, RTP/AVP over UDP) on the shared hub, then N encrypted
readers on it (rtsps://, RTP/SAVP over UDP, SRTP keyed by MIKEY in the SDP), then N encrypted readers on the
per-reader hub, in turn so all three see the same machine load. The readers are `parley bench readers` (with
--insecure for the self-signed certificate); the encrypted ones authenticate and decrypt every packet, so a wrong key
or ROC shows up as zero frames. CPU is the measured hub process's utime + stime over the window; a line through
(N, CPU%) gives the cost per reader.
Usage: python3 bench/srtp-fanout/run.py [--counts 1,10,50,100] [--window 10] [--out bench/results]
"""
import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
from benchproc import (add_window_arguments, build_parley, free_port, looped_presenter, run_line, start_hub, stop_all,  # noqa: E402
                       wait_for_port)

_spec = importlib.util.spec_from_file_location("fanout_run", os.path.join(BENCH, "fanout", "run.py"))
fanout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fanout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,10,50,100")
    add_window_arguments(ap, window=10)
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    parley = build_parley()
    workdir = tempfile.mkdtemp(prefix="parley-srtp-fanout-")
    looped = looped_presenter(workdir)

    procs = []
    results = {}
    args.load_before = os.getloadavg()
    try:
        shared = start_keyed_hub(parley, workdir, looped, "shared", procs)
        own = start_keyed_hub(parley, workdir, looped, "perReader", procs)
        time.sleep(3)
        runs = (("plain RTP/AVP", shared, f"rtsp://127.0.0.1:{shared['rtsp']}/bench", ()),
                ("SRTP shared key", shared, f"rtsps://127.0.0.1:{shared['rtsps']}/bench", ("--insecure",)),
                ("SRTP key per reader", own, f"rtsps://127.0.0.1:{own['rtsps']}/bench", ("--insecure",)))
        for n in counts:
            for name, hub, url, extra in runs:
                if hub["publisher"].poll() is not None:
                    raise RuntimeError(f"the ffmpeg publisher exited with {hub['publisher'].returncode}")
                point = fanout.measure(parley, url, n, "udp", hub["process"].pid, args.settle, args.window, workdir, extra)
                results.setdefault(name, {})[n] = point
                print(f"{name:19} N={n:4}: {point['cpu_percent']:6.2f}% core, lost {point['lost']}, failed {point['failed']}, "
                      f"frames/reader {point['min_frames']}-{point['max_frames']}", flush=True)
    finally:
        stop_all(procs)

    write_results(results, counts, args)


def start_keyed_hub(parley, workdir, looped, keys, procs):
    """A hub with rtsp.srtpKeys=keys on free ports, and its publisher; both appended to procs."""
    rtsp_port, rtsps_port = free_port(), free_port()
    hub = start_hub(parley, rtsp_port, "paths.readerQueuePackets=2048", "rtsp.tls=true", f"rtsp.srtpKeys={keys}",
                    f"tls.generatedCertificate={os.path.join(workdir, keys + '-tls.pfx')}", f"rooms.database={os.path.join(workdir, keys + '.db')}",
                    rtsps_port=rtsps_port, cwd=workdir)
    procs.append(hub)
    wait_for_port(rtsps_port, 30)
    publisher = fanout.start_publisher(looped, rtsp_port)
    procs.append(publisher)
    return {"process": hub, "publisher": publisher, "rtsp": rtsp_port, "rtsps": rtsps_port}


def write_results(results, counts, args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "srtp-fanout.json"), "w") as f:
        json.dump(results, f, indent=2)
    lines = [
        "# Cost of SRTP on the fan-out path: hub CPU per UDP reader, plain vs shared key vs key per reader",
        "",
        run_line(f"python3 bench/srtp-fanout/run.py --counts {args.counts}") + f"; window {args.window:g} s per point after {args.settle:g} s settling. Source: presenter-720p.mp4 "
        "looped (720p30 H.264 + AAC, ~3.9 Mb/s), published to two hubs (rtsp.srtpKeys shared and perReader); plain and "
        "shared-key readers on the first, per-reader-key readers on the second, measured in turn at each N.",
        f"Load average (1 min) before the run {args.load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}: other work on the machine "
        "competes with the hub and the readers alike.",
        "CPU is the measured hub process's utime+stime over the window, in % of one core. Shared key: each packet is "
        "encrypted (AES-128-CM + HMAC-SHA1-80) once and the same datagram goes to all readers in one sendmmsg. Key per "
        "reader: each packet is encrypted once per reader and sent to each with its own sendmmsg of one.",
        "",
        "| readers | " + " | ".join(f"N={n}" for n in counts) + " | slope (% core per reader) | lost (all points) |",
        "|---|" + "---|" * len(counts) + "---|---|",
    ]
    slopes = {}
    for name, points in results.items():
        s = fanout.slope([(int(n), p["cpu_percent"]) for n, p in points.items()])
        slopes[name] = s
        lost = sum(p["lost"] for p in points.values())
        failed = sum(p["failed"] for p in points.values())
        cells = " | ".join(f"{points[n]['cpu_percent']:.2f}%" for n in counts if n in points)
        lines.append(f"| {name} | {cells} | {s:.4f} | {lost}{f' ({failed} readers failed)' if failed else ''} |")
    lines.append("")
    plain, shared, own = slopes.get("plain RTP/AVP"), slopes.get("SRTP shared key"), slopes.get("SRTP key per reader")
    if plain and shared is not None and own is not None:
        lines.append(f"- CPU per reader (slope): plain {plain:.4f}% of a core, shared key {shared:.4f}% (ratio {shared / plain:.2f}), "
                     f"key per reader {own:.4f}% (ratio {own / plain:.2f}).")
    for n in counts:
        a = results.get("plain RTP/AVP", {}).get(n)
        b = results.get("SRTP shared key", {}).get(n)
        c = results.get("SRTP key per reader", {}).get(n)
        if a and b and c:
            lines.append(f"- N={n}: over plain, a shared key adds {b['cpu_percent'] - a['cpu_percent']:+.2f}% of a core, "
                         f"a key per reader {c['cpu_percent'] - a['cpu_percent']:+.2f}%.")
    with open(os.path.join(args.out, "srtp-fanout.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
