#!/usr/bin/python3
"""Reference relay for the latency benchmark: gst-rtsp-server re-serving an RTP stream that ffmpeg sends it.

Usage: /usr/bin/python3 gst_relay_server.py RTSP_PORT RTP_PORT jpeg|h264
Listens for RTP (JPEG payload type 26, or H.264 payload type 96) on 127.0.0.1:RTP_PORT and serves it at
rtsp://127.0.0.1:RTSP_PORT/ref as one shared live media (depayloaded and payloaded again, as a relay does).
Prints READY once listening.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
rtsp_port, rtp_port, codec = sys.argv[1], sys.argv[2], sys.argv[3]
if codec == "jpeg":
    chain = (f'udpsrc address=127.0.0.1 port={rtp_port} buffer-size=4194304 caps="application/x-rtp,media=video,encoding-name=JPEG,clock-rate=90000,payload=26" '
             "! rtpjpegdepay ! rtpjpegpay name=pay0 pt=26")
else:
    chain = (f'udpsrc address=127.0.0.1 port={rtp_port} buffer-size=4194304 caps="application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=96" '
             "! rtph264depay ! h264parse config-interval=-1 ! rtph264pay name=pay0 pt=96 config-interval=-1")
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(rtsp_port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(f"( {chain} )")
factory.set_shared(True)
factory.set_latency(0)
server.get_mount_points().add_factory("/ref", factory)
if server.attach(None) == 0:
    print("ERROR cannot listen on port", rtsp_port, flush=True)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
