// The stream list: /api/events (Server-Sent Events) pushes the list whenever a publisher comes or goes.
(() => {
  'use strict';
  const grid = document.getElementById('streams'), empty = document.getElementById('empty'), connection = document.getElementById('connection');
  for (const el of document.querySelectorAll('.host')) el.textContent = location.hostname;

  const bitrate = (b) => b >= 1e6 ? `${(b / 1e6).toFixed(1)} Mb/s` : b >= 1e3 ? `${Math.round(b / 1e3)} kb/s` : `${b} b/s`;
  const text = (tag, cls, value) => { const el = document.createElement(tag); if (cls) el.className = cls; el.textContent = value; return el; };

  function card(s) {
    const a = document.createElement('a');
    a.className = 'card'; a.href = '/' + s.path; a.dataset.path = s.path;
    const top = document.createElement('div'); top.className = 'top';
    top.append(text('span', 'name', s.path), text('span', 'tag', 'LIVE'), text('span', 'tag mode', s.mode === 'mse' ? 'MSE' : s.mode === 'jpeg' ? 'JPEG' : s.mode === 'webrtc' ? 'WebRTC' : 'RTSP only'));
    const facts = document.createElement('dl'); facts.className = 'facts';
    const rows = [
      ['Codecs', s.codecs],
      ['Resolution', s.width ? `${s.width} × ${s.height}` : '–'],
      ['Frame rate', s.frameRate ? `${s.frameRate} fps` : '–'],
      ['Bitrate', bitrate(s.bitrate)],
      ['Readers', `${s.readers}${s.webViewers ? ` (${s.webViewers} in browsers)` : ''}`],
      ['Publisher', s.publisher],
    ];
    for (const [k, v] of rows) facts.append(text('dt', '', k), text('dd', '', v));
    a.append(top, facts);
    return a;
  }

  function render(streams) {
    grid.replaceChildren(...streams.map(card));
    empty.hidden = streams.length > 0;
    document.body.dataset.streams = streams.map((s) => s.path).join(',');
  }

  const events = new EventSource('/api/events');
  events.addEventListener('streams', (e) => { connection.textContent = 'Live'; render(JSON.parse(e.data).streams); });
  events.onerror = () => { connection.textContent = 'Hub unreachable, retrying…'; };
})();
