#!/usr/bin/python3
"""Reference RTSP server for Parley's tests: GStreamer's gst-rtsp-server (not ours).

Usage: /usr/bin/python3 gst_rtsp_server.py PORT
Serves  rtsp://127.0.0.1:PORT/test    a live H.264 test pattern (PLAY)
        rtsp://127.0.0.1:PORT/record  accepts a published H.264 stream (ANNOUNCE/RECORD), counts RTP packets
Prints READY once listening; prints "RECORDED <n>" lines as published buffers arrive.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port = sys.argv[1]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
mounts = server.get_mount_points()

play = GstRtspServer.RTSPMediaFactory()
play.set_launch(
    "( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! rtph264pay name=pay0 pt=96 )"
)
play.set_shared(True)
mounts.add_factory("/test", play)

record = GstRtspServer.RTSPMediaFactory()
record.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
record.set_launch("( rtph264depay name=depay0 ! fakesink name=sink signal-handoffs=true )")
count = [0]


def on_handoff(_sink, _buf, _pad):
    count[0] += 1
    print("RECORDED", count[0], flush=True)


def on_media_configure(_factory, media):
    element = media.get_element()
    sink = element.get_by_name("sink") if element is not None else None
    if sink is not None:
        sink.connect("handoff", on_handoff)


record.connect("media-configure", on_media_configure)
mounts.add_factory("/record", record)

if server.attach(None) == 0:
    print("ERROR cannot listen on port", port, flush=True)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
