// The video tiles: one per participant. A publishing participant's tile holds a <parley-player> on its
// publishPath (video and audio over /<room>/<id>/ws); everyone else, and anyone without video or with the camera
// off, shows an avatar. Tiles are updated in place so a mute change or a rename never restarts a player.
import { el, avatar, muteIcons } from './room-ui.js';

export class TileGrid {
  constructor(container) {
    this.container = container;
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
    const hasVideo = p.publishing && (p.tracks || []).some((t) => t.kind === 'video');
    let player = tile.querySelector('parley-player');
    if (p.publishing) {
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

    const showVideo = hasVideo && !p.videoMuted;
    tile.classList.toggle('has-video', showVideo);
    tile.classList.toggle('self', self);
    tile.dataset.publishing = String(!!p.publishing);
    const placeholder = tile.querySelector('.placeholder');
    placeholder.replaceChild(avatar(p.id, p.name, 'avatar large'), placeholder.querySelector('.avatar'));
    placeholder.querySelector('.note').textContent = !p.publishing ? (self ? 'You are watching' : 'Watching') : p.videoMuted ? 'Camera off' : hasVideo ? '' : 'Audio only';
    tile.querySelector('.caption .name').textContent = p.name;
    tile.querySelector('.caption .you').hidden = !self;
    tile.querySelector('.caption .icons').replaceChildren(...muteIcons(p));
  }
}
