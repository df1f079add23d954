// Browser-to-browser latency through the hub. Page A: publish() draws the stamped test pattern (stamp-codec.js) into
// a canvas at a fixed rate, stamping Date.now() as the capture time, and publishes canvas.captureStream() over WHIP
// (POST /<path>/whip). Page B: play() plays the path over WHEP (POST /<path>/whep) in a <video>, and stamp-probe.js
// reads the stamps back in requestVideoFrameCallback. Both pages run in one browser, so both read the same clock.
(() => {
  if (window.__parleyWebRtc) return;

  function preferCodec(transceiver, kind, mimeType) {
    if (!mimeType || !RTCRtpReceiver.getCapabilities) return;
    const codecs = RTCRtpReceiver.getCapabilities(kind).codecs;
    const wanted = codecs.filter(c => c.mimeType.toLowerCase() === mimeType.toLowerCase());
    if (wanted.length === 0) throw new Error(`this browser has no ${mimeType}`);
    // Only the wanted codec is offered: the hub answers with its own preference (H.264 first) among what is offered.
    transceiver.setCodecPreferences(wanted);
  }

  async function exchange(pc, url) {
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
    const answer = await response.text();
    if (response.status !== 201) throw new Error(`${url} answered ${response.status}: ${answer}`);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    return answer;
  }

  // { path, width, height, fps, codec ('video/VP8' | 'video/H264' | '') } -> the answer's video codec line.
  async function publish(a) {
    const canvas = document.createElement('canvas');
    canvas.width = a.width; canvas.height = a.height;
    document.body.appendChild(canvas);
    const g = canvas.getContext('2d');
    let frame = 0;
    const draw = () => {
      const t = frame / a.fps;
      // Something that moves, so the encoder has real work: a sweeping box over a slowly changing background.
      g.fillStyle = `hsl(${(t * 20) % 360}, 40%, 30%)`;
      g.fillRect(0, 0, a.width, a.height);
      g.fillStyle = '#e0c040';
      const box = a.height / 4, x = (a.width - box) * (0.5 + 0.5 * Math.sin(t * 2));
      g.fillRect(x, a.height / 2, box, box);
      g.fillStyle = '#ffffff'; g.font = '32px monospace';
      g.fillText(`frame ${frame}`, 20, a.height - 30);
      window.__parleyStamp.write(g, a.width, a.height, frame, Date.now());
      frame++;
      window.__parleyDrawn = frame;
    };
    draw();
    window.__parleyPublisherTimer = setInterval(draw, 1000 / a.fps);
    const stream = canvas.captureStream(a.fps);
    const pc = new RTCPeerConnection(); window.whipPc = pc;
    const transceiver = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly' });
    preferCodec(transceiver, 'video', a.codec);
    const answer = await exchange(pc, `/${a.path}/whip`);
    return answer.split('\r\n').find(l => l.startsWith('a=rtpmap:')) ?? '';
  }

  // { path, playoutDelayHint (s, or null for the browser's default) }
  async function play(a) {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true;
    document.body.appendChild(video);
    const pc = new RTCPeerConnection(); window.whepPc = pc;
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    if (a.playoutDelayHint != null) transceiver.receiver.playoutDelayHint = a.playoutDelayHint;
    pc.ontrack = e => { video.srcObject = new MediaStream([e.track]); video.play().catch(() => {}); };
    window.__parleyProbe.source = 'webrtc';
    window.__parleyProbe.attachVideo(video, {});
    await exchange(pc, `/${a.path}/whep`);
  }

  // Per-frame averages from getStats (ms): the sender's encode time, the receiver's jitter buffer and decode time.
  async function stats(path) {
    const out = { encodeMs: null, jitterBufferMs: null, decodeMs: null, framesDrawn: window.__parleyDrawn ?? 0, framesEncoded: 0, keyFramesEncoded: 0,
      framesSent: 0, packetsSent: 0, packetsReceived: 0, qualityLimitation: '', targetBitrate: 0, hubFrameRate: 0,
      framesReceived: 0, framesDecoded: 0, framesDropped: 0, packetsLost: 0, nacks: 0, plis: 0, codec: '', width: 0, height: 0 };
    const hub = await (await fetch('/api/streams')).json();
    const stream = hub.streams.find(s => s.path === path);
    if (stream) out.hubFrameRate = stream.frameRate;
    if (window.whipPc) (await window.whipPc.getStats()).forEach(r => {
      if (r.type === 'outbound-rtp' && r.kind === 'video' && r.framesEncoded) {
        out.encodeMs = 1000 * r.totalEncodeTime / r.framesEncoded; out.framesEncoded = r.framesEncoded;
        out.keyFramesEncoded = r.keyFramesEncoded ?? 0; out.nacks = r.nackCount ?? 0; out.plis = r.pliCount ?? 0;
        out.framesSent = r.framesSent ?? 0; out.packetsSent = r.packetsSent ?? 0; out.qualityLimitation = r.qualityLimitationReason ?? ''; out.targetBitrate = r.targetBitrate ?? 0;
      }
    });
    if (window.whepPc) {
      const reports = await window.whepPc.getStats();
      reports.forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'video' && r.framesDecoded) {
          out.decodeMs = 1000 * r.totalDecodeTime / r.framesDecoded; out.framesDecoded = r.framesDecoded;
          out.jitterBufferMs = r.jitterBufferEmittedCount ? 1000 * r.jitterBufferDelay / r.jitterBufferEmittedCount : null;
          out.framesDropped = r.framesDropped ?? 0; out.width = r.frameWidth ?? 0; out.height = r.frameHeight ?? 0;
          out.framesReceived = r.framesReceived ?? 0; out.packetsReceived = r.packetsReceived ?? 0; out.packetsLost = r.packetsLost ?? 0; out.nacks = r.nackCount ?? 0; out.plis = r.pliCount ?? 0;
          const codec = r.codecId && reports.get(r.codecId); out.codec = codec ? codec.mimeType : '';
        }
      });
    }
    return out;
  }

  window.__parleyWebRtc = { publish, play, stats };
})();
