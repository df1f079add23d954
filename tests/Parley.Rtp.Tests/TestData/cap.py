import socket, subprocess, sys, time, select
def grab(cmd_tpl, name, dur=3.0):
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # find a port pair
    while True:
        rtp.bind(('127.0.0.1', 0)); p = rtp.getsockname()[1]
        if p % 2 == 0:
            try:
                rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtcp.bind(('127.0.0.1', p+1)); break
            except OSError: pass
        rtp.close(); rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cmd = cmd_tpl.format(port=p, rtcp=p+1, name=name)
    proc = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=open(name+".log","w"))
    pk = {'rtp': [], 'rtcp': []}
    end = time.time() + dur
    while time.time() < end or proc.poll() is None:
        r, _, _ = select.select([rtp, rtcp], [], [], 0.2)
        for s in r:
            d = s.recv(65536)
            pk['rtp' if s is rtp else 'rtcp'].append(d.hex())
        if proc.poll() is not None and time.time() > end: break
    # drain
    time.sleep(1.0)
    for s in (rtp, rtcp):
        s.setblocking(False)
        try:
            while True: pk['rtp' if s is rtp else 'rtcp'].append(s.recv(65536).hex())
        except BlockingIOError: pass
    for k, v in pk.items():
        open(f'{name}.{k}.hex', 'w').write('\n'.join(v) + '\n')
    print(name, {k: len(v) for k, v in pk.items()})
grab("ffmpeg -hide_banner -re -f lavfi -i testsrc=size=320x240:rate=10 -t 1.5 -pix_fmt yuv420p -c:v libx264 -profile:v baseline -g 10 -flags:v +global_header -bf 0 -f rtp 'rtp://127.0.0.1:{port}?rtcpport={rtcp}&pkt_size=1200' -sdp_file {name}.sdp", 'ffmpeg-h264')
grab("ffmpeg -hide_banner -re -f lavfi -i sine=frequency=440:sample_rate=8000 -t 1.2 -c:a pcm_mulaw -f rtp 'rtp://127.0.0.1:{port}?rtcpport={rtcp}' -sdp_file {name}.sdp", 'ffmpeg-pcmu')
grab("ffmpeg -hide_banner -re -f lavfi -i sine=frequency=440:sample_rate=48000 -t 1.2 -c:a libopus -f rtp 'rtp://127.0.0.1:{port}?rtcpport={rtcp}' -sdp_file {name}.sdp", 'ffmpeg-opus')
grab("ffmpeg -hide_banner -re -f lavfi -i testsrc=size=320x240:rate=10 -t 1.2 -c:v mjpeg -q:v 5 -huffman default -pix_fmt yuvj420p -f rtp 'rtp://127.0.0.1:{port}?rtcpport={rtcp}' -sdp_file {name}.sdp", 'ffmpeg-mjpeg')
