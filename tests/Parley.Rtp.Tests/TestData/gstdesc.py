import sys, socket, time, threading
import gi
gi.require_version("Gst", "1.0"); gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer
Gst.init(None)
server = GstRtspServer.RTSPServer(); server.set_address("127.0.0.1"); server.set_service("0")
f = GstRtspServer.RTSPMediaFactory()
f.set_launch("( videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=15/1 ! x264enc tune=zerolatency key-int-max=30 ! rtph264pay name=pay0 pt=96 "
             "audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay name=pay1 pt=97 "
             "audiotestsrc is-live=true ! audio/x-raw,rate=44100 ! avenc_aac ! rtpmp4alatmpay name=pay2 pt=98 )")
server.get_mount_points().add_factory("/av", f)
server.attach(None)
port = server.get_bound_port()
def client():
    time.sleep(0.3)
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"DESCRIBE rtsp://127.0.0.1:{port}/av RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n".encode())
    data = b""; s.settimeout(10)
    while True:
        try: chunk = s.recv(65536)
        except socket.timeout: break
        if not chunk: break
        data += chunk
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            import re
            m = re.search(rb"Content-Length: (\d+)", head, re.I)
            if m and len(body) >= int(m.group(1)): break
    sys.stdout.write(data.decode()); sys.stdout.flush()
    loop.quit()
loop = GLib.MainLoop(); threading.Thread(target=client, daemon=True).start(); loop.run()
