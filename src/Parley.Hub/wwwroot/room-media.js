// The room's media over WebRTC (docs/rooms-protocol.md, "WebRTC"): the camera and microphone go to the hub, and
// every other participant whose stream WebRTC carries as is (H.264, VP8, Opus) comes back, all on ONE
// RTCPeerConnection. The hub is ICE-lite and only answers, so this side always offers: once after `welcome`, and
// again whenever the set of streams to receive changes (a participant update here, or `webrtc-renegotiate` from
// the hub). Each remote participant gets one recvonly transceiver per track; the offer tells the hub which mid
// belongs to whom (`mids`), and the answer says which of them it carries. Streams WebRTC cannot carry (JPEG) stay
// on the WebSocket player. 'change' events ask the page to redraw its tiles.

const FORWARDED = new Set(['h264', 'vp8', 'opus']);
const ANSWER_TIMEOUT_MS = 15000;

/** True when every track of <p>'s stream can be forwarded to a browser over WebRTC without transcoding. */
export function isWebRtcStream(p) {
  const tracks = (p && p.publishing && p.tracks) || [];
  return tracks.length > 0 && tracks.every((t) => FORWARDED.has(String(t.codec || '').toLowerCase()));
}

// The codecs the hub forwards, so a recvonly section offers only what can arrive (and the offer stays small).
function receivable(kind) {
  const caps = RTCRtpReceiver.getCapabilities ? RTCRtpReceiver.getCapabilities(kind) : null;
  if (!caps) return null;
  const codecs = caps.codecs.filter((c) => {
    const name = c.mimeType.split('/')[1].toLowerCase();
    if (name === 'h264') return /packetization-mode=1/.test(c.sdpFmtpLine || '');
    return name === 'vp8' || name === 'opus';
  });
  return codecs.length ? codecs : null;
}

const signature = (p) => (p.tracks || []).map((t) => `${t.kind}:${t.codec}`).join(',');

export class RoomMedia extends EventTarget {
  constructor(connection) {
    super();
    this.connection = connection;
    this.local = null; // the camera and microphone, or null for a viewer
    this.captureError = null;
    this.captureSettled = false; // the first request for camera and microphone has been answered
    this.capturing = null; // the request in flight
    this.released = false; // left the room: nothing is captured or sent any more
    this.pc = null;
    this.remotes = new Map(); // participant id -> { signature, transceivers, stream, accepted }
    this.unavailable = false; // the hub has WebRTC off: everyone plays over WebSocket
    this.negotiating = false;
    this.again = false;
    this.waiting = null;
    this.offers = 0;
    connection.addEventListener('webrtc-answer', (e) => this.answered(e.detail));
    connection.addEventListener('webrtc-renegotiate', () => this.negotiate());
    connection.addEventListener('error', (e) => this.refused(e.detail));
  }

  /**
   * Asks for the camera and microphone (echo cancellation on); a refusal leaves a viewer who still sees and chats.
   * One request at a time: a call while one is in flight gets the same answer.
   */
  capture() {
    if (this.local) return Promise.resolve(this.local);
    if (!this.capturing) this.capturing = this.requestDevices().finally(() => { this.capturing = null; });
    return this.capturing;
  }

  async requestDevices() {
    const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    const video = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } };
    for (const constraints of [{ video, audio }, { audio }, { video }]) {
      try {
        const local = await navigator.mediaDevices.getUserMedia(constraints);
        if (this.released) {
          // Left the room while the browser was asking: the camera goes off again at once.
          for (const track of local.getTracks()) track.stop();
          return null;
        }
        this.local = local;
        this.captureError = null;
        return local;
      } catch (e) {
        this.captureError = e.message || String(e);
      }
    }
    return null;
  }

  get hasAudio() { return !!this.local && this.local.getAudioTracks().length > 0; }
  get hasVideo() { return !!this.local && this.local.getVideoTracks().length > 0; }

  /** Turns the microphone or camera off (the track sends silence or black) or on again; returns the new muted state. */
  setMuted(kind, muted) {
    if (!this.local) return true;
    for (const track of kind === 'audio' ? this.local.getAudioTracks() : this.local.getVideoTracks()) track.enabled = !muted;
    return muted;
  }

  /** A fresh peer connection (after every welcome: a rejoin is a new participant on the hub) showing <others>. */
  start(others) {
    this.stop();
    if (this.unavailable) return;
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    if (this.local) {
      for (const track of this.local.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [this.local] });
    }
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'failed') this.restartSoon();
      this.dispatchEvent(new CustomEvent('state', { detail: pc.connectionState }));
    };
    this.update(others, true);
  }

  stop() {
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (this.waiting) { this.waiting.reject(new Error('stopped')); this.waiting = null; }
    if (this.pc) this.pc.close();
    this.pc = null;
    this.remotes.clear();
    this.dispatchEvent(new Event('change'));
  }

  /** Closes the peer connection and turns the camera and microphone off (leaving the room). */
  release() {
    this.released = true;
    this.stop();
    if (this.local) for (const track of this.local.getTracks()) track.stop();
    this.local = null;
  }

  /** The stream to show for participant <id> over WebRTC, once the hub's answer carries it; null otherwise. */
  streamFor(id) {
    const remote = this.remotes.get(id);
    return remote && remote.accepted ? remote.stream : null;
  }

  /**
   * True when <p> is (or is about to be) received over WebRTC rather than the WebSocket player: its stream is one
   * WebRTC carries, the hub has WebRTC on, and the hub did not refuse its sections in the last answer.
   */
  receives(p) {
    if (this.unavailable || typeof RTCPeerConnection === 'undefined' || !isWebRtcStream(p)) return false;
    const remote = this.remotes.get(p.id);
    return !(remote && remote.answered && !remote.accepted);
  }

  /** Brings the transceivers in line with <others> (everyone but self) and offers again if anything changed. */
  update(others, force = false) {
    this.others = others;
    if (!this.pc) return;
    const wanted = new Map(others.filter(isWebRtcStream).map((p) => [p.id, signature(p)]));
    let changed = force;
    for (const [id, remote] of this.remotes) {
      if (wanted.get(id) === remote.signature) continue;
      for (const t of remote.transceivers) t.stop();
      this.remotes.delete(id);
      changed = true;
    }
    for (const p of others) {
      if (!wanted.has(p.id) || this.remotes.has(p.id)) continue;
      const transceivers = (p.tracks || []).map((track) => {
        const t = this.pc.addTransceiver(track.kind, { direction: 'recvonly' });
        const codecs = receivable(track.kind);
        if (codecs && t.setCodecPreferences) t.setCodecPreferences(codecs);
        return t;
      });
      this.remotes.set(p.id, { signature: wanted.get(p.id), transceivers, stream: new MediaStream(transceivers.map((t) => t.receiver.track)), accepted: false, answered: false });
      changed = true;
    }
    if (changed) {
      this.dispatchEvent(new Event('change'));
      this.negotiate();
    }
  }

  async negotiate() {
    const pc = this.pc;
    if (!pc) return;
    if (this.negotiating) { this.again = true; return; }
    if (!pc.getTransceivers().some((t) => !t.stopped && t.direction !== 'stopped')) return;
    this.negotiating = true;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      const mids = {};
      for (const [id, remote] of this.remotes) for (const t of remote.transceivers) if (t.mid) mids[t.mid] = id;
      const ref = `webrtc-${++this.offers}`;
      const answer = await new Promise((resolve, reject) => {
        this.waiting = { ref, resolve, reject };
        setTimeout(() => reject(new Error('the hub did not answer the offer')), ANSWER_TIMEOUT_MS);
        if (!this.connection.send({ type: 'webrtc-offer', sdp: pc.localDescription.sdp, mids, ref })) reject(new Error('not connected'));
      });
      if (pc !== this.pc) return;
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      for (const [id, remote] of this.remotes) {
        remote.accepted = remote.transceivers.some((t) => answer.mids && answer.mids[t.mid] === id);
        remote.answered = true;
      }
      this.dispatchEvent(new Event('change'));
    } catch (e) {
      console.warn(`room media: negotiation failed: ${e.message}`);
      if (pc === this.pc && pc.signalingState === 'have-local-offer') {
        try { await pc.setLocalDescription({ type: 'rollback' }); } catch { /* closed meanwhile */ }
      }
    } finally {
      this.waiting = null;
      this.negotiating = false;
      // A negotiation asked for meanwhile runs now, on whichever connection is current: start() may have replaced
      // the one this offer was for.
      if (this.again && this.pc) { this.again = false; this.negotiate(); }
    }
  }

  answered(message) {
    if (this.waiting && message.ref === this.waiting.ref) this.waiting.resolve(message);
  }

  refused(error) {
    if (!error || !String(error.code || '').startsWith('webrtc-')) return;
    if (error.code === 'webrtc-unavailable') {
      this.unavailable = true;
      this.stop();
    }
    if (this.waiting && (!error.ref || error.ref === this.waiting.ref)) this.waiting.reject(new Error(error.message));
    if (error.code === 'webrtc-failed') this.restartSoon();
  }

  // The hub refused an offer, or the connection failed: a new peer connection, at most one every 5 s (a refusal that
  // repeats must not become a loop).
  restartSoon() {
    if (!this.pc || this.restartTimer) return;
    const wait = Math.max(0, (this.lastRestart || 0) + 5000 - Date.now());
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.lastRestart = Date.now();
      if (this.pc && this.others) this.start(this.others);
    }, wait);
  }
}
