"""Process, port and report helpers shared by the end-to-end benchmark scripts (fanout/, srtp-fanout/, latency/, rooms/)."""
import os
import re
import socket
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEDIA = os.path.join(os.path.dirname(ROOT), "shared", "media")


def free_port(kind=socket.SOCK_STREAM):
    """A port the OS has just handed out on 127.0.0.1 (TCP by default)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """CPU time (utime + stime, /proc/PID/stat fields 14 and 15) of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_port(port, timeout):
    """Waits until something accepts TCP connections on 127.0.0.1:port."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def wait_for_line(proc, pattern, timeout=30):
    """Reads the process's stdout (text mode) until a line matches the regular expression; returns that line."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{proc.args[0]} exited while waiting for {pattern!r}")
        if re.search(pattern, line):
            return line
    raise RuntimeError(f"timed out waiting for {pattern!r}")


def build_parley():
    """Builds the CLI in Release and returns the path of the `parley` executable."""
    subprocess.run(["dotnet", "build", os.path.join(ROOT, "src", "Parley.Cli"), "-c", "Release", "-v", "q", "-nologo"], check=True)
    return os.path.join(ROOT, "src", "Parley.Cli", "bin", "Release", "net10.0", "parley")


def looped_presenter(workdir):
    """presenter-720p.mp4 (720p30 H.264 + AAC, 8.3 s) looped 60 times into Matroska: about 8 minutes, long enough
    for a whole fan-out run without the publisher looping."""
    looped = os.path.join(workdir, "presenter-looped.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "60", "-i", os.path.join(MEDIA, "presenter-720p.mp4"),
                    "-c", "copy", looped], check=True)
    return looped


def stop_all(procs):
    """Terminates every process still running (then kills what ignores it for 5 s)."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()


def add_window_arguments(ap, window):
    """The options every CPU benchmark takes: --settle (s before measuring), --window (s measured), --out (results folder)."""
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--window", type=float, default=window)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))


def start_hub(parley, rtsp_port, *settings, rtsps_port=0, cwd=None):
    """`parley serve` on 127.0.0.1: RTSP on rtsp_port, RTSPS on rtsps_port (0: a free one), every other port free,
    no demo, warnings only, and `--set` for each of settings ("key=value"). Returns the process once RTSP accepts."""
    command = [parley, "serve", "--address", "127.0.0.1", "--rtsp-port", str(rtsp_port), "--rtp-port", "0",
               "--rtsps-port", str(rtsps_port), "--webrtc-port", "0", "--http-port", "0", "--https-port", "0",
               "--no-demo", "--log-level", "warning"]
    for setting in settings:
        command += ["--set", setting]
    hub = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    try:
        wait_for_port(rtsp_port, 30)
    except RuntimeError:
        stop_all([hub])
        raise
    return hub


def run_line(command):
    """The results' "Run ... on N cores (CPU) with `command`" sentence, time in UTC."""
    cpu = os.popen("grep -m1 'model name' /proc/cpuinfo").read().split(":")[-1].strip()
    return f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores ({cpu}) with `{command}`"
