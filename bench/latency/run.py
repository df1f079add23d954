#!/usr/bin/env python3
"""Capture-to-render latency: Parley (send test -> hub -> view, null render) beside a reference pipeline
(ffmpeg -> gst-rtsp-server -> ffmpeg -fflags nobuffer -flags low_delay), same sizes, codecs and run.

Usage: python3 bench/latency/run.py [--parley PATH] [--seconds N] [--out results.md]

Both pipelines carry the same machine-readable stamp (frame number + capture Unix ms, see stamps.py) in every
frame; latency = wall clock when the decoded frame is available - the stamped capture time (same host, same clock).
- Parley: `parley send test` stamps frames as it captures them; `parley view --stats` reports latency percentiles
  of decoded frames (null render).
- Reference: this script renders stamped I420 frames (gen_frames) in real time into ffmpeg, which encodes
  (mjpeg, or libx264 ultrafast/zerolatency) and sends RTP to gst-rtsp-server (gst_relay_server.py); a second
  ffmpeg reads rtsp://.../ref with -fflags nobuffer -flags low_delay over TCP, decodes, and pipes the top-left
  256x128 luma crop here, where the stamp is read on arrival.
Also measures the CPU of `parley send` for 720p30 JPEG and H.264 (process CPU time from /proc, and the encoder's
own ms/frame from send --stats).
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchproc import cpu_seconds as proc_cpu_seconds, free_port  # noqa: E402
from stamps import cell_size, draw_stamp, read_stamp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CROP_W, CROP_H = 256, 128


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    f = int(k)
    return values[f] + (values[min(f + 1, len(values) - 1)] - values[f]) * (k - f)


def wait_line(proc, word, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if word in line:
            return True
    raise RuntimeError(f"{proc.args[0]} did not print {word}")


def gen_frames(ffmpeg_stdin, width, height, fps, seconds):
    """Real-time stamped I420 frames: a luma ramp with a moving box, the stamp in the top-left corner."""
    cell = cell_size(width, height)
    ramp = bytes((16 + (x * 219) // width) for x in range(width))
    background = bytearray(ramp * height)
    chroma = bytes([128]) * (width * height // 2)
    box = 96
    start = time.time()
    n = 0
    try:
        while n < seconds * fps:
            due = start + n / fps
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            y = bytearray(background)
            phase = n % (2 * fps)
            left = (width - box) * (phase if phase <= fps else 2 * fps - phase) // fps
            for row in range(height // 2, height // 2 + box):
                y[row * width + left:row * width + left + box] = b"\xeb" * box
            draw_stamp(y, width, cell, n, int(time.time() * 1000))
            ffmpeg_stdin.write(y)
            ffmpeg_stdin.write(chroma)
            n += 1
    except BrokenPipeError:
        pass
    finally:
        try:
            ffmpeg_stdin.close()
        except BrokenPipeError:
            pass


def reference(codec, width, height, fps, seconds):
    rtsp, rtp = free_port(), free_port(socket.SOCK_DGRAM)
    server = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "gst_relay_server.py"), str(rtsp), str(rtp), codec],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    readers = []
    try:
        wait_line(server, "READY")
        enc = (["-c:v", "mjpeg", "-q:v", "4", "-huffman", "default"] if codec == "jpeg" else
               ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-b:v", "2M", "-g", "60", "-bf", "0", "-threads", "1", "-pix_fmt", "yuv420p"])
        publisher = subprocess.Popen(["ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
                                      "-framerate", str(fps), "-i", "-", *enc, "-f", "rtp", "-payload_type", "26" if codec == "jpeg" else "96",
                                      f"rtp://127.0.0.1:{rtp}?pkt_size=1200"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        readers.append(publisher)
        feeder = threading.Thread(target=gen_frames, args=(publisher.stdin, width, height, fps, seconds + 6), daemon=True)
        feeder.start()
        time.sleep(1.5)
        reader = subprocess.Popen(["ffmpeg", "-v", "error", "-fflags", "nobuffer", "-flags", "low_delay", "-rtsp_transport", "tcp",
                                   "-i", f"rtsp://127.0.0.1:{rtsp}/ref", "-an", "-fps_mode", "passthrough", "-vf", f"crop={CROP_W}:{CROP_H}:0:0",
                                   "-f", "rawvideo", "-pix_fmt", "gray", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        readers.append(reader)
        watchdog = threading.Timer(seconds + 20, reader.kill)  # a reader that never gets a picture must not hang the run
        watchdog.start()
        latencies, size, cell = [], CROP_W * CROP_H, cell_size(width, height)
        first, unreadable = None, 0
        while True:
            data = reader.stdout.read(size)
            now = time.time() * 1000
            if len(data) < size:
                break
            stamp = read_stamp(data, CROP_W, CROP_H, cell)
            if stamp is None:
                unreadable += 1
                continue
            first = first or now
            if now - first > 1000:  # the first second is start-up (key frame wait, buffers filling)
                latencies.append(now - stamp[1])
            if now - first > (seconds + 1) * 1000:
                break
        watchdog.cancel()
        if unreadable:
            print(f"reference {codec} {width}x{height}: {unreadable} frames without a readable stamp", file=sys.stderr)
        return latencies
    finally:
        for p in readers + [server]:
            if p.poll() is None:
                p.kill()
            p.wait()


def parley_latency(parley, hub, codec, width, height, fps, seconds, tmp, audio="none"):
    path = f"lat-{codec}-{width}-{audio}"
    send_stats = os.path.join(tmp, f"send-{path}.json")
    view_stats = os.path.join(tmp, f"view-{path}.json")
    send = subprocess.Popen([parley, "send", "test", f"{hub}/{path}", "--video", codec, "--audio", audio, "--size", f"{width}x{height}",
                             "--fps", str(fps), "--transport", "udp", "--stats", send_stats, "--duration", str(seconds + 8)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        cpu0, t0 = proc_cpu_seconds(send.pid), time.time()
        subprocess.run([parley, "view", f"{hub}/{path}", "--transport", "udp", "--duration", str(seconds), "--stats", view_stats,
                        "--video-out", "null", "--audio-out", "null"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=seconds + 30)
        cpu = (proc_cpu_seconds(send.pid) - cpu0) / (time.time() - t0)
        send.wait(timeout=seconds + 30)
    finally:
        if send.poll() is None:
            send.kill()
            send.wait()
    with open(view_stats) as f:
        latency = json.load(f)["streams"][0]["latency"]
    with open(send_stats) as f:
        video = json.load(f)["streams"][0]
    stages = {k: video[f"{k}MillisecondsPerFrame"] for k in ("capture", "encode", "packetize", "send")}
    return latency, cpu, stages


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parley", default=next((p for p in (os.path.join(ROOT, "src/Parley.Cli/bin", c, "net10.0/parley") for c in ("Release", "Debug")) if os.path.exists(p)), "parley"))
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--out", default=os.path.join(HERE, "results.md"))
    ap.add_argument("--cases", default="all", help="all, or a comma list such as jpeg-1280,h264-1280,jpeg+opus-1280")
    args = ap.parse_args()
    fps = 30
    rtsp = free_port()
    tmp = tempfile.mkdtemp(prefix="parley-latency-")
    hub = subprocess.Popen([args.parley, "serve", "--address", "127.0.0.1", "--rtsp-port", str(rtsp), "--rtp-port", "0", "--rtsps-port", "0", "--webrtc-port", "0", "--http-port", "0", "--https-port", "0", "--no-demo",
                            "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows, load = [], [os.getloadavg()[0]]
    try:
        time.sleep(3)
        # Video only, as the reference; then 720p JPEG with Opus, where view holds video back for lip sync.
        cases = [(c, w, h, "none") for c in ("jpeg", "h264") for w, h in ((640, 480), (1280, 720))] + [("jpeg", 1280, 720, "opus")]
        if args.cases != "all":
            wanted = set(args.cases.split(","))
            cases = [c for c in cases if f"{c[0]}{'+opus' if c[3] != 'none' else ''}-{c[1]}" in wanted]
        for codec, width, height, audio in cases:
                latency, cpu, stages = parley_latency(args.parley, f"rtsp://127.0.0.1:{rtsp}", codec, width, height, fps, args.seconds, tmp, audio)
                load.append(os.getloadavg()[0])
                ref = reference(codec, width, height, fps, args.seconds)
                load.append(os.getloadavg()[0])
                row = dict(codec=codec + ("+opus" if audio != "none" else ""), size=f"{width}x{height}", p50=latency["p50Ms"], p95=latency["p95Ms"], n=latency["count"],
                           ref_p50=percentile(ref, 50), ref_p95=percentile(ref, 95), ref_n=len(ref), send_cpu=cpu, stages=stages)
                print(json.dumps(row), flush=True)
                rows.append(row)
    finally:
        hub.kill()
        hub.wait()
    write(args.out, rows, load, args.seconds)


def write(out, rows, load, seconds):
    lines = ["# Capture-to-render latency: Parley vs ffmpeg -> gst-rtsp-server -> ffmpeg", "",
             f"Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, `python3 bench/latency/run.py --seconds {seconds}`, "
             f"{os.cpu_count()} cores shared with other users; 1-min load average during the run "
             f"{min(load):.1f}..{max(load):.1f}. Loopback, 30 fps, {seconds} s measured per row.", "",
             "| codec | size | Parley p50 | Parley p95 | reference p50 | reference p95 | p50 ratio (Parley/ref) | frames (Parley/ref) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['codec']} | {r['size']} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['ref_p50']:.1f} ms | {r['ref_p95']:.1f} ms | "
                     f"{r['p50'] / r['ref_p50']:.2f} | {r['n']}/{r['ref_n']} |")
    lines += ["", "CPU of `parley send test` per stage of the video track, from `send --stats`: capture, packetize and send are CPU "
              "time of the sender thread per frame (clock_gettime(CLOCK_THREAD_CPUTIME_ID); capture = rendering the stamped pattern); "
              "encode is wall time per frame (JPEG: libturbojpeg on the sender thread, so its CPU; H.264: x264 runs on GStreamer's "
              "threads, whose CPU is in the remainder). The remainder is the whole process's CPU minus the stages at 30 fps "
              "(GStreamer threads, the audio track, RTCP, the .NET runtime).", "",
              "| codec | size | process CPU (% of one core) | capture ms | encode ms | packetize ms | send ms | remainder (% of one core) |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        st = r["stages"]
        cpu_stages = (st["capture"] + st["packetize"] + st["send"] + (st["encode"] if r["codec"].startswith("jpeg") else 0)) * 30 / 1000
        lines.append(f"| {r['codec']} | {r['size']} | {r['send_cpu'] * 100:.0f} % | {st['capture']:.2f} | {st['encode']:.2f} | "
                     f"{st['packetize']:.3f} | {st['send']:.3f} | {max(0, r['send_cpu'] - cpu_stages) * 100:.0f} % |")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
