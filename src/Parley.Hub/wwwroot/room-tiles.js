// The video tiles: one per participant. Your own tile shows your camera (muted, never sent back); a participant
// received over WebRTC (room-media.js) plays in a <video>; a publishing participant whose stream WebRTC cannot
// carry (JPEG) gets a <parley-player> on its publishPath (video and audio over /<room>/<id>/ws). Anyone without
// video or with the camera off shows an avatar, with the audio still playing underneath. Tiles are updated in place
// so a mute change or a rename never restarts a player.
import { el, avatar, muteIcons } from './room-ui.js';

export class TileGrid {
  constructor(container, media) {
    this.container = container;
    this.media = media;
    this.tiles = new Map(); // participant id -> tile element
  }

  /** Shows exactly <participants> (self included, in join order); <selfId> is marked as "You". */
  render(participants, selfId) {
    const ids = new Set(participants.map((p) => p.id));
    for (const [id, tile] of this.tiles) {
      if (!ids.has(id)) { tile.remove(); this.tiles.delete(id); }
    }
    participants.forEach((p, index) => {
      let tile = this.tiles.get(p.id);
      if (!tile) { tile = this.create(p); this.tiles.set(p.id, tile); }
      this.update(tile, p, p.id === selfId);
      if (this.container.children[index] !== tile) this.container.insertBefore(tile, this.container.children[index] || null);
    });
    this.container.dataset.count = String(participants.length);
  }

  create(p) {
    const tile = el('div', 'tile');
    tile.dataset.id = p.id;
    const placeholder = el('div', 'placeholder');
    placeholder.append(avatar(p.id, p.name, 'avatar large'), el('span', 'note'));
    const caption = el('div', 'caption');
    caption.append(el('span', 'name'), el('span', 'you', 'You'), el('span', 'icons'));
    tile.append(placeholder, caption);
    return tile;
  }

  update(tile, p, self) {
    const media = this.media;
    const stream = self ? (media && media.local) : media && media.streamFor(p.id);
    const hasVideo = self ? !!(media && media.hasVideo) : p.publishing && (p.tracks || []).some((t) => t.kind === 'video');
    this.showVideo(tile, stream, self);
    let player = tile.querySelector('parley-player');
    if (p.publishing && !self && !(media && media.receives(p))) {
      const src = '/' + p.publishPath.split('/').map(encodeURIComponent).join('/');
      if (!player) {
        player = document.createElement('parley-player');
        player.setAttribute('src', src);
        tile.prepend(player);
      } else if (player.getAttribute('src') !== src) {
        player.setAttribute('src', src);
      }
    } else if (player) {
      player.remove();
    }

    const showVideo = hasVideo && !p.videoMuted && (self ? !!stream : !!stream || !!player);
    tile.classList.toggle('has-video', showVideo);
    tile.classList.toggle('self', self);
    tile.dataset.publishing = String(!!p.publishing);
    const placeholder = tile.querySelector('.placeholder');
    placeholder.replaceChild(avatar(p.id, p.name, 'avatar large'), placeholder.querySelector('.avatar'));
    placeholder.querySelector('.note').textContent = self && !stream ? 'You are watching'
      : !p.publishing && !self ? 'Watching' : p.videoMuted ? 'Camera off' : !hasVideo ? 'Audio only' : stream || player ? '' : 'Connecting…';
    tile.dataset.media = stream ? (self ? 'self' : 'webrtc') : player ? 'websocket' : 'none';
    tile.querySelector('.caption .name').textContent = p.name;
    tile.querySelector('.caption .you').hidden = !self;
    tile.querySelector('.caption .icons').replaceChildren(...muteIcons(p));
  }

  // The tile's <video> for a MediaStream (yours muted, so you never hear yourself), or none.
  showVideo(tile, stream, self) {
    let video = tile.querySelector('video');
    if (!stream) {
      if (video) video.remove();
      return;
    }
    if (!video) {
      video = el('video');
      video.autoplay = true;
      video.playsInline = true;
      tile.prepend(video);
    }
    video.muted = self;
    video.classList.toggle('mirror', self);
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      // Autoplay with sound needs a gesture in some browsers; muted playback is better than none.
      video.play().catch(() => { video.muted = true; video.play().catch(() => {}); });
    }
  }
}
