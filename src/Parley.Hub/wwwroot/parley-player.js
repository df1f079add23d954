// Parley live player: <parley-player src="http://hub:8080/cam1"></parley-player>, one script tag, no build step.
// Plays a hub stream from /<path>/ws at the live edge:
//  - JPEG streams: frames drawn to a canvas; Opus decoded by WebCodecs and played by an AudioWorklet with a small
//    jitter buffer.
//  - H.264 streams: fragmented MP4 into Media Source Extensions, no pre-buffer; the player jumps to the newest frame
//    when it falls behind, trims what was played, and recovers from stalls and sleeping tabs.
//  - VP8 streams: the hello says "webrtc" and the player plays over WHEP (RFC 9725, POST /<path>/whep on the hub
//    named by src) through one recvonly RTCPeerConnection; the WebSocket stays open until the stream ends.
// Message format (hub side: Parley.Hub.Web.WebMessage): a JSON "hello" text message, then binary messages with a
// 32-byte big-endian header: kind u8, flags u8, track u16, RTP timestamp u32, capture time i64 (Unix us), hub
// arrival i64 (Unix us), media time i64 (us), then the payload.
(() => {
  'use strict';
  if (customElements.get('parley-player')) return;

  const KIND_JPEG = 1, KIND_OPUS = 2, KIND_INIT = 3, KIND_MEDIA = 4;
  const FLAG_AUDIO = 2;
  const HEADER = 32;
  const MAX_LAG_S = 0.5;      // further behind the newest frame than this: jump
  const CATCH_UP_LAG_S = 0.1; // behind by more than this: play slightly faster (Chromium keeps ~5 frames queued)
  const KEEP_BEHIND_S = 4;    // buffered media kept behind the playhead
  const AUDIO_TARGET_MS = 60; // jitter buffer target for WebCodecs audio

  // The AudioWorklet: a ring buffer per channel; starts at the target fill, drops back to it when the fill grows
  // past three times the target (clock drift, a burst after a stall), and refills after an underrun.
  const WORKLET = `
class ParleyJitterBuffer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions;
    this.channels = o.channels; this.target = Math.round(o.targetMs * sampleRate / 1000);
    this.size = sampleRate * 2; this.buffers = []; for (let c = 0; c < this.channels; c++) this.buffers.push(new Float32Array(this.size));
    this.read = 0; this.write = 0; this.playing = false; this.underruns = 0; this.dropped = 0; this.played = 0;
    this.port.onmessage = (e) => this.push(e.data);
    this.lastReport = 0;
  }
  fill() { return (this.write - this.read + this.size) % this.size; }
  push(planes) {
    const n = planes[0].length;
    if (this.fill() + n >= this.size - 1) { this.read = this.write; this.playing = false; }
    for (let c = 0; c < this.channels; c++) {
      const src = planes[Math.min(c, planes.length - 1)], dst = this.buffers[c];
      for (let i = 0, w = this.write; i < n; i++, w = (w + 1) % this.size) dst[w] = src[i];
    }
    this.write = (this.write + n) % this.size;
    if (this.fill() > this.target * 3) { this.dropped += this.fill() - this.target; this.read = (this.write - this.target + this.size) % this.size; }
  }
  process(inputs, outputs) {
    const out = outputs[0], n = out[0].length;
    if (!this.playing && this.fill() >= this.target) this.playing = true;
    if (this.playing && this.fill() < n) { this.playing = false; this.underruns++; }
    for (let c = 0; c < out.length; c++) {
      const dst = out[c], src = this.buffers[Math.min(c, this.channels - 1)];
      if (!this.playing) { dst.fill(0); continue; }
      for (let i = 0, r = this.read; i < n; i++, r = (r + 1) % this.size) dst[i] = src[r];
    }
    if (this.playing) { this.read = (this.read + n) % this.size; this.played += n; }
    if (currentTime - this.lastReport > 0.5) {
      this.lastReport = currentTime;
      this.port.postMessage({ fillMs: this.fill() * 1000 / sampleRate, underruns: this.underruns, played: this.played, dropped: this.dropped });
    }
    return true;
  }
}
registerProcessor('parley-jitter-buffer', ParleyJitterBuffer);`;

  const STYLE = `
:host { display: block; position: relative; background: #000; border-radius: 12px; overflow: hidden; aspect-ratio: 16 / 9; color: #e8eaed; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.stage { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
canvas, video { max-width: 100%; max-height: 100%; width: 100%; height: 100%; object-fit: contain; display: none; }
.shown { display: block; }
.badge { position: absolute; top: 10px; left: 10px; display: flex; gap: 6px; align-items: center; }
.pill { background: rgba(20, 22, 26, .72); backdrop-filter: blur(6px); padding: 3px 9px; border-radius: 999px; font-weight: 600; letter-spacing: .02em; }
.live { background: #d93025; color: #fff; }
.live.off { background: rgba(20, 22, 26, .72); color: #9aa0a6; }
.status { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; color: #9aa0a6; font-size: 15px; pointer-events: none; }
.status:empty { display: none; }
.unmute { position: absolute; right: 10px; bottom: 10px; border: 0; border-radius: 999px; padding: 6px 12px; background: rgba(20, 22, 26, .8); color: #e8eaed; font: inherit; cursor: pointer; display: none; }
.unmute.shown { display: block; }`;

  function wsUrl(src) {
    const url = new URL(src, document.baseURI);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = url.pathname.replace(/\/+$/, '') + '/ws';
    // A join token from the src or the page (room invitation links) goes along; nothing else does.
    const token = url.searchParams.get('token') || new URLSearchParams(location.search).get('token');
    url.search = ''; url.hash = '';
    if (token) url.searchParams.set('token', token);
    return url.toString();
  }

  function readHeader(buffer) {
    const v = new DataView(buffer);
    return {
      kind: v.getUint8(0), flags: v.getUint8(1), track: v.getUint16(2), rtp: v.getUint32(4),
      captureMs: Number(v.getBigInt64(8)) / 1000, arrivalMs: Number(v.getBigInt64(16)) / 1000,
      mediaS: Number(v.getBigInt64(24)) / 1e6,
    };
  }

  // One JPEG to a drawable image (VideoFrame or ImageBitmap; the caller closes it). WebCodecs' ImageDecoder reads the
  // bytes in the page; createImageBitmap needs a Blob, and every Blob is registered with the browser process, which
  // under load made decoding many tiles at 15 fps lag by seconds.
  async function decodeJpeg(bytes) {
    if (typeof ImageDecoder !== 'undefined') {
      const decoder = new ImageDecoder({ data: bytes, type: 'image/jpeg' });
      try { return (await decoder.decode()).image; } finally { decoder.close(); }
    }
    return createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
  }

  // Every player on a page plays into one AudioContext: a context is an audio rendering thread, and a room page has a
  // player per participant. It is created on first use and never closed; a player that stops disconnects its node.
  let sharedAudio = null;
  function sharedAudioContext() {
    if (!sharedAudio) {
      const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
      const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
      const ready = ctx.audioWorklet.addModule(url).then(() => ctx).finally(() => URL.revokeObjectURL(url));
      sharedAudio = { ctx, ready };
      // Autoplay refused: one click on any player's Unmute resumes them all.
      ctx.addEventListener('statechange', () => {
        if (ctx.state === 'running') document.querySelectorAll('parley-player').forEach((p) => p.audioResumed && p.audioResumed());
      });
    }
    return sharedAudio.ready;
  }

  class ParleyPlayer extends HTMLElement {
    static get observedAttributes() { return ['src']; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = `<style>${STYLE}</style><div class="stage"><canvas part="canvas"></canvas><video part="video" playsinline></video></div>
<div class="badge"><span class="pill live off">LIVE</span><span class="pill delay">–</span></div><div class="status">Connecting…</div>
<button class="unmute" type="button">Unmute</button>`;
      this.canvas = root.querySelector('canvas');
      this.video = root.querySelector('video');
      this.statusEl = root.querySelector('.status');
      this.liveEl = root.querySelector('.live');
      this.delayEl = root.querySelector('.delay');
      this.unmuteEl = root.querySelector('.unmute');
      this.unmuteEl.addEventListener('click', () => this.unmute());
      this.stats = { state: 'idle', mode: null, framesDrawn: 0, framesDropped: 0, segments: 0, jumps: 0, stallRecoveries: 0, reconnects: 0,
        audioFramesDecoded: 0, audioUnderruns: 0, audioFillMs: 0, delayMs: null, trims: 0, messages: 0, jpegReceived: 0 };
      this.retryMs = 500;
    }

    connectedCallback() { this.start(); }
    disconnectedCallback() { this.stop(); }
    attributeChangedCallback() { if (this.isConnected) { this.stop(); this.start(); } }

    start() {
      const src = this.getAttribute('src');
      if (!src) { this.setStatus('No stream: set the src attribute'); return; }
      this.stopped = false;
      this.connect(wsUrl(src));
      this.timer = setInterval(() => this.tick(), 250);
      this.onVisible = () => { if (document.visibilityState === 'visible') this.jumpToLive('tab visible'); };
      document.addEventListener('visibilitychange', this.onVisible);
    }

    stop() {
      this.stopped = true;
      clearInterval(this.timer); clearTimeout(this.retry);
      document.removeEventListener('visibilitychange', this.onVisible);
      if (this.ws) { this.ws.onclose = null; this.ws.close(); this.ws = null; }
      this.resetMedia();
    }

    setStatus(text) { this.statusEl.textContent = text; }

    connect(url) {
      this.stats.state = 'connecting';
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      this.ws = ws;
      ws.onmessage = (e) => typeof e.data === 'string' ? this.onHello(JSON.parse(e.data)) : this.onBinary(e.data);
      ws.onclose = () => {
        if (this.stopped || this.ws !== ws) return;
        this.stats.state = 'reconnecting'; this.stats.reconnects++;
        this.liveEl.classList.add('off');
        this.setStatus(this.stats.framesDrawn || this.stats.segments ? 'Stream interrupted, reconnecting…' : 'Waiting for the stream…');
        this.resetMedia();
        this.retry = setTimeout(() => this.connect(url), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 3000);
      };
    }

    onHello(hello) {
      if (hello.type !== 'hello') return;
      this.hello = hello;
      this.stats.mode = hello.mode; this.stats.state = 'playing';
      this.retryMs = 500;
      this.setStatus('');
      this.liveEl.classList.remove('off');
      this.canvas.classList.toggle('shown', hello.mode === 'jpeg' && hello.videoTrack >= 0);
      this.video.classList.toggle('shown', hello.mode === 'mse' || hello.mode === 'webrtc');
      if (hello.mode === 'jpeg' && hello.audioTrack >= 0) this.startAudio(hello.audioChannels || 1);
      if (hello.mode === 'webrtc') this.startWhep(hello);
      this.dispatchEvent(new CustomEvent('hello', { detail: hello }));
    }

    onBinary(buffer) {
      this.stats.messages++;
      if (buffer.byteLength < HEADER) return;
      const h = readHeader(buffer);
      switch (h.kind) {
        case KIND_JPEG: this.onJpeg(h, new Uint8Array(buffer, HEADER)); break;
        case KIND_OPUS: this.onOpus(h, new Uint8Array(buffer, HEADER)); break;
        case KIND_INIT: this.onInit(h, buffer); break;
        case KIND_MEDIA: this.onSegment(h, new Uint8Array(buffer, HEADER)); break;
      }
    }

    // --- JPEG: decode off the main thread, draw the newest; a frame that arrives while one decodes replaces the waiting one.
    onJpeg(h, bytes) {
      this.stats.jpegReceived++;
      if (this.pendingJpeg) this.stats.framesDropped++;
      this.pendingJpeg = { h, bytes };
      // A decode that never settles must not freeze the picture: after a second, a new decode loop takes over and
      // the stale one ends quietly.
      if (this.decodingJpeg && performance.now() - this.jpegDecodeStarted > 1000) { this.decodingJpeg = false; this.stats.decodeRestarts = (this.stats.decodeRestarts || 0) + 1; }
      if (!this.decodingJpeg) this.decodeNextJpeg();
    }

    async decodeNextJpeg() {
      this.decodingJpeg = true;
      const loop = this.jpegLoop = (this.jpegLoop || 0) + 1;
      while (this.pendingJpeg && loop === this.jpegLoop) {
        const { h, bytes } = this.pendingJpeg; this.pendingJpeg = null;
        this.jpegDecodeStarted = performance.now();
        try {
          const image = await decodeJpeg(bytes);
          if (loop !== this.jpegLoop) { image.close(); return; }
          const width = image.displayWidth || image.width, height = image.displayHeight || image.height;
          if (this.canvas.width !== width || this.canvas.height !== height) { this.canvas.width = width; this.canvas.height = height; }
          this.canvas.getContext('2d').drawImage(image, 0, 0);
          image.close();
          this.stats.framesDrawn++;
          this.stats.decodeMs = performance.now() - this.jpegDecodeStarted;
          this.stats.delayMs = Math.max(0, Date.now() - h.captureMs);
        } catch { this.stats.framesDropped++; }
      }
      if (loop === this.jpegLoop) this.decodingJpeg = false;
    }

    // --- Opus through WebCodecs into the jitter-buffer worklet (one node per player on the page's shared context).
    async startAudio(channels) {
      if (typeof AudioDecoder === 'undefined' || typeof AudioWorkletNode === 'undefined') return;
      const audio = this.audio = { node: null, decoder: null, channels };
      const ctx = await sharedAudioContext();
      if (this.audio !== audio) return;
      const node = new AudioWorkletNode(ctx, 'parley-jitter-buffer', { numberOfInputs: 0, outputChannelCount: [2], processorOptions: { channels, targetMs: AUDIO_TARGET_MS } });
      node.port.onmessage = (e) => { this.stats.audioFillMs = e.data.fillMs; this.stats.audioUnderruns = e.data.underruns; };
      node.connect(ctx.destination);
      const decoder = new AudioDecoder({
        output: (data) => {
          const planes = [];
          for (let c = 0; c < data.numberOfChannels; c++) {
            const plane = new Float32Array(data.numberOfFrames);
            data.copyTo(plane, { planeIndex: c, format: 'f32-planar' });
            planes.push(plane);
          }
          data.close();
          this.stats.audioFramesDecoded++;
          node.port.postMessage(planes, planes.map((p) => p.buffer));
        },
        error: () => { this.stats.audioErrors = (this.stats.audioErrors || 0) + 1; },
      });
      decoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: channels });
      Object.assign(audio, { node, decoder });
      if (ctx.state !== 'running') this.unmuteEl.classList.add('shown');
    }

    onOpus(h, bytes) {
      const a = this.audio;
      if (!a || !a.decoder || a.decoder.state !== 'configured') return;
      a.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: Math.round(h.rtp * 1e6 / 48000), data: bytes }));
    }

    audioResumed() { if ((!this.mse && !this.whep) || !this.video.muted) this.unmuteEl.classList.remove('shown'); }

    unmute() {
      this.unmuteEl.classList.remove('shown');
      if (sharedAudio) sharedAudio.ctx.resume();
      this.video.muted = false;
      this.video.play().catch(() => {});
    }

    // --- VP8 (+ Opus) over WHEP (RFC 9725): the hub forwards the publisher's packets as they are into one
    // recvonly RTCPeerConnection. The WebSocket stays open without media and closes when the stream ends, which
    // resets this and reconnects as for the other modes.
    async startWhep(hello) {
      if (typeof RTCPeerConnection === 'undefined') { this.setStatus('This browser cannot play WebRTC'); return; }
      const pc = new RTCPeerConnection();
      const whep = this.whep = { pc, location: null };
      if (hello.videoTrack >= 0) pc.addTransceiver('video', { direction: 'recvonly' });
      if (hello.audioTrack >= 0) pc.addTransceiver('audio', { direction: 'recvonly' });
      const stream = new MediaStream();
      pc.ontrack = (e) => { stream.addTrack(e.track); if (this.whep === whep) this.play(); };
      this.video.srcObject = stream;
      pc.onconnectionstatechange = () => {
        if (this.whep === whep && pc.connectionState === 'failed') this.fail('WebRTC connection failed');
      };
      try {
        await pc.setLocalDescription(await pc.createOffer());
        // The hub is the one src names (the page may be another site's), and the join token the WebSocket carried
        // (if any) authorizes the WHEP requests too.
        const hub = new URL(this.getAttribute('src'), document.baseURI);
        const url = new URL(`/${hello.path.split('/').map(encodeURIComponent).join('/')}/whep`, hub);
        const token = new URL(wsUrl(this.getAttribute('src'))).searchParams.get('token');
        if (token) url.searchParams.set('token', token);
        const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
        const body = await response.text();
        const location = response.headers.get('Location');
        if (response.status === 201 && location) {
          const resource = new URL(location, url); // RFC 9725 §4.2: relative to the request URL
          if (token) resource.searchParams.set('token', token);
          whep.location = resource.href;
        }
        if (this.whep !== whep) {
          // Stopped while the offer was on its way: end the session the hub has just made.
          if (whep.location) fetch(whep.location, { method: 'DELETE', keepalive: true }).catch(() => {});
          return;
        }
        if (response.status !== 201) { this.setStatus(`The hub refused WebRTC playback (${response.status}): ${body}`); return; }
        await pc.setRemoteDescription({ type: 'answer', sdp: body });
      } catch (e) {
        if (this.whep === whep) this.fail(e.message || String(e));
      }
    }

    stopWhep() {
      const whep = this.whep;
      if (!whep) return;
      this.whep = null;
      whep.pc.close();
      // Ends the hub's session at once rather than when ICE consent runs out.
      if (whep.location) fetch(whep.location, { method: 'DELETE', keepalive: true }).catch(() => {});
      this.video.srcObject = null;
    }

    // --- H.264 + Opus fMP4 into MSE.
    onInit(h, buffer) {
      const view = new DataView(buffer, HEADER);
      const mimeLength = view.getUint16(0);
      const mime = new TextDecoder().decode(new Uint8Array(buffer, HEADER + 2, mimeLength));
      const segment = new Uint8Array(buffer, HEADER + 2 + mimeLength);
      if (!this.mse) {
        if (!window.MediaSource || !MediaSource.isTypeSupported(mime)) { this.setStatus(`This browser cannot play ${mime}`); return; }
        const ms = new MediaSource();
        this.mse = { ms, sb: null, queue: [segment], mime, lastMediaS: 0, lastCaptureMs: 0, lastTime: -1, stalledSince: 0 };
        this.video.src = URL.createObjectURL(ms);
        ms.addEventListener('sourceopen', () => {
          URL.revokeObjectURL(this.video.src);
          const sb = ms.addSourceBuffer(mime);
          sb.mode = 'segments';
          sb.addEventListener('updateend', () => this.afterAppend());
          sb.addEventListener('error', () => this.fail('the browser could not decode the stream'));
          this.mse.sb = sb;
          this.appendNext();
        }, { once: true });
        return;
      }

      if (mime !== this.mse.mime && this.mse.sb && this.mse.sb.changeType) { this.mse.pendingType = mime; this.mse.mime = mime; }
      this.mse.queue.push(segment);
      this.appendNext();
    }

    onSegment(h, segment) {
      const m = this.mse;
      if (!m) return;
      if (!(h.flags & FLAG_AUDIO)) { m.lastMediaS = h.mediaS; m.lastCaptureMs = h.captureMs; this.stats.segments++; }
      // A backlog means the browser is behind: keep the queue short, MSE will jump to the newest data anyway.
      m.queue.push(segment.slice());
      this.appendNext();
    }

    appendNext() {
      const m = this.mse;
      if (!m || !m.sb || m.sb.updating || m.queue.length === 0 || m.ms.readyState !== 'open') return;
      if (m.pendingType) { m.sb.changeType(m.pendingType); m.pendingType = null; }
      const next = m.queue.shift();
      try { m.sb.appendBuffer(next); } catch (e) {
        if (e.name === 'QuotaExceededError') { m.queue.unshift(next); this.trim(true); } else this.fail(e.message);
      }
    }

    afterAppend() {
      const m = this.mse, v = this.video;
      if (!m) return;
      if (v.buffered.length) {
        const end = v.buffered.end(v.buffered.length - 1);
        if (!m.started) {
          m.started = true;
          v.currentTime = Math.max(v.buffered.start(v.buffered.length - 1), end - 0.05);
          this.play();
        } else if (end - v.currentTime > MAX_LAG_S) {
          this.jumpToLive('behind');
        }
      }
      if (!this.trim(false)) this.appendNext();
    }

    play() {
      this.video.play().catch(() => {
        // Autoplay with sound refused: play muted and offer to unmute.
        this.video.muted = true;
        this.unmuteEl.classList.add('shown');
        this.video.play().catch(() => {});
      });
    }

    jumpToLive(reason) {
      const m = this.mse, v = this.video;
      if (!m || !v.buffered.length) return;
      const start = v.buffered.start(v.buffered.length - 1), end = v.buffered.end(v.buffered.length - 1);
      v.currentTime = Math.max(start, end - 0.05);
      this.stats.jumps++;
      this.stats.lastJump = reason;
      if (v.paused) this.play();
    }

    // Removes what was played long ago so the SourceBuffer never fills up; true when a removal started.
    trim(force) {
      const m = this.mse, v = this.video;
      if (!m || !m.sb || m.sb.updating || !v.buffered.length) return false;
      const start = v.buffered.start(0), keepFrom = v.currentTime - (force ? 1 : KEEP_BEHIND_S);
      if (keepFrom - start < (force ? 0.1 : KEEP_BEHIND_S)) return false;
      m.sb.remove(start, keepFrom);
      this.stats.trims++;
      return true;
    }

    fail(message) {
      this.setStatus(`Playback failed (${message}), restarting…`);
      if (this.ws) this.ws.close();
    }

    // Four times a second: delay figures, catch-up rate, stall recovery.
    tick() {
      const m = this.mse, v = this.video;
      if (m && v.buffered.length && m.started) {
        const end = v.buffered.end(v.buffered.length - 1), lag = end - v.currentTime;
        v.playbackRate = lag > CATCH_UP_LAG_S ? 1.1 : 1.0;
        if (v.currentTime === m.lastTime && lag > 0.1 && !document.hidden) {
          if (!m.stalledSince) m.stalledSince = performance.now();
          else if (performance.now() - m.stalledSince > 1000) { this.stats.stallRecoveries++; m.stalledSince = 0; this.jumpToLive('stalled'); }
        } else m.stalledSince = 0;
        m.lastTime = v.currentTime;
        if (m.lastCaptureMs) this.stats.delayMs = Math.max(0, Date.now() - m.lastCaptureMs + (m.lastMediaS - v.currentTime) * 1000);
        this.stats.lagMs = lag * 1000;
      }
      if (this.stats.delayMs != null) this.delayEl.textContent = `${Math.round(this.stats.delayMs)} ms`;
    }

    resetMedia() {
      if (this.audio) {
        try { this.audio.decoder && this.audio.decoder.close(); } catch {}
        if (this.audio.node) this.audio.node.disconnect();
        this.audio = null;
      }
      if (this.mse) { this.mse = null; this.video.removeAttribute('src'); this.video.load(); }
      this.stopWhep();
      this.pendingJpeg = null;
    }
  }

  customElements.define('parley-player', ParleyPlayer);
})();
