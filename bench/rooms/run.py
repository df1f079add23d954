#!/usr/bin/env python3
"""Room forwarding capacity: hub CPU per forwarded stream in a room of P participants, P = 2, 4, 8, 16.

Every participant publishes 640x480 H.264 at about 1 Mb/s (x264, constrained baseline, no B-frames, a key frame
every 2 s) plus Opus 32 kb/s: ../shared/media/talking-head.avi scaled and encoded once, then published by one
`ffmpeg -re -c copy` per participant over RTSP to `<room>/p<i>`. Every participant receives everyone else: one
`parley bench readers --count P-1` process plays each participant's path P-1 times (RTP counted, not decoded), so
the hub forwards P*(P-1) participant streams, 2*P*(P-1) tracks (the "consumers" of mediasoup's figure of about
500 per worker core). The hub's CPU (utime+stime of the `parley serve` process) is sampled over a window; drops are
the readers' RTP sequence gaps (which include the hub's queue drops).

Forwarding in a room is the stream fan-out of the hub (a room's media are ordinary paths); the control WebSocket
carries no media and is not part of this load. 0 bytes per forwarded packet is proven by the BenchmarkDotNet
fan-out benchmark (bench/results/fan-out-benchmarkdotnet.md).

Usage: python3 bench/rooms/run.py [--participants 2,4,8,16] [--transport udp|tcp] [--window 15] [--out bench/results]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import (MEDIA, add_window_arguments, build_parley, cpu_seconds, free_port, run_line, start_hub, stop_all,  # noqa: E402
                       wait_for_line)


def encode_participant_media(workdir):
    """640x480 30 fps H.264 ~1 Mb/s + Opus, about 10 minutes, so no publisher loops during a run."""
    clip = os.path.join(workdir, "participant-clip.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "6", "-i", os.path.join(MEDIA, "talking-head.avi"),
                    "-vf", "scale=640:480,fps=30,format=yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
                    "-profile:v", "baseline", "-b:v", "1M", "-maxrate", "1M", "-bufsize", "1M", "-g", "60",
                    "-c:a", "libopus", "-b:a", "32k", "-ar", "48000", "-ac", "1", clip], check=True)
    looped = os.path.join(workdir, "participant.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "20", "-i", clip, "-c", "copy", looped], check=True)
    return looped


def measure_room(parley, hub, hub_port, media, room, participants, transport, settle, window, workdir):
    publishers = []
    try:
        urls = [f"rtsp://127.0.0.1:{hub_port}/{room}/p{i}" for i in range(participants)]
        for url in urls:
            publishers.append(subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-i", media, "-c", "copy", "-f", "rtsp",
                                                "-rtsp_transport", "tcp", url],
                                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(3)
        out = os.path.join(workdir, f"readers-{participants}.json")
        readers = subprocess.Popen([parley, "bench", "readers", "--count", str(participants - 1), "--transport", transport,
                                    "--duration", str(settle + window + 2), "--json", out, *urls],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        publishers.append(readers)
        wait_for_line(readers, r"readers playing", 120)
        time.sleep(settle)
        c0, t0 = cpu_seconds(hub.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = cpu_seconds(hub.pid), time.monotonic()
        readers.communicate(timeout=120)
        for p in publishers[:-1]:
            if p.poll() is not None:
                raise RuntimeError(f"a publisher exited with {p.returncode}")
        with open(out) as f:
            report = json.load(f)
    finally:
        stop_all(publishers)

    seconds = report["measuredSeconds"]
    packets = sum(m["packets"] for r in report["readers"] for m in r["media"])
    cpu = (c1 - c0) / (t1 - t0)
    streams = participants * (participants - 1)
    return {
        "participants": participants,
        "participant_streams": streams,
        "tracks": 2 * streams,
        "cpu_percent": 100 * cpu,
        "tracks_per_core": 2 * streams / cpu if cpu > 0 else float("inf"),
        "packets_per_second": packets / seconds,
        "megabits_per_second": sum(m["payloadBytes"] for r in report["readers"] for m in r["media"]) * 8 / seconds / 1e6,
        "lost": report["lost"],
        "failed": report["failed"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", default="2,4,8,16")
    ap.add_argument("--transport", default="udp", choices=["udp", "tcp"])
    add_window_arguments(ap, window=15)
    args = ap.parse_args()
    counts = [int(c) for c in args.participants.split(",")]

    parley = build_parley()
    workdir = tempfile.mkdtemp(prefix="parley-rooms-")
    media = encode_participant_media(workdir)
    load_before = os.getloadavg()
    rows = []
    procs = []
    try:
        hub_port = free_port()
        hub = start_hub(parley, hub_port)
        procs.append(hub)
        for p in counts:
            row = measure_room(parley, hub, hub_port, media, f"bench{p}", p, args.transport, args.settle, args.window, workdir)
            rows.append(row)
            print(f"P={p:2}: {row['tracks']:3} tracks, hub {row['cpu_percent']:6.2f}% core, {row['tracks_per_core']:7.0f} tracks/core, "
                  f"{row['packets_per_second']:8.0f} packets/s, {row['megabits_per_second']:6.1f} Mb/s, lost {row['lost']}, failed {row['failed']}", flush=True)
    finally:
        stop_all(procs)
    write_results(rows, args, load_before)


def write_results(rows, args, load_before):
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "rooms-forwarding.json"), "w") as f:
        json.dump(rows, f, indent=2)
    lines = [
        "# Room forwarding: hub CPU per forwarded stream",
        "",
        run_line(f"python3 bench/rooms/run.py --participants {args.participants} --transport {args.transport}") + f"; window {args.window:g} s per point after {args.settle:g} s settling.",
        "Each participant: 640x480 30 fps H.264 ~1 Mb/s + Opus 32 kb/s (talking-head.avi), published by `ffmpeg -re -c copy` over RTSP/TCP; "
        f"received by every other participant over RTSP/{args.transport.upper()} (`parley bench readers`, counting without decoding).",
        f"Load average (1 min) before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}. The publishers (P ffmpeg) and the readers "
        "(one .NET process) run on the same 2 cores as the hub.",
        "A track is one forwarded media stream to one receiver (mediasoup's 'consumer'); a participant stream is video + audio.",
        "",
        "| P | participant streams | tracks | hub CPU (% of a core) | tracks per core | forwarded packets/s | forwarded Mb/s | lost | failed readers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['participants']} | {r['participant_streams']} | {r['tracks']} | {r['cpu_percent']:.1f}% | {r['tracks_per_core']:.0f} | "
                     f"{r['packets_per_second']:.0f} | {r['megabits_per_second']:.1f} | {r['lost']} | {r['failed']} |")
    lines.append("")
    lines.append("Target: at least 500 forwarded streams per core (mediasoup's figure for one worker), 0 B allocated per forwarded packet "
                 "(BenchmarkDotNet, bench/results/fan-out-benchmarkdotnet.md).")
    with open(os.path.join(args.out, "rooms-forwarding.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
