// Small DOM helpers shared by the room page's views: elements, avatars and the mute icons.

/** An element with a class and text (text is always set as text, never parsed as HTML). */
export function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text != null) e.textContent = text;
  return e;
}

/** "Ada Lovelace" -> "AL", "bob" -> "B". */
export function initials(name) {
  const words = (name || '?').trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => [...w][0].toUpperCase()).join('') || '?';
}

// A stable hue per participant id, so someone keeps their colour in the list, the tiles and the chat.
function hue(id) {
  let h = 0;
  for (const c of id || '') h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

/** A round avatar with the initials of <name>, coloured by <id>. */
export function avatar(id, name, className = 'avatar') {
  const a = el('span', className, initials(name));
  a.style.setProperty('--hue', hue(id));
  a.setAttribute('aria-hidden', 'true');
  return a;
}

const ICONS = {
  'mic-off': '<path d="M9 5a3 3 0 0 1 6 0v5.2M15 14.5A3 3 0 0 1 9 12v-2"/><path d="M5 11a7 7 0 0 0 11.2 5.6M19 11a7 7 0 0 1-.4 2.3M12 18v3"/><path d="M3 3l18 18"/>',
  'cam-off': '<path d="M15 10.5 21 7v10l-6-3.5"/><path d="M13 17H5a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2h1m4 0h3a2 2 0 0 1 2 2v4"/><path d="M3 3l18 18"/>',
  'live': '<circle cx="12" cy="12" r="3" fill="currentColor"/><path d="M7.8 7.8a6 6 0 0 0 0 8.4M16.2 7.8a6 6 0 0 1 0 8.4M5 5a10 10 0 0 0 0 14M19 5a10 10 0 0 1 0 14"/>',
};

/** A 16 px stroke icon with a tooltip; kind: mic-off, cam-off, live. */
export function icon(kind, title) {
  const span = el('span', `icon icon-${kind}`);
  span.title = title;
  span.setAttribute('role', 'img');
  span.setAttribute('aria-label', title);
  span.innerHTML = `<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[kind]}</svg>`;
  return span;
}

/** The mute icons of a participant (empty when nothing is muted). */
export function muteIcons(p) {
  const icons = [];
  if (p.audioMuted) icons.push(icon('mic-off', 'Microphone muted'));
  if (p.videoMuted) icons.push(icon('cam-off', 'Camera off'));
  return icons;
}

/** What a participant sends, for people: "Video and audio", "Audio only", "Viewer". */
export function sending(p) {
  if (!p.publishing) return 'Viewer';
  const kinds = new Set((p.tracks || []).map((t) => t.kind));
  if (kinds.has('video') && kinds.has('audio')) return 'Video and audio';
  if (kinds.has('video')) return 'Video';
  if (kinds.has('audio')) return 'Audio only';
  return 'Connecting media…';
}
