#!/usr/bin/env python3
"""Cost of encryption on the fan-out path: hub CPU per reader, plain RTSP/UDP versus RTSPS + SRTP/UDP, in one run.

One hub serves RTSP and RTSPS (self-signed certificate generated into a temporary directory). One ffmpeg publisher
of ../shared/media/presenter-720p.mp4 looped (720p30 H.264 + AAC, about 3.9 Mb/s) feeds path `bench`. For each N
(--counts) the script runs N plain readers (rtsp://, RTP/AVP over UDP), then N encrypted readers (rtsps://,
RTP/SAVP over UDP, SRTP keyed by MIKEY in the SDP), alternating so both see the same machine load. The readers are
`parley bench readers` (with --insecure for the self-signed certificate); the encrypted ones authenticate and
decrypt every packet, so a wrong key or ROC shows up as zero frames. CPU is the hub process's utime + stime over the
window; a line through (N, CPU%) gives the cost per reader. All SRTP readers of a stream share one key, so each
packet is encrypted once however many read it: the slope difference is what encryption costs per reader.
Usage: python3 bench/srtp-fanout/run.py [--counts 1,10,50,100] [--window 10] [--out bench/results]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
from benchproc import looped_presenter, ROOT, build_parley, free_port, stop_all, wait_for_line, wait_for_port  # noqa: E402

_spec = importlib.util.spec_from_file_location("fanout_run", os.path.join(BENCH, "fanout", "run.py"))
fanout = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fanout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,10,50,100")
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--window", type=float, default=10)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = ap.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    parley = build_parley()
    workdir = tempfile.mkdtemp(prefix="parley-srtp-fanout-")
    looped = looped_presenter(workdir)

    procs = []
    results = {}
    args.load_before = os.getloadavg()
    try:
        rtsp_port, rtsps_port = free_port(), free_port()
        hub = subprocess.Popen([parley, "serve", "--address", "127.0.0.1", "--rtsp-port", str(rtsp_port), "--rtp-port", "0", "--webrtc-port", "0", "--http-port", "0", "--https-port", "0",
                                "--no-demo", "--log-level", "warning", "--set", "paths.readerQueuePackets=2048",
                                "--set", "rtsp.tls=true", "--set", f"rtsp.tlsPort={rtsps_port}",
                                "--set", f"tls.generatedCertificate={os.path.join(workdir, 'tls.pfx')}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir)
        procs.append(hub)
        wait_for_port(rtsp_port, 30)
        wait_for_port(rtsps_port, 30)
        publisher = fanout.start_publisher(looped, rtsp_port)
        procs.append(publisher)
        time.sleep(3)
        for n in counts:
            for name, url, extra in (("plain RTP/AVP", f"rtsp://127.0.0.1:{rtsp_port}/bench", ()),
                                     ("SRTP RTP/SAVP", f"rtsps://127.0.0.1:{rtsps_port}/bench", ("--insecure",))):
                if publisher.poll() is not None:
                    raise RuntimeError(f"the ffmpeg publisher exited with {publisher.returncode}")
                point = fanout.measure(parley, url, n, "udp", hub.pid, args.settle, args.window, workdir, extra)
                results.setdefault(name, {})[n] = point
                print(f"{name:14} N={n:4}: {point['cpu_percent']:6.2f}% core, lost {point['lost']}, failed {point['failed']}, "
                      f"frames/reader {point['min_frames']}-{point['max_frames']}", flush=True)
    finally:
        stop_all(procs)

    write_results(results, counts, args)


def write_results(results, counts, args):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "srtp-fanout.json"), "w") as f:
        json.dump(results, f, indent=2)
    cpu = os.popen("grep -m1 'model name' /proc/cpuinfo").read().split(":")[-1].strip()
    lines = [
        "# Cost of SRTP on the fan-out path: hub CPU per UDP reader, plain vs encrypted",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores ({cpu}) with `python3 bench/srtp-fanout/run.py "
        f"--counts {args.counts}`; window {args.window:g} s per point after {args.settle:g} s settling. Source: presenter-720p.mp4 "
        "looped (720p30 H.264 + AAC, ~3.9 Mb/s), published once; plain and SRTP readers measured alternately on the same hub.",
        f"Load average (1 min) before the run {args.load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}: other work on the machine "
        "competes with the hub and the readers alike.",
        "CPU is the hub process's utime+stime over the window, in % of one core. SRTP readers share one key per stream, so "
        "each packet is encrypted (AES-128-CM + HMAC-SHA1-80) once and the same datagram goes to all of them in one sendmmsg.",
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
    plain, srtp = slopes.get("plain RTP/AVP"), slopes.get("SRTP RTP/SAVP")
    if plain and srtp is not None:
        lines.append(f"- Per reader: plain {plain:.4f}% of a core, SRTP {srtp:.4f}%: ratio {srtp / plain:.2f}.")
    for n in counts:
        a, b = results.get("plain RTP/AVP", {}).get(n), results.get("SRTP RTP/SAVP", {}).get(n)
        if a and b:
            lines.append(f"- N={n}: SRTP adds {b['cpu_percent'] - a['cpu_percent']:+.2f}% of a core over plain.")
    with open(os.path.join(args.out, "srtp-fanout.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
