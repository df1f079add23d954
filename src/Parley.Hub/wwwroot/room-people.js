// The participant list: avatar, name, what they send, and their mute state.
import { el, avatar, muteIcons, sending, icon } from './room-ui.js';

export function renderPeople(list, count, participants, selfId) {
  list.replaceChildren(...participants.map((p) => {
    const li = el('li', 'person');
    li.dataset.id = p.id;
    li.dataset.audioMuted = String(!!p.audioMuted);
    li.dataset.videoMuted = String(!!p.videoMuted);
    const who = el('div', 'who');
    const name = el('span', 'name', p.name);
    if (p.id === selfId) name.append(el('span', 'you', 'you'));
    who.append(name, el('span', 'what', sending(p)));
    const icons = el('span', 'icons');
    if (p.publishing) icons.append(icon('live', 'Sending media'));
    icons.append(...muteIcons(p));
    li.append(avatar(p.id, p.name), who, icons);
    return li;
  }));
  count.textContent = String(participants.length);
}
