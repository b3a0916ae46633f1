/**
 * The side panel: a stack of cards, newest on top, each showing one thing the user clicked
 * (a VM's effective routes, a session, a gateway…) and refreshed from the API whenever the
 * lab's timeline says something changed. A card stays until closed, so a NIC's routes stay
 * in view while another card stops a node.
 */
import { errorBox, h } from './dom.js';

export interface Card {
  /** One card per key: opening the same thing again brings its card to the top. */
  readonly key: string;
  readonly title: string;
  /** Fills `body` (again on every refresh); errors are shown in the card. */
  readonly render: (body: HTMLElement) => Promise<void> | void;
  /** Refreshed on lab events (default true). */
  readonly live?: boolean;
  readonly onClose?: () => void;
  readonly attrs?: Record<string, string>;
}

interface Open {
  readonly card: Card;
  readonly el: HTMLElement;
  readonly body: HTMLElement;
  busy: boolean;
  again: boolean;
}

const MAX_CARDS = 6;

export class CardStack {
  private readonly open: Open[] = [];

  constructor(private readonly root: HTMLElement) {}

  async show(card: Card): Promise<void> {
    const have = this.open.find((o) => o.card.key === card.key);
    if (have) {
      this.close(have, false);
    }
    const body = h('div', { class: 'card-body' });
    const el = h(
      'section',
      { class: 'card', 'data-card': card.key, ...card.attrs },
      h(
        'header',
        null,
        h('h2', null, card.title),
        h('button', { class: 'close', title: 'close', 'aria-label': 'close', onclick: () => this.close(o) }, '×'),
      ),
      body,
    );
    const o: Open = { card, el, body, busy: false, again: false };
    this.open.unshift(o);
    this.root.prepend(el);
    while (this.open.length > MAX_CARDS) this.close(this.open[this.open.length - 1]!);
    await this.refreshOne(o);
  }

  private close(o: Open, notify = true): void {
    const i = this.open.indexOf(o);
    if (i >= 0) this.open.splice(i, 1);
    o.el.remove();
    if (notify) o.card.onClose?.();
  }

  closeKey(key: string): void {
    const o = this.open.find((x) => x.card.key === key);
    if (o) this.close(o);
  }

  /** Re-renders every live card (one render at a time per card; a refresh asked meanwhile runs after). */
  async refresh(): Promise<void> {
    await Promise.all(this.open.filter((o) => o.card.live !== false).map((o) => this.refreshOne(o)));
  }

  private async refreshOne(o: Open): Promise<void> {
    if (o.busy) {
      o.again = true;
      return;
    }
    o.busy = true;
    try {
      do {
        o.again = false;
        const next = h('div', { class: 'card-body' });
        try {
          await o.card.render(next);
        } catch (e) {
          next.replaceChildren(errorBox(e));
        }
        o.body.replaceChildren(...next.childNodes);
      } while (o.again);
    } finally {
      o.busy = false;
    }
  }
}
