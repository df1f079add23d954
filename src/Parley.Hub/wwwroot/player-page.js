// The player page: title, codecs and links for the stream named by the page's path. A file, not an inline
// script, so the Content-Security-Policy can stay script-src 'self'.
(() => {
  const path = decodeURIComponent(location.pathname.replace(/^\/+|\/+$/g, ''));
  document.title = `Parley · ${path}`;
  document.getElementById('title').textContent = path;
  const player = document.getElementById('player');
  player.addEventListener('hello', (e) => {
    document.getElementById('codecs').textContent = e.detail.codecs;
    const links = document.getElementById('links');
    links.replaceChildren();
    if (e.detail.mode === 'jpeg' && e.detail.videoTrack >= 0) {
      const a = document.createElement('a'); a.href = `/${path}/mjpeg`; a.textContent = 'MJPEG stream'; links.append(a);
    }
  });
  player.setAttribute('src', '/' + path);
})();
