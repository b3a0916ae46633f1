/**
 * The lab's timeline (sessions, UPDATEs, best-path changes, faults, probes) as `arslab
 * events` prints it, live from the event stream, filterable by speaker and by prefix.
 * Clicking an event marks its speaker or session on the graph.
 */
import { h } from '../dom.js';
import type { LabEvent } from '../types.js';

/** As many as the lab's ring keeps; the newest ROWS that match are drawn. */
const KEEP = 20_000;
const ROWS = 400;
const TYPES = ['session', 'update', 'route', 'notification', 'node', 'refused', 'lab', 'probe', 'warning'] as const;

export class Timeline {
  private events: LabEvent[] = [];
  private readonly speaker: HTMLInputElement;
  private readonly prefix: HTMLInputElement;
  private readonly types = new Set<string>(TYPES);
  private readonly sources = new Set<string>();
  private readonly datalist: HTMLDataListElement;
  private readonly body: HTMLTableSectionElement;
  private readonly count: HTMLElement;
  private pending = false;

  constructor(
    root: HTMLElement,
    private readonly onPick: (e: LabEvent) => void,
  ) {
    this.datalist = h('datalist', { id: 'timeline-sources' });
    this.speaker = h('input', {
      type: 'search',
      placeholder: 'speaker or session',
      list: 'timeline-sources',
      'data-filter': 'speaker',
      oninput: () => this.schedule(),
    });
    this.prefix = h('input', {
      type: 'search',
      placeholder: 'prefix, e.g. 100.64.0.1/32',
      'data-filter': 'prefix',
      oninput: () => this.schedule(),
    });
    this.body = h('tbody');
    this.count = h('span', { class: 'muted' });
    root.append(
      h(
        'div',
        { class: 'filters' },
        h('label', null, 'speaker ', this.speaker),
        h('label', null, 'prefix ', this.prefix),
        TYPES.map((t) =>
          h(
            'label',
            { class: `type ${t}` },
            h('input', {
              type: 'checkbox',
              checked: true,
              'data-type': t,
              onchange: (e: Event) => {
                if ((e.target as HTMLInputElement).checked) this.types.add(t);
                else this.types.delete(t);
                this.schedule();
              },
            }),
            t,
          ),
        ),
        this.count,
        this.datalist,
      ),
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          { class: 'grid timeline', 'data-view': 'timeline' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', null, 't (s)'),
              h('th', null, 'type'),
              h('th', null, 'source'),
              h('th', null, 'event'),
            ),
          ),
          this.body,
        ),
      ),
    );
  }

  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? 0;
  }

  add(events: readonly LabEvent[]): void {
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.events.push(e);
      if (!this.sources.has(e.source)) {
        this.sources.add(e.source);
        this.datalist.append(h('option', { value: e.source }));
      }
    }
    if (this.events.length > KEEP) this.events = this.events.slice(-KEEP);
    this.schedule();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  private matches(e: LabEvent, speaker: string, prefix: string): boolean {
    if (!this.types.has(e.type)) return false;
    if (speaker && !e.source.toLowerCase().includes(speaker)) return false;
    if (prefix && !e.message.includes(prefix) && !(e.data && JSON.stringify(e.data).includes(prefix))) return false;
    return true;
  }

  private render(): void {
    const speaker = this.speaker.value.trim().toLowerCase();
    const prefix = this.prefix.value.trim();
    const rows: LabEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && rows.length < ROWS; i--) {
      const e = this.events[i]!;
      if (this.matches(e, speaker, prefix)) rows.push(e);
    }
    this.body.replaceChildren(
      ...rows.map((e) =>
        h(
          'tr',
          { class: `ev ${e.type}`, 'data-seq': e.seq, onclick: () => this.onPick(e) },
          h('td', { class: 'num' }, (e.t / 1000).toFixed(3)),
          h('td', null, e.type),
          h('td', null, e.source),
          h('td', null, e.message),
        ),
      ),
    );
    this.count.textContent = rows.length === ROWS ? `newest ${ROWS} shown` : '';
  }
}
