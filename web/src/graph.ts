/**
 * The topology as a graph (cytoscape.js, laid out by ELK's layered algorithm in a worker):
 * on-premises on the left, circuits, hubs, spokes on the right — the seeds' diagrams. VNets
 * and subnets are compound nodes; BGP sessions are edges coloured by the state the API
 * reports. Groups (a hub's spokes, a subnet's plain VMs) come collapsed from the API until
 * the page asks for them expanded; sessions to their members come as one edge to the group.
 * Nothing here computes a figure: labels, states and counts are the API's.
 */
import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape';
import elk from 'cytoscape-elk';
import type { TopologyView, ViewEdge, ViewNode } from './types.js';

cytoscape.use(elk);

const GREEN = '#2e7d32';
const RED = '#c62828';
const ORANGE = '#ef6c00';
const GREY = '#9e9e9e';

function edgeClass(e: Pick<ViewEdge, 'kind' | 'state' | 'up'>): string {
  if (e.kind === 'peering') return e.up ? 'peering' : 'peering initiated';
  if (e.up) return 'bgp up';
  if (e.state === 'AdminDown') return 'bgp admin';
  if (e.state === 'Cut') return 'bgp cut';
  return 'bgp down';
}

const lines = (label: string | undefined) => (label ?? '').split('\n');
const labelWidth = (label: string | undefined) =>
  Math.max(70, 14 + 6.2 * Math.max(...lines(label).map((l) => l.length)));
const labelHeight = (label: string | undefined) => 14 + 13 * lines(label).length;

const STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 10,
      'font-family': 'DejaVu Sans, Arial, sans-serif',
      // Sized to the label (the longest line, and the lines), so names stay readable; as data,
      // not style functions (those cost a style pass per node: seconds at 800 nodes).
      width: 'data(w)',
      height: 'data(h)',
      // Labels smaller than this on screen are not drawn (a whole large lab, zoomed out).
      'min-zoomed-font-size': 7,
      shape: 'round-rectangle',
      'background-color': '#f5f5f5',
      'border-width': 1,
      'border-color': '#9e9e9e',
      color: '#212121',
    },
  },
  {
    selector: ':parent',
    style: {
      // The label inside the box's top padding (ELK leaves room for it: elk.padding top).
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': 'data(ty)' as unknown as number,
      'font-weight': 'bold',
      padding: '14px',
      'background-opacity': 1,
    },
  },
  { selector: 'node[kind = "vnet"]', style: { 'background-color': '#e3f2fd', 'border-color': '#90caf9' } },
  {
    selector: 'node[kind = "vnet"][role = "hub"]',
    style: { 'background-color': '#e8eaf6', 'border-color': '#3949ab', 'border-width': 2 },
  },
  {
    selector: 'node[kind = "subnet"]',
    style: {
      'background-color': '#ffffff',
      'border-style': 'dashed',
      'border-color': '#b0bec5',
      'font-size': 9,
      'font-weight': 'normal',
      color: '#546e7a',
    },
  },
  { selector: 'node[kind = "subnet"]:childless', style: { height: 22, 'text-valign': 'center' } },
  {
    selector: 'node[kind = "route-server"]',
    style: {
      shape: 'round-hexagon',
      'background-color': '#7e57c2',
      'border-color': '#4527a0',
      color: '#fff',
      width: 'data(wx)',
    },
  },
  {
    selector: 'node[kind = "gateway"]',
    style: { 'background-color': '#f57c00', 'border-color': '#e65100', color: '#fff' },
  },
  { selector: 'node[kind = "circuit"]', style: { 'background-color': '#fff3e0', 'border-color': '#ffb74d' } },
  {
    selector: 'node[kind = "msee"]',
    style: { 'background-color': '#8d6e63', 'border-color': '#5d4037', color: '#fff' },
  },
  { selector: 'node[kind = "onprem"]', style: { 'background-color': '#eceff1', 'border-color': '#90a4ae' } },
  {
    selector: 'node[kind = "router"], node[kind = "daemon"]',
    style: { 'background-color': '#455a64', 'border-color': '#263238', color: '#fff' },
  },
  { selector: 'node[kind = "peer"]', style: { 'border-style': 'dashed', 'background-color': '#fafafa' } },
  {
    selector: 'node[kind = "group"]',
    style: {
      'background-color': '#fffde7',
      'border-color': '#f9a825',
      'border-style': 'double',
      'border-width': 4,
    },
  },
  { selector: 'node.running', style: { 'border-color': GREEN, 'border-width': 3 } },
  { selector: 'node.paused', style: { 'border-color': ORANGE, 'border-width': 3 } },
  {
    selector: 'node.stopped',
    style: { 'background-color': '#ffcdd2', 'border-color': RED, 'border-width': 3, color: '#b71c1c' },
  },
  { selector: 'edge', style: { width: 2, 'curve-style': 'bezier', 'line-color': GREY, 'font-size': 9 } },
  { selector: 'edge.bgp.up', style: { 'line-color': GREEN } },
  { selector: 'edge.bgp.down', style: { 'line-color': RED, 'line-style': 'dashed' } },
  { selector: 'edge.bgp.cut', style: { 'line-color': ORANGE, 'line-style': 'dashed', 'line-dash-pattern': [2, 3] } },
  { selector: 'edge.bgp.admin', style: { 'line-color': GREY, 'line-style': 'dotted' } },
  { selector: 'edge.peering', style: { 'line-color': '#90caf9', width: 5, opacity: 0.8 } },
  { selector: 'edge.peering.initiated', style: { 'line-style': 'dashed' } },
  {
    selector: 'edge:selected',
    style: { width: 5, label: 'data(label)', 'text-background-color': '#fff', 'text-background-opacity': 0.9 },
  },
  { selector: 'node:selected', style: { 'overlay-color': '#1565c0', 'overlay-opacity': 0.15, 'overlay-padding': 4 } },
  { selector: 'node.hl', style: { 'border-color': '#ffab00', 'border-width': 5 } },
  {
    selector: 'edge.trace',
    style: {
      'line-color': '#1565c0',
      'target-arrow-color': '#1565c0',
      'target-arrow-shape': 'triangle',
      width: 4,
      'line-style': 'solid',
      label: 'data(label)',
      color: '#0d47a1',
      'font-weight': 'bold',
      'text-background-color': '#fff',
      'text-background-opacity': 1,
      'z-index': 99,
    },
  },
];

/** What was selected on the graph: a node, an edge (possibly several sessions drawn as one), or a group. */
export type Selection =
  | { readonly type: 'node'; readonly node: ViewNode }
  | { readonly type: 'edge'; readonly edge: ViewEdge };

export class TopologyGraph {
  readonly cy: Core;
  private view?: TopologyView;
  private nodeById = new Map<string, ViewNode>();
  private edgeById = new Map<string, ViewEdge>();
  /** Lower-case name or alias → node id (trace hops, explain sections, timeline sources). */
  private byName = new Map<string, string>();
  private byLabel = new Map<string, string>();
  private layoutRun = 0;
  onSelect?: (s: Selection) => void;
  /** A group double-clicked: the page asks the API for it expanded or collapsed. */
  onToggle?: (groupId: string) => void;
  /** Milliseconds the last layout took (ELK in its worker). */
  lastLayoutMs = 0;

  constructor(container: HTMLElement) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.03,
      maxZoom: 3,
      boxSelectionEnabled: false,
      textureOnViewport: true,
      hideEdgesOnViewport: false,
    });
    this.cy.on('tap', 'node', (e) => {
      const n = this.nodeById.get(e.target.id());
      if (n) this.onSelect?.({ type: 'node', node: n });
    });
    this.cy.on('tap', 'edge', (e) => {
      const edge = this.edgeById.get(e.target.id());
      if (edge) this.onSelect?.({ type: 'edge', edge });
    });
    this.cy.on('dbltap', 'node[kind = "group"]', (e) => this.onToggle?.(e.target.id()));
  }

  get topology(): TopologyView | undefined {
    return this.view;
  }

  node(id: string): ViewNode | undefined {
    return this.nodeById.get(id);
  }

  /** The node a name designates (a trace hop, an explain section, a timeline source). */
  nodeNamed(name: string): ViewNode | undefined {
    const id = this.byName.get(name.toLowerCase());
    return id ? this.nodeById.get(id) : undefined;
  }

  /** The session edge a name designates ("hub1rs/IN_0<->hub1nva" or the timeline's "hub1rs/IN_0/hub1nva", "er1/0<->er-circuit/primary"). */
  edgeLabelled(label: string): ViewEdge | undefined {
    const id = this.byLabel.get(label.toLowerCase());
    return id ? this.edgeById.get(id) : undefined;
  }

  isCollapsed(groupId: string): boolean {
    return !!this.view?.groups.find((g) => g.id === groupId)?.collapsed;
  }

  /** Shows a new answer of /arslab/topology: re-laid out when its structure changed, else recoloured. */
  async show(view: TopologyView): Promise<void> {
    const structural = this.view?.structure !== view.structure;
    this.view = view;
    this.nodeById = new Map(view.nodes.map((n) => [n.id, n]));
    this.edgeById = new Map(view.edges.map((e) => [e.id, e]));
    this.byName = new Map();
    // A VM is often named like its VNet: the name means the VM (or speaker) first.
    const containers = (n: ViewNode) => n.kind === 'vnet' || n.kind === 'subnet' || n.kind === 'group';
    for (const n of [...view.nodes.filter((x) => !containers(x)), ...view.nodes.filter(containers)])
      for (const name of [n.name, ...n.aliases])
        if (name && !this.byName.has(name.toLowerCase())) this.byName.set(name.toLowerCase(), n.id);
    this.byLabel = new Map(view.edges.map((e) => [e.label.toLowerCase(), e.id]));
    for (const e of view.edges)
      for (const a of e.aliases ?? []) if (!this.byLabel.has(a.toLowerCase())) this.byLabel.set(a.toLowerCase(), e.id);
    for (const e of view.edges)
      for (const m of e.members ?? [])
        if (!this.byLabel.has(m.label.toLowerCase())) this.byLabel.set(m.label.toLowerCase(), e.id);
    await this.render(structural);
  }

  private elements(): ElementDefinition[] {
    const view = this.view!;
    const out: ElementDefinition[] = [];
    for (const n of view.nodes) {
      out.push({
        group: 'nodes',
        data: {
          id: n.id,
          label: n.label,
          w: labelWidth(n.label),
          wx: labelWidth(n.label) + 24,
          h: labelHeight(n.label),
          ty: 2 + 13 * lines(n.label).length,
          kind: n.kind,
          column: n.column,
          ...(n.role ? { role: n.role } : {}),
          ...(n.parent ? { parent: n.parent } : {}),
        },
        classes: n.state === 'running' ? 'running' : n.state === 'paused' ? 'paused' : n.state ? 'stopped' : '',
      });
    }
    for (const e of view.edges) {
      out.push({
        group: 'edges',
        data: {
          id: e.id,
          source: e.source,
          target: e.target,
          kind: e.kind,
          state: e.state,
          label: e.label,
          members: e.members ? e.members.map((m) => m.label) : [e.label],
        },
        classes: edgeClass(e),
      });
    }
    return out;
  }

  private async render(relayout: boolean): Promise<void> {
    const els = this.elements();
    const cy = this.cy;
    const same =
      !relayout &&
      els.length === cy.elements().length &&
      els.every((el) => {
        const x = cy.getElementById(el.data.id!);
        return x.nonempty() && (el.group === 'nodes' ? (x.data('parent') ?? undefined) === el.data.parent : true);
      });
    if (same) {
      cy.batch(() => {
        for (const el of els) {
          const x = cy.getElementById(el.data.id!);
          x.data(el.data);
          x.classes(el.classes as string);
        }
      });
      return;
    }
    // Rebuilt: the new elements' first style pass (about a millisecond each here) runs in its
    // own frame, before the layout reads their sizes, so that a large expansion is two
    // shorter tasks rather than one long one; the pile they make until laid out is dimmed.
    const container = cy.container()!;
    container.classList.add('relayout');
    cy.batch(() => {
      cy.elements().remove();
      cy.add(els);
    });
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    await this.layout();
    container.classList.remove('relayout');
  }

  private async layout(): Promise<void> {
    const run = ++this.layoutRun;
    const t0 = performance.now();
    const cy = this.cy;
    const done = new Promise<void>((resolve) => cy.one('layoutstop', () => resolve()));
    cy.layout({
      name: 'elk',
      nodeDimensionsIncludeLabels: false,
      fit: true,
      padding: 24,
      animate: false,
      elk: {
        algorithm: 'layered',
        'elk.direction': 'RIGHT',
        'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
        'elk.layered.spacing.nodeNodeBetweenLayers': 50,
        'elk.spacing.nodeNode': 24,
        'elk.layered.spacing.edgeNodeBetweenLayers': 20,
        'elk.partitioning.activate': true,
        'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
        'elk.padding': '[top=34,left=12,bottom=12,right=12]',
      },
      // The seeds' columns: on premises, circuits, hubs, spokes (top-level nodes only).
      nodeLayoutOptions: (n: cytoscape.NodeSingular) =>
        n.isChild() ? {} : { 'elk.partitioning.partition': String(n.data('column')) },
    } as cytoscape.LayoutOptions).run();
    await done;
    if (run === this.layoutRun) this.lastLayoutMs = performance.now() - t0;
  }

  // --- Highlights: explain's speakers, trace's hops ---------------------------------

  clearHighlight(): void {
    this.cy.batch(() => {
      this.cy.$('.trace').remove();
      this.cy.nodes().removeClass('hl');
    });
  }

  /** Marks nodes (explain sections' speakers, as the API located them). */
  highlight(ids: readonly string[]): void {
    this.cy.batch(() => {
      for (const id of ids) this.cy.getElementById(id).addClass('hl');
    });
  }

  /** Draws a path hop by hop (a trace): numbered arrows between the nodes drawn for the hops. */
  drawPath(ids: readonly (string | undefined)[], tag: string): number {
    let drawn = 0;
    this.cy.batch(() => {
      let prev: string | undefined;
      ids.forEach((id, i) => {
        if (!id || this.cy.getElementById(id).empty()) return;
        this.cy.getElementById(id).addClass('hl');
        if (prev && prev !== id) {
          this.cy.add({
            group: 'edges',
            data: { id: `trace:${tag}:${i}`, source: prev, target: id, label: String(i) },
            classes: 'trace',
          });
          drawn++;
        }
        prev = id;
      });
    });
    return drawn;
  }

  /** What is drawn now (tests and the benchmark read the graph through this). */
  snapshot(): {
    nodes: { id: string; kind: string; label: string; classes: string[] }[];
    edges: {
      id: string;
      kind: string;
      state: string;
      source: string;
      target: string;
      color: string;
      members: string[];
      classes: string[];
    }[];
  } {
    return {
      nodes: this.cy.nodes().map((n) => ({
        id: n.id(),
        kind: n.data('kind') as string,
        label: n.data('label') as string,
        classes: n.classes(),
      })),
      edges: this.cy.edges().map((e) => ({
        id: e.id(),
        kind: (e.data('kind') as string) ?? 'trace',
        state: (e.data('state') as string) ?? '',
        label: (e.data('label') as string) ?? '',
        source: e.source().id(),
        target: e.target().id(),
        color: e.style('line-color') as string,
        members: (e.data('members') as string[]) ?? [],
        classes: e.classes(),
      })),
    };
  }
}
