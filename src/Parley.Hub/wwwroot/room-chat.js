// The chat panel. Messages appear in the hub's order (the order of its `chat` events); what this page sent waits
// below them, greyed, until the hub echoes it (matched by `ref`) or refuses it (the error is shown in its place).
// Others' messages go before the first one still waiting; a refused one keeps its place, so the page shows what
// it sent in the order it was typed even when the hub's refusals overtake its echoes.
import { el, avatar } from './room-ui.js';

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const fullTime = (iso) => new Date(iso).toLocaleString();

export class ChatView {
  constructor(list) {
    this.list = list;
    this.pending = new Map(); // ref -> element
    // Follow new messages unless the reader scrolled up to read older ones.
    this.pinned = true;
    list.addEventListener('scroll', () => { this.pinned = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40; });
  }

  /** Replaces everything with the history of a (re)join, oldest first. */
  reset(history) {
    this.pending.clear();
    this.list.replaceChildren(...history.map((m) => this.message(m)));
    if (history.length === 0) this.list.append(el('li', 'notice empty-chat', 'No messages yet. Say hello!'));
    this.scroll(true);
  }

  /** A message stored by the hub: after the last stored one, before anything still waiting. */
  add(m) {
    const stick = this.nearBottom();
    this.list.querySelector('.empty-chat')?.remove();
    const waiting = m.ref != null ? this.pending.get(m.ref) : null;
    if (waiting) {
      // Echoes come in the order this page sent, so the waiting one is the first still pending: it takes its place.
      this.pending.delete(m.ref);
      waiting.replaceWith(this.message(m));
    } else {
      this.list.insertBefore(this.message(m), this.list.querySelector('.message.pending'));
    }
    this.scroll(stick || !!waiting);
  }

  /** Something this page sent, waiting for the hub. */
  sent(ref, text, name, id) {
    this.list.querySelector('.empty-chat')?.remove();
    const item = this.message({ from: { id, name }, text, time: new Date().toISOString() });
    item.classList.add('pending');
    item.title = 'Sending…';
    this.pending.set(ref, item);
    this.list.append(item);
    this.scroll(true);
  }

  /** The hub refused a message: the waiting one (by ref) turns into the error, or a line is added. */
  error(e) {
    const stick = this.nearBottom();
    const waiting = e.ref != null ? this.pending.get(e.ref) : null;
    const line = el('div', 'error-text', e.message || e.code);
    if (waiting) {
      this.pending.delete(e.ref);
      waiting.classList.replace('pending', 'failed');
      waiting.title = 'Not sent';
      waiting.dataset.error = e.code;
      // It stays where it was typed: the hub may still confirm messages sent before it, and they go above it.
      waiting.querySelector('.body').append(line);
    } else {
      const item = el('li', 'notice error');
      item.dataset.error = e.code;
      item.append(line);
      this.list.insertBefore(item, this.list.querySelector('.message.pending'));
    }
    this.scroll(stick);
  }

  /** A line about the room ("Bob joined"). */
  notice(text) {
    const stick = this.nearBottom();
    this.list.insertBefore(el('li', 'notice', text), this.list.querySelector('.message.pending'));
    this.scroll(stick);
  }

  /** Messages still waiting when the connection dropped: the hub may never have seen them. */
  failAll(reason) {
    for (const ref of [...this.pending.keys()]) this.error({ ref, code: 'not-sent', message: reason });
  }

  message(m) {
    const li = el('li', 'message');
    if (m.id != null) li.dataset.id = String(m.id);
    li.dataset.from = m.from.id;
    const head = el('div', 'head');
    const when = el('time', 'time', time(m.time));
    when.dateTime = m.time;
    when.title = fullTime(m.time);
    head.append(el('span', 'from', m.from.name), when);
    const body = el('div', 'body');
    body.append(head, el('div', 'text', m.text));
    li.append(avatar(m.from.id, m.from.name, 'avatar small'), body);
    return li;
  }

  nearBottom() { return this.pinned; }

  scroll(force) {
    if (!force) return;
    this.list.scrollTop = this.list.scrollHeight;
    this.pinned = true;
  }
}
