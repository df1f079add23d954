// Reads the `parley send test` stamp (stamp-codec.js) back from the pixels the <parley-player> on this page renders
// and records the latency Date.now() - captureMs once per stamped frame (the first time that frame number is seen).
// A page without a player (the WebRTC run) sets window.__parleyProbeManual and calls __parleyProbe.attachVideo.
// Video (MSE): sampled in requestVideoFrameCallback, i.e. when the compositor gets a new frame. Canvas (JPEG):
// sampled every requestAnimationFrame, i.e. on the display frame after the player drew it.
(() => {
  if (window.__parleyProbe) return;
  const probe = window.__parleyProbe = {
    source: null, samples: [], playerDelays: [], newestAges: [], aheadMs: [], receiveAges: [], decoded: 0, rejected: 0, skipped: 0, lastFrame: -1,
    reset() { this.samples = []; this.playerDelays = []; this.newestAges = []; this.aheadMs = []; this.receiveAges = []; this.decoded = 0; this.rejected = 0; this.skipped = 0; },
  };
  const readStamp = window.__parleyStamp.read; // stamp-codec.js, evaluated first

  function record(source, width, height, player, metadata) {
    const now = Date.now();
    const stamp = readStamp(source, width, height);
    if (!stamp) { probe.rejected++; return; }
    if (stamp.frame === probe.lastFrame) return;
    if (probe.lastFrame >= 0 && stamp.frame > probe.lastFrame + 1) probe.skipped += stamp.frame - probe.lastFrame - 1;
    probe.lastFrame = stamp.frame;
    probe.decoded++;
    probe.samples.push(now - stamp.captureMs);
    // WebRTC: requestVideoFrameCallback tells when the frame's last packet arrived (performance.now() time base), so
    // the latency splits into stamp-to-received (encode, packetize, hub, network) and received-to-shown (jitter
    // buffer, decode, compositing).
    if (metadata && metadata.receiveTime) probe.receiveAges.push(performance.timeOrigin + metadata.receiveTime - stamp.captureMs);
    if (player.stats && player.stats.delayMs != null) probe.playerDelays.push(player.stats.delayMs);
    // MSE breakdown: how old the newest frame that reached the page is (encode + RTP + hub + WebSocket), and how much
    // media the SourceBuffer holds ahead of the playhead; the rest of the latency is Chromium's decode and render.
    const m = player.mse;
    if (m && m.lastCaptureMs) {
      probe.newestAges.push(now - m.lastCaptureMs);
      const b = source.buffered;
      if (b && b.length) probe.aheadMs.push((b.end(b.length - 1) - source.currentTime) * 1000);
    }
  }

  // Samples a <video> in requestVideoFrameCallback, i.e. when the compositor gets a new frame.
  probe.attachVideo = (video, player) => {
    const onFrame = (now, metadata) => {
      if (video.videoWidth) record(video, video.videoWidth, video.videoHeight, player, metadata);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };

  function attach() {
    if (window.__parleyProbeManual) return;
    const player = document.querySelector('parley-player');
    const mode = player && player.stats && player.stats.mode;
    if (!mode) { setTimeout(attach, 100); return; }
    probe.source = mode;
    if (mode === 'mse') {
      probe.attachVideo(player.shadowRoot.querySelector('video'), player);
    } else {
      const canvas = player.shadowRoot.querySelector('canvas');
      const onAnimationFrame = () => {
        if (canvas.width) record(canvas, canvas.width, canvas.height, player);
        requestAnimationFrame(onAnimationFrame);
      };
      requestAnimationFrame(onAnimationFrame);
    }
  }

  attach();
})();
