// The room control connection (docs/rooms-protocol.md): one WebSocket to /r/<room>/ws, `join` first, a `ping`
// every 3 s (the hub drops a participant silent for 10 s), and a fresh `join` after the connection drops, for
// example when the hub restarts. Every hub message is dispatched as an event named after its type (detail: the
// message); 'state' events carry the connection state.

const PING_MS = 3000;
// No message from the hub for this long means the connection is dead even if the socket has not noticed yet.
const SILENCE_MS = 10000;
const RETRY_FIRST_MS = 500, RETRY_MAX_MS = 3000;
// Errors after which joining again cannot help; the hub closes the connection after the first two.
const FATAL = new Set(['room-full', 'too-many-rooms', 'bad-name']);

/** Room names the hub accepts (1 to 64 of A-Z a-z 0-9 - _ ., not starting with '.'). */
export const isRoomName = (room) => /^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,63}$/.test(room);

export class RoomConnection extends EventTarget {
  constructor(room, name) {
    super();
    this.room = room;
    this.name = name;
    this.state = 'idle';
    this.ws = null;
    this.retryMs = RETRY_FIRST_MS;
    this.everJoined = false;
    this.stopped = false;
  }

  get url() {
    const url = new URL(`/r/${encodeURIComponent(this.room)}/ws`, location.href);
    // An invitation link carries a join token (?token=...); the socket presents it to the hub.
    const token = new URLSearchParams(location.search).get('token');
    if (token) url.searchParams.set('token', token);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  open() {
    this.stopped = false;
    this.connect();
  }

  /** Sends one message; false when the connection is not open (the caller shows it as not sent). */
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Says goodbye and stops reconnecting. */
  leave() {
    this.stopped = true;
    clearTimeout(this.retry);
    if (this.ws) {
      this.send({ type: 'leave' });
      this.close(this.ws);
    }
    this.setState('left');
  }

  connect() {
    this.setState(this.everJoined ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      this.send({ type: 'join', name: this.name });
      ws.pinger = setInterval(() => this.keepAlive(ws), PING_MS);
    };
    ws.onmessage = (e) => this.receive(ws, e.data);
    ws.onclose = () => this.dropped(ws);
  }

  keepAlive(ws) {
    if (Date.now() - this.lastHeard > SILENCE_MS) { this.dropped(ws); return; }
    this.send({ type: 'ping' });
  }

  receive(ws, data) {
    if (ws !== this.ws || typeof data !== 'string') return;
    this.lastHeard = Date.now();
    let message;
    try { message = JSON.parse(data); } catch { return; }
    if (!message || typeof message.type !== 'string') return;
    if (message.type === 'welcome') {
      this.everJoined = true;
      this.retryMs = RETRY_FIRST_MS;
      this.setState('joined');
    } else if (message.type === 'error' && this.state !== 'joined' && FATAL.has(message.code)) {
      this.stopped = true;
      this.close(ws);
      this.setState('failed');
    }
    this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
  }

  dropped(ws) {
    if (ws !== this.ws) return;
    this.close(ws);
    if (this.stopped) return;
    this.setState(this.everJoined ? 'reconnecting' : 'connecting');
    this.retry = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  close(ws) {
    clearInterval(ws.pinger);
    ws.onclose = ws.onmessage = ws.onopen = null;
    try { ws.close(); } catch { /* already closed */ }
    if (this.ws === ws) this.ws = null;
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}
