// The room page, /r/<room>[?name=<display name>]: asks for a name unless given, joins over the room control
// protocol (docs/rooms-protocol.md) and shows the tiles, the people, the chat and the invite link. The camera and
// microphone go to the hub and everyone else comes back over one RTCPeerConnection (room-media.js); someone who
// refuses the camera and microphone is a viewer who still sees, hears and chats.
import { RoomConnection, isRoomName } from './room-connection.js';
import { RoomMedia } from './room-media.js';
import { TileGrid } from './room-tiles.js';
import { renderPeople } from './room-people.js';
import { ChatView } from './room-chat.js';

const $ = (id) => document.getElementById(id);
const room = decodeURIComponent(location.pathname.replace(/^\/r\/|\/+$/g, ''));
const inviteUrl = `${location.origin}/r/${encodeURIComponent(room)}`;
const NAME_KEY = 'parley.displayName';

const chat = new ChatView($('messages'));
const tiles = new TileGrid($('tiles'), null);
let connection = null;
let media = null;
let self = null;
let others = new Map(); // id -> Participant, everyone but self
let limits = { maxChatBytes: 4096 };
let nextRef = 1;

function setView(state) {
  document.body.dataset.state = state;
  $('lobby').hidden = state !== 'lobby';
  $('left').hidden = state !== 'left' && state !== 'failed';
  $('room').hidden = !['joining', 'joined', 'reconnecting'].includes(state);
  $('leave').hidden = $('room').hidden;
  $('status').hidden = state === 'lobby';
}

const STATUS = { connecting: 'Connecting…', joined: 'Connected', reconnecting: 'Reconnecting…', left: 'Not connected', failed: 'Not connected' };

function showConnection(state) {
  const status = $('status');
  status.dataset.state = state;
  status.textContent = STATUS[state] || state;
  const up = state === 'joined';
  $('chat-text').disabled = $('send').disabled = !up;
  $('chat-text').placeholder = up ? 'Message everyone' : 'Reconnecting…';
  const banner = $('banner');
  banner.hidden = state !== 'reconnecting';
  banner.textContent = 'Lost the connection to the hub. Reconnecting…';
}

function everyone() {
  const list = [...others.values()];
  if (self) list.push(self);
  return list.sort((a, b) => (a.joinedAt < b.joinedAt ? -1 : a.joinedAt > b.joinedAt ? 1 : 0));
}

function render() {
  const list = everyone();
  if (media) media.update([...others.values()]);
  tiles.render(list, self && self.id);
  renderPeople($('people'), $('people-count'), list, self && self.id);
  document.body.dataset.self = self ? self.id : '';
}

function showMediaControls() {
  $('media-controls').hidden = !media || !media.local;
  // Offered once the first request for them has settled without them, and only where WebRTC can send them.
  $('use-devices').hidden = !media || !!media.local || !self || !media.captureSettled || media.unavailable;
  const audio = $('mute-audio'), video = $('mute-video');
  audio.hidden = !media || !media.hasAudio;
  video.hidden = !media || !media.hasVideo;
  const a = !!(self && self.audioMuted), v = !!(self && self.videoMuted);
  audio.setAttribute('aria-pressed', String(a));
  audio.textContent = a ? 'Unmute mic' : 'Mute mic';
  video.setAttribute('aria-pressed', String(v));
  video.textContent = v ? 'Start camera' : 'Stop camera';
}

function toggleMute(kind) {
  if (!media || !self || !connection) return;
  const muted = media.setMuted(kind, !(kind === 'audio' ? self.audioMuted : self.videoMuted));
  connection.send({ type: 'mute', [kind]: muted });
}

// A viewer (no camera or microphone granted at joining) asks again; when granted, a new peer connection that
// sends them replaces the old one at the hub (docs/rooms-protocol.md, "WebRTC").
async function useDevices() {
  const current = media;
  if (!current || current.local || !self) return;
  const button = $('use-devices');
  button.disabled = true;
  try {
    await current.capture();
  } finally {
    button.disabled = false;
  }
  if (media !== current || current.released || !self) return;
  if (!current.local) {
    chat.notice(`No camera or microphone (${current.captureError}): you are still a viewer.`);
    return;
  }
  current.start([...others.values()]);
  render();
  showMediaControls();
}

function join(name) {
  localStorage.setItem(NAME_KEY, name);
  if (connection) connection.leave();
  if (media) media.release();
  connection = new RoomConnection(room, name);
  const current = media = new RoomMedia(connection);
  tiles.media = media;
  window.roomMedia = media; // for the console and the tests: its pc and getStats()
  media.addEventListener('change', () => render());
  // Joining does not wait for the camera and microphone (the permission prompt may take a while): until they are
  // settled, tiles of WebRTC streams wait, then the peer connection starts with whatever was granted.
  const captured = media.capture().then(() => {
    current.captureSettled = true;
    if (current.captureError && !current.local) chat.notice(`No camera or microphone (${current.captureError}): you are a viewer.`);
    showMediaControls();
  });
  connection.addEventListener('state', (e) => {
    showConnection(e.detail);
    if (e.detail === 'reconnecting') chat.failAll('Not sent: the connection dropped before the hub confirmed it.');
    if (e.detail === 'joined' || e.detail === 'reconnecting') setView(e.detail);
  });
  connection.addEventListener('welcome', (e) => {
    const w = e.detail;
    self = w.self;
    others = new Map(w.participants.map((p) => [p.id, p]));
    limits = w.limits || limits;
    chat.reset(w.history || []);
    // Every welcome (a rejoin too) is a new participant on the hub: a new peer connection, the mute state carried over.
    captured.then(() => {
      if (media !== current || !self) return;
      if (current.local) {
        const audioMuted = current.local.getAudioTracks().some((t) => !t.enabled);
        const videoMuted = current.local.getVideoTracks().some((t) => !t.enabled);
        if (audioMuted || videoMuted) connection.send({ type: 'mute', audio: audioMuted, video: videoMuted });
      }
      current.start([...others.values()]);
      render();
      showMediaControls();
    });
    render();
    showMediaControls();
  });
  connection.addEventListener('participantJoined', (e) => {
    const p = e.detail.participant;
    others.set(p.id, p);
    chat.notice(`${p.name} joined`);
    render();
  });
  connection.addEventListener('participantUpdated', (e) => {
    const p = e.detail.participant;
    if (self && p.id === self.id) self = p; else others.set(p.id, p);
    render();
    showMediaControls();
  });
  connection.addEventListener('participantLeft', (e) => {
    const p = others.get(e.detail.id);
    if (!p) return;
    others.delete(p.id);
    chat.notice(e.detail.reason === 'timeout' ? `${p.name} lost the connection` : `${p.name} left`);
    render();
  });
  connection.addEventListener('chat', (e) => chat.add(e.detail));
  connection.addEventListener('error', (e) => {
    const error = e.detail;
    if (error.code === 'bad-name' && !self) { connection.leave(); askName(error.message); return; }
    if (connection.state === 'failed') { leftScreen('Could not join', error.message); return; }
    if (String(error.code).startsWith('webrtc-')) { console.warn(`room media: ${error.message}`); return; }
    chat.error(error);
  });
  setView('joining');
  showConnection('connecting');
  connection.open();
}

function leftScreen(title, detail) {
  self = null;
  others.clear();
  if (media) media.release();
  render();
  $('left-title').textContent = title;
  $('left-detail').textContent = detail;
  setView(connection && connection.state === 'failed' ? 'failed' : 'left');
}

function askName(error) {
  setView('lobby');
  const input = $('join-name');
  input.value = input.value || localStorage.getItem(NAME_KEY) || '';
  $('join-error').hidden = !error;
  $('join-error').textContent = error || '';
  input.focus();
}

function send() {
  const box = $('chat-text');
  const text = box.value.trim();
  if (!text || !connection) return;
  if (new TextEncoder().encode(text).length > limits.maxChatBytes) {
    chat.error({ code: 'chat-too-long', message: `That message is too long: at most ${limits.maxChatBytes} bytes.` });
    return;
  }
  const ref = `m${nextRef++}`;
  if (!connection.send({ type: 'chat', text, ref })) return;
  chat.sent(ref, text, self ? self.name : '', self ? self.id : '');
  box.value = '';
  box.style.height = '';
}

function wire() {
  document.title = `Parley · ${room}`;
  $('room-name').textContent = room;
  for (const e of document.querySelectorAll('.join-room')) e.textContent = room;
  $('invite-link').value = inviteUrl;
  $('copy-invite').addEventListener('click', async () => {
    const button = $('copy-invite');
    try {
      await navigator.clipboard.writeText(inviteUrl);
    } catch {
      // No clipboard permission (an insecure origin, for example): select the link so Ctrl+C copies it.
      $('invite-link').select();
      document.execCommand('copy');
    }
    button.textContent = 'Copied!';
    setTimeout(() => { button.textContent = 'Copy invite link'; }, 1500);
  });
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('join-name').value.trim();
    if (name) join(name);
  });
  $('leave').addEventListener('click', () => {
    connection.leave();
    leftScreen('You left the room', `You can join “${room}” again with the same invite link.`);
  });
  $('rejoin').addEventListener('click', () => join(connection.name));
  $('mute-audio').addEventListener('click', () => toggleMute('audio'));
  $('mute-video').addEventListener('click', () => toggleMute('video'));
  $('use-devices').addEventListener('click', () => useDevices());
  $('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
  $('chat-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  $('chat-text').addEventListener('input', (e) => {
    e.target.style.height = '';
    e.target.style.height = `${Math.min(e.target.scrollHeight, 140)}px`;
  });
}

wire();
if (!isRoomName(room)) {
  $('left-title').textContent = 'This room address is not valid';
  $('left-detail').textContent = 'Room names are 1 to 64 letters, digits, "-", "_" or ".", not starting with ".".';
  $('rejoin').hidden = true;
  setView('failed');
} else {
  const name = (new URLSearchParams(location.search).get('name') || '').trim();
  if (name) join(name); else askName('');
}
