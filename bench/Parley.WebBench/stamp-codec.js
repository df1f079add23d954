// The `parley send test` stamp (src/Parley.Codecs/Synthetic/TestPatternGenerator.cs), read from and drawn into
// pixels in the page: 16 x 8 cells in the top-left corner, 16 px for frames of at least 320 x 240, 8 px for at least
// 128 x 64; 128 bits MSB first, row by row: 0xA5, frame number (40 bits), capture Unix ms (64 bits, signed),
// CRC-16/CCITT-FALSE over the first 14 bytes. Like TryReadStamp, each cell's middle quarter is averaged in
// limited-range luma (BT.601) and thresholded halfway between Y 16 and Y 235. Shared by stamp-probe.js (reading
// players) and webrtc-latency.js (a canvas that publishes stamped frames over WHIP).
(() => {
  if (window.__parleyStamp) return;
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

  // Returns { frame, captureMs } or null when there is no stamp or the magic or CRC does not match.
  function read(source, width, height) {
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

  // Draws the stamp of (frame, captureMs) into a 2D context whose canvas is width x height (black and white cells).
  function write(g, width, height, frame, captureMs) {
    const cell = cellSize(width, height);
    if (!cell) return;
    const out = new Uint8Array(16), v = new DataView(out.buffer);
    v.setBigUint64(0, (0xA5n << 56n) | ((BigInt(frame) & 0xFFFFFFFFFFn) << 16n));
    v.setBigInt64(6, BigInt(captureMs));
    v.setUint16(14, crc16(out, 14));
    for (let i = 0; i < 128; i++) {
      g.fillStyle = (out[i >> 3] & (0x80 >> (i & 7))) ? '#ffffff' : '#000000';
      g.fillRect((i % 16) * cell, Math.floor(i / 16) * cell, cell, cell);
    }
  }

  window.__parleyStamp = { read, write, cellSize };
})();
