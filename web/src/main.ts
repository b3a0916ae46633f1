/**
 * The lab's web page (issue 14): the topology as a graph, routes one click away, the
 * timeline and the failover chart — everything read from the lab's API, live from its event
 * stream. Served by the lab itself at /arslab/ui/ (`arslab ui` prints a one-time sign-in link).
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { get } from './api.js';
import { CardStack } from './cards.js';
import { warmUp } from './elkWorker.js';
import { h } from './dom.js';
import { TopologyGraph, type Selection } from './graph.js';
import type { LabEvent, ProbeLive, TopologyView, ViewNode } from './types.js';
import {
  type CardContext,
  circuitCard,
  gatewayCard,
  groupCard,
  mseeCard,
  plainCard,
  routeServerCard,
  routerCard,
  sessionCard,
  vmCard,
} from './views/cards.js';
import { explainCard, type ExplainTarget } from './views/explain.js';
import { FailoverChart } from './views/failover.js';
import { Timeline } from './views/timeline.js';

/** Timeline events after which the graph and the cards are read again. */
const REFRESH_ON = new Set(['session', 'route', 'node', 'lab', 'notification']);
const REFRESH_DELAY_MS = 200;
/** At least this long between two reads of the topology, however busy the lab (each costs it tens of ms at 4,000 VMs). */
const REFRESH_MIN_INTERVAL_MS = 500;

const $ = (sel: string) => document.querySelector(sel) as HTMLElement;

class Page {
  readonly graph = new TopologyGraph($('#graph'));
  readonly cards = new CardStack($('#cards'));
  readonly timeline = new Timeline($('#timeline'), (e) => this.pickEvent(e));
  readonly chart = new FailoverChart($('#chart'));
  private view?: TopologyView;
  /** Groups the user expanded or collapsed (sent to the API, which draws the rest by its default). */
  private readonly expand = new Set<string>();
  private readonly collapse = new Set<string>();
  private refreshTimer?: number;
  private topologyAsked = 0;
  private topologyShown = 0;
  private lastRefresh = -Infinity;
  private refreshing?: Promise<void>;
  private source?: EventSource;
  readonly ctx: CardContext = {
    subscription: () => this.view?.lab.subscriptionId ?? '',
    changed: () => this.scheduleRefresh(0),
    explainAtNic: (nic, prefix) =>
      void this.explain({ kind: 'nic', nic: nic.name, resourceGroup: nic.resourceGroup, vm: nic.vm }, prefix),
    probeFrom: (vm) => {
      this.chart.setFrom(vm);
      showTab('chart');
    },
    toggleGroup: (id) => this.toggleGroup(id),
    isCollapsed: (id) => this.graph.isCollapsed(id),
  };

  async boot(): Promise<void> {
    this.graph.onSelect = (s) => void this.select(s);
    this.graph.onToggle = (id) => void this.toggleGroup(id);
    await this.loadTopology();
    performance.mark('arslab:first-render');
    const events = await get<{ value: LabEvent[] }>('/arslab/events');
    this.timeline.add(events.value);
    this.connect();
    $('#explain-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.explainFromForm();
    });
    $('#fit').addEventListener('click', () => this.graph.cy.fit(undefined, 24));
    $('#clear').addEventListener('click', () => {
      this.graph.clearHighlight();
      this.cards.closeKey('explain');
    });
  }

  /** The query that asks the API for the groups as the user left them. */
  viewQuery(): string {
    const q = new URLSearchParams();
    if (this.expand.size) q.set('expand', [...this.expand].join(','));
    if (this.collapse.size) q.set('collapse', [...this.collapse].join(','));
    const t = q.toString();
    return t ? `?${t}` : '';
  }

  async toggleGroup(id: string): Promise<void> {
    if (this.graph.isCollapsed(id)) {
      this.expand.add(id);
      this.collapse.delete(id);
    } else {
      this.collapse.add(id);
      this.expand.delete(id);
    }
    await this.loadTopology();
    await this.cards.refresh();
  }

  /** Where the API draws each name now (a node, or the collapsed group hiding it). */
  async locate(names: readonly string[]): Promise<Record<string, string>> {
    if (names.length === 0) return {};
    const q = new URLSearchParams(this.viewQuery().slice(1));
    for (const n of new Set(names)) q.append('name', n);
    return (await get<{ located: Record<string, string> }>(`/arslab/topology/locate?${q}`)).located;
  }

  private async loadTopology(): Promise<void> {
    // A refresh and an expansion may overlap: an answer older than one already shown (asked
    // before a group was expanded, say) is dropped, not drawn over the newer one.
    const asked = ++this.topologyAsked;
    const view = await get<TopologyView>(`/arslab/topology${this.viewQuery()}`);
    if (asked < this.topologyShown) return;
    this.topologyShown = asked;
    this.view = view;
    this.fillHeader(view);
    await this.graph.show(view);
  }

  private fillHeader(v: TopologyView): void {
    $('#lab-name').textContent = v.lab.name;
    $('#lab-mode').textContent = `${v.lab.mode} mode`;
    $('#lab-counts').textContent =
      `${v.counts.vnets} VNets · ${v.counts.vms} VMs · ${v.counts.established}/${v.counts.sessions} BGP sessions Established`;
    const vms = v.nodes.filter((n) => n.kind === 'vm');
    this.chart.setSources(
      vms.map((n) => n.name),
      vms.find((n) => n.ref?.type === 'vm' && n.ref.nodes.length === 0)?.name,
    );
    const at = $('#explain-at') as HTMLSelectElement;
    const keep = at.value;
    const nics = vms.flatMap((n) => (n.ref?.type === 'vm' ? n.ref.nics.map((c) => ({ vm: n.name, ...c })) : []));
    const peers = v.nodes.filter((n) => ['route-server', 'gateway', 'msee', 'router'].includes(n.kind));
    at.replaceChildren(
      h(
        'optgroup',
        { label: 'NIC (explain at the NIC, trace from its VM)' },
        nics.map((c) =>
          h(
            'option',
            {
              value: `nic|${c.resourceGroup}|${c.name}|${c.vm}`,
              selected: keep === `nic|${c.resourceGroup}|${c.name}|${c.vm}`,
            },
            `${c.name} (${c.vm})`,
          ),
        ),
      ),
      h(
        'optgroup',
        { label: 'speaker (explain toward it)' },
        peers.map((n) =>
          h('option', { value: `peer|${n.name}|${n.kind}`, selected: keep === `peer|${n.name}|${n.kind}` }, n.name),
        ),
      ),
    );
  }

  /** The event stream: the timeline, refreshes, and the probes' live channel. */
  private connect(): void {
    const es = new EventSource(`/arslab/events/stream?since=${this.timeline.lastSeq}`, { withCredentials: false });
    this.source = es;
    const dot = $('#live');
    es.addEventListener('open', () => {
      dot.className = 'live on';
      dot.title = 'live: following the lab';
      this.scheduleRefresh(0);
    });
    es.addEventListener('error', () => {
      dot.className = 'live off';
      dot.title = 'not connected to the lab (retrying)';
    });
    es.addEventListener('timeline', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as LabEvent;
      this.timeline.add([e]);
      if (REFRESH_ON.has(e.type)) this.scheduleRefresh(REFRESH_DELAY_MS);
    });
    // The reader fell behind the lab's ring: what it shows may be stale; read it all again.
    es.addEventListener('gap', () => this.scheduleRefresh(0));
    es.addEventListener('probe', (m) => this.chart.onLive(JSON.parse((m as MessageEvent<string>).data) as ProbeLive));
  }

  scheduleRefresh(delay: number): void {
    if (this.refreshTimer !== undefined) return;
    const wait = Math.max(delay, this.lastRefresh + REFRESH_MIN_INTERVAL_MS - performance.now());
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, wait);
  }

  private async refresh(): Promise<void> {
    if (this.refreshing) {
      await this.refreshing;
      return this.scheduleRefresh(0);
    }
    this.lastRefresh = performance.now();
    this.refreshing = (async () => {
      try {
        await this.loadTopology();
        await this.cards.refresh();
      } catch (e) {
        $('#live').title = `refresh failed: ${(e as Error).message}`;
      }
    })();
    await this.refreshing;
    this.refreshing = undefined;
  }

  private async select(s: Selection): Promise<void> {
    if (s.type === 'edge') return this.cards.show(sessionCard(this.ctx, s.edge));
    const n = s.node;
    const ref = n.ref;
    switch (ref?.type) {
      case 'vm':
        return this.cards.show(vmCard(this.ctx, n, ref));
      case 'route-server':
        return this.cards.show(routeServerCard(this.ctx, n, ref));
      case 'gateway':
        return this.cards.show(gatewayCard(this.ctx, n, ref));
      case 'circuit':
        return this.cards.show(circuitCard(this.ctx, n, ref));
      case 'msee':
        return this.cards.show(mseeCard(this.ctx, n, ref));
      case 'router':
        return this.cards.show(routerCard(this.ctx, n, ref.node, true));
      case 'daemon':
        return this.cards.show(routerCard(this.ctx, n, ref.node, false));
      case 'group': {
        const g = this.view?.groups.find((x) => x.id === n.id);
        return this.cards.show(groupCard(this.ctx, n, g?.summary ?? []));
      }
      default:
        return this.cards.show(plainCard(n));
    }
  }

  async explain(target: ExplainTarget, prefix: string): Promise<void> {
    ($('#explain-prefix') as HTMLInputElement).value = prefix;
    this.chart.setTo(prefix.split('/')[0]!);
    await this.cards.show(explainCard(this.graph, (names) => this.locate(names), target, prefix));
  }

  private async explainFromForm(): Promise<void> {
    const prefix = ($('#explain-prefix') as HTMLInputElement).value.trim();
    const at = ($('#explain-at') as HTMLSelectElement).value.split('|');
    if (!prefix || at.length < 3) return;
    if (at[0] === 'nic') return this.explain({ kind: 'nic', resourceGroup: at[1]!, nic: at[2]!, vm: at[3]! }, prefix);
    return this.explain({ kind: 'peer', peer: at[1]!, ...(at[2] === 'router' ? { traceFrom: at[1]! } : {}) }, prefix);
  }

  /** A timeline row: its speaker or session on the graph. */
  private pickEvent(e: LabEvent): void {
    this.graph.clearHighlight();
    const edge = this.graph.edgeLabelled(e.source);
    if (edge) {
      const el = this.graph.cy.getElementById(edge.id);
      if (el.nonempty()) {
        this.graph.cy.elements().unselect();
        el.select();
      }
      return;
    }
    const parts = e.source.split('/');
    for (let k = parts.length; k > 0; k--) {
      const n: ViewNode | undefined = this.graph.nodeNamed(parts.slice(0, k).join('/'));
      if (n) return this.graph.highlight([n.id]);
    }
  }

  /** For tests and the benchmark: what the page shows, read from its own state. */
  hooks() {
    return {
      graph: () => this.graph.snapshot(),
      topology: () => this.view,
      probe: () => this.chart.snapshot(),
      layoutMs: () => this.graph.lastLayoutMs,
      renderStats: () => this.graph.lastRender,
      /** Every group of a kind expanded (the benchmark measures what aggregation saves). */
      expandAll: async (kind: 'spokes' | 'vms') => {
        this.expand.add(`*${kind}`);
        await this.loadTopology();
      },
      connected: () => this.source?.readyState === EventSource.OPEN,
      /** Where a drawn node or edge is on the screen (a test clicks there, as a user would). */
      at: (id: string) => {
        const cy = this.graph.cy;
        const box = $('#graph').getBoundingClientRect();
        const node = cy.nodes().getElementById(id);
        const edge = cy.edges().getElementById(id);
        if (node.empty() && edge.empty()) return null;
        const p = node.nonempty() ? node.renderedPosition() : edge.renderedMidpoint();
        return { x: box.left + p.x, y: box.top + p.y };
      },
    };
  }
}

function showTab(name: string): void {
  for (const b of document.querySelectorAll<HTMLElement>('[data-tab]'))
    b.classList.toggle('active', b.dataset['tab'] === name);
  for (const p of document.querySelectorAll<HTMLElement>('[data-pane]')) p.hidden = p.dataset['pane'] !== name;
  // The chart needs more height than the timeline's table.
  document.body.classList.toggle('chart-open', name === 'chart');
}

declare global {
  interface Window {
    __arslab?: ReturnType<Page['hooks']> & { ready: boolean; error?: string };
  }
}

warmUp();
for (const b of document.querySelectorAll<HTMLElement>('[data-tab]'))
  b.addEventListener('click', () => showTab(b.dataset['tab']!));
showTab('timeline');
const page = new Page();
window.__arslab = { ...page.hooks(), ready: false };
page.boot().then(
  () => {
    window.__arslab!.ready = true;
    document.body.dataset['ready'] = 'true';
  },
  (e: Error) => {
    window.__arslab!.error = e.message;
    // No cookie, or one from an earlier run of the lab (ADR 0010: a new secret per run).
    const signedOut = (e as { status?: number }).status === 401;
    $('#graph').append(
      h(
        'div',
        { class: 'error' },
        signedOut
          ? 'Not signed in to this lab: run `arslab ui` and open the link it prints.'
          : `The lab did not answer: ${e.message}`,
      ),
    );
  },
);
