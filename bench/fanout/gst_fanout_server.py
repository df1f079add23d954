#!/usr/bin/python3
"""Reference for the fan-out benchmark: GStreamer's gst-rtsp-server serving one file to many readers.

Usage: /usr/bin/python3 gst_fanout_server.py PORT FILE.mkv
Serves rtsp://127.0.0.1:PORT/bench: H.264 video and AAC audio from a Matroska file (an MP4 source stalls in a
shared media), paced in real time, one shared media for all readers. Prints READY once listening.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, path = sys.argv[1], sys.argv[2]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( filesrc location="{path}" ! matroskademux name=d '
    "d.video_0 ! queue ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 "
    "d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 )"
)
factory.set_shared(True)
server.get_mount_points().add_factory("/bench", factory)
if server.attach(None) == 0:
    print("ERROR cannot listen on port", port, flush=True)
    sys.exit(1)
print("READY", flush=True)
GLib.MainLoop().run()
