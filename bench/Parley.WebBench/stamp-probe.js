// Reads the `parley send test` stamp back from the pixels the <parley-player> on this page renders and records
// the latency Date.now() - captureMs once per stamped frame (the first time that frame number is seen).
// The stamp (src/Parley.Codecs/Synthetic/TestPatternGenerator.cs): 16 x 8 cells in the top-left corner, 16 px for
// frames of at least 320 x 240, 8 px for at least 128 x 64; 128 bits MSB first, row by row: 0xA5, frame number
// (40 bits), capture Unix ms (64 bits, signed), CRC-16/CCITT-FALSE over the first 14 bytes. Like TryReadStamp, each
// cell's middle quarter is averaged in limited-range luma (BT.601) and thresholded halfway between Y 16 and Y 235.
// Video (MSE): sampled in requestVideoFrameCallback, i.e. when the compositor gets a new frame. Canvas (JPEG):
// sampled every requestAnimationFrame, i.e. on the display frame after the player drew it.
(() => {
  if (window.__parleyProbe) return;
  const probe = window.__parleyProbe = {
    source: null, samples: [], playerDelays: [], newestAges: [], aheadMs: [], decoded: 0, rejected: 0, skipped: 0, lastFrame: -1,
    reset() { this.samples = []; this.playerDelays = []; this.newestAges = []; this.aheadMs = []; this.decoded = 0; this.rejected = 0; this.skipped = 0; },
  };
  const scratch = document.createElement('canvas');
  const ctx = scratch.getContext('2d', { willReadFrequently: true });
  const bits = new Uint8Array(16);
  const view = new DataView(bits.buffer);

  function crc16(data, length) {
    let crc = 0xFFFF;
    for (let i = 0; i < length; i++) {
      crc ^= data[i] << 8;
      for (let b = 0; b < 8; b++) crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
    }
    return crc;
  }

  function cellSize(w, h) { return w >= 320 && h >= 240 ? 16 : (w >= 128 && h >= 64 ? 8 : 0); }

  // Returns { frame, captureMs } or null when the magic or CRC does not match.
  function readStamp(source, width, height) {
    const cell = cellSize(width, height);
    if (!cell) return null;
    const w = 16 * cell, h = 8 * cell, q = cell / 4;
    if (scratch.width !== w || scratch.height !== h) { scratch.width = w; scratch.height = h; }
    ctx.drawImage(source, 0, 0, w, h, 0, 0, w, h);
    const px = ctx.getImageData(0, 0, w, h).data;
    bits.fill(0);
    for (let i = 0; i < 128; i++) {
      const x0 = (i % 16) * cell + q, y0 = Math.floor(i / 16) * cell + q;
      let sum = 0;
      for (let y = y0; y < y0 + 2 * q; y++) {
        for (let x = x0, o = (y * w + x0) * 4; x < x0 + 2 * q; x++, o += 4) {
          sum += 16 + (65.481 * px[o] + 128.553 * px[o + 1] + 24.966 * px[o + 2]) / 255;
        }
      }
      if (sum > Math.floor((16 + 235) / 2) * 4 * q * q) bits[i >> 3] |= 0x80 >> (i & 7);
    }
    if (bits[0] !== 0xA5 || view.getUint16(14) !== crc16(bits, 14)) return null;
    return { frame: Number((view.getBigUint64(0) >> 16n) & 0xFFFFFFFFFFn), captureMs: Number(view.getBigInt64(6)) };
  }

  function record(source, width, height, player) {
    const now = Date.now();
    const stamp = readStamp(source, width, height);
    if (!stamp) { probe.rejected++; return; }
    if (stamp.frame === probe.lastFrame) return;
    if (probe.lastFrame >= 0 && stamp.frame > probe.lastFrame + 1) probe.skipped += stamp.frame - probe.lastFrame - 1;
    probe.lastFrame = stamp.frame;
    probe.decoded++;
    probe.samples.push(now - stamp.captureMs);
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

  function attach() {
    const player = document.querySelector('parley-player');
    const mode = player && player.stats && player.stats.mode;
    if (!mode) { setTimeout(attach, 100); return; }
    probe.source = mode;
    if (mode === 'mse') {
      const video = player.shadowRoot.querySelector('video');
      const onFrame = () => {
        if (video.videoWidth) record(video, video.videoWidth, video.videoHeight, player);
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
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
