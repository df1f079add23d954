import socket, select, time, sys, threading
import gi
gi.require_version('Gst', '1.0'); gi.require_version('GstRtp', '1.0')
from gi.repository import Gst, GstRtp, GLib
Gst.init(None)

def sockpair():
    while True:
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(('127.0.0.1', 0)); p = a.getsockname()[1]
        if p % 2 == 0:
            try:
                b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(('127.0.0.1', p + 1)); return a, b, p
            except OSError: pass
        a.close()

def run(name, desc, exts=(), two_byte=False):
    a, b, p = sockpair()
    pipe = Gst.parse_launch(desc.format(port=p, rtcp=p + 1))
    pay = pipe.get_by_name('pay')
    for i, uri in enumerate(exts):
        ext = GstRtp.RTPHeaderExtension.create_from_uri(uri)
        ext.set_id(i + 1 if not two_byte else 20 + i)
        pay.emit('add-extension', ext)
    pipe.set_state(Gst.State.PLAYING)
    bus = pipe.get_bus()
    pk = {'rtp': [], 'rtcp': []}
    done = False; t_end = None
    while True:
        r, _, _ = select.select([a, b], [], [], 0.05)
        for s in r:
            pk['rtp' if s is a else 'rtcp'].append(s.recv(65536).hex())
        msg = bus.pop_filtered(Gst.MessageType.EOS | Gst.MessageType.ERROR)
        if msg and not done:
            if msg.type == Gst.MessageType.ERROR: print(msg.parse_error())
            done = True; t_end = time.time() + 0.5
            pipe.set_state(Gst.State.NULL)
        if done and time.time() > t_end: break
    for k, v in pk.items():
        open(f'{name}.{k}.hex', 'w').write('\n'.join(v) + '\n')
    print(name, {k: len(v) for k, v in pk.items()})

rb = ('rtpbin name=r rtp-profile=avpf {src} ! r.send_rtp_sink_0 r.send_rtp_src_0 ! udpsink host=127.0.0.1 port={port} '
      'r.send_rtcp_src_0 ! udpsink host=127.0.0.1 port={rtcp} sync=false async=false')
run('gst-opus-ext', rb.replace('{src}', 'audiotestsrc is-live=true num-buffers=300 ! audio/x-raw,rate=48000 ! opusenc ! rtpopuspay name=pay'),
    exts=['urn:ietf:params:rtp-hdrext:ssrc-audio-level', 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'])
run('gst-h264', rb.replace('{src}', 'videotestsrc is-live=true num-buffers=60 ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency key-int-max=30 ! rtph264pay name=pay config-interval=-1'))
