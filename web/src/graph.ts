/**
 * The topology as a graph (cytoscape.js, laid out by ELK's layered algorithm in a worker):
 * on-premises on the left, circuits, hubs, spokes on the right — the seeds' diagrams. VNets
 * and subnets are compound nodes; BGP sessions are edges coloured by the state the API
 * reports. Groups (a hub's spokes, a subnet's plain VMs) come collapsed from the API until
 * the page asks for them expanded; sessions to their members come as one edge to the group.
 * Nothing here computes a figure: labels, states and counts are the API's.
 */
import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from 'cytoscape';
import { type ElkNode, layoutInWorker } from './elkWorker.js';
import type { TopologyView, ViewEdge, ViewNode } from './types.js';

/** ELK's layered algorithm, left to right in the seeds' columns (partitions), VNets and subnets as compound nodes. */
const ELK_OPTIONS: Record<string, string> = {
  algorithm: 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '50',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.partitioning.activate': 'true',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.padding': '[top=34,left=12,bottom=12,right=12]',
};
const FIT_PADDING = 24;
/** Where edges sort among nodes ordered by depth (after all of them). */
const EDGE_LEVEL = 1e6;

/**
 * What one slice of work on the graph should take, the frame drawing it included (ms). A
 * task must stay under the ~200 ms after which a page feels frozen (issue 14), and a busy
 * machine stretches a task's wall time several-fold (2 cores at load 12: the page's thread
 * gets about a sixth of one), so the slices aim well below. Sizes in elements, adjusted to
 * what the previous slice took, starting at FIRST_SLICE.
 */
const SLICE_TARGET_MS = 30;
const FIRST_SLICE = 50;
const MIN_SLICE = 15;
const MAX_SLICE = 200;

/** Resolves in the task after the next frame (cytoscape draws in its requestAnimationFrame callback). */
const afterNextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

const sameValue = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

/** Whether an element's data already holds every value of `next` (so setting it would only restyle it for nothing). */
function sameData(have: Record<string, unknown>, next: Record<string, unknown>): boolean {
  for (const k of Object.keys(next)) if (!sameValue(have[k], next[k])) return false;
  for (const k of Object.keys(have)) if (!(k in next)) return false;
  return true;
}

/** Whether an element has these classes and no other (highlights of the page's own aside). */
function sameClasses(x: cytoscape.SingularElementArgument, classes: string): boolean {
  const want = classes.split(' ').filter(Boolean);
  const have = x.classes().filter((c) => c !== 'hl');
  return want.length === have.length && want.every((c) => x.hasClass(c));
}

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
      // Drawn over the VNets and subnets (below), whatever their depth: cytoscape's 'auto'
      // walks every element's parents on each comparison of its z-sort, which it redoes
      // whenever an element is added or shown (about 100 ms per frame at 1,300 elements).
      'z-compound-depth': 'orphan',
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
  // Containers under everything else; among them, the order they were added in (parents first).
  { selector: 'node[kind = "vnet"], node[kind = "subnet"]', style: { 'z-compound-depth': 'bottom' } },
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
  {
    selector: 'edge',
    style: { 'z-compound-depth': 'orphan', width: 2, 'curve-style': 'bezier', 'line-color': GREY, 'font-size': 9 },
  },
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
  /** The structure key of what is drawn (TopologyView.structure): a new one means a new layout. */
  private drawnStructure?: string;
  private lastSliceMs = 0;
  /** Views asked for (show) and drawn: one render at a time, the newest view last. */
  private asked = 0;
  private drawn = 0;
  private rendering?: Promise<void>;
  onSelect?: (s: Selection) => void;
  /** A group double-clicked: the page asks the API for it expanded or collapsed. */
  onToggle?: (groupId: string) => void;
  /** Milliseconds the last layout took (ELK in its worker). */
  lastLayoutMs = 0;
  /** Where the renders' time went since the page loaded (ms): ELK in its worker, and the slices, with their count (the benchmark reports them). */
  readonly lastRender = { elkMs: 0, layouts: 0, slicedMs: 0, slices: 0 };

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

  /**
   * Shows a new answer of /arslab/topology: re-laid out when its structure changed, else
   * recoloured. Resolves once it is drawn; views shown while one is being drawn are drawn
   * after it, the newest only.
   */
  async show(view: TopologyView): Promise<void> {
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
    const mine = ++this.asked;
    while (this.drawn < mine) await (this.rendering ??= this.renderNewest());
  }

  private async renderNewest(): Promise<void> {
    try {
      while (this.drawn < this.asked) {
        const n = this.asked;
        await this.render();
        this.drawn = n;
      }
    } finally {
      this.rendering = undefined;
    }
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

  /**
   * Brings the graph to the view's elements. A structure change (a group expanded or
   * collapsed, a VNet added) is a diff — only what left is removed, only what is new is
   * added — and a new layout; otherwise only the elements whose data or state changed are
   * touched. Every step that handles many elements runs in slices (sliced()): expanding a
   * hub's 249 spokes (about 1,300 elements) is a run of short tasks, never one long one.
   * New elements stay hidden (a visibility bypass) until laid out: nothing is drawn in a
   * pile first, and hidden elements cost the renderer no drawing.
   */
  private async render(): Promise<void> {
    const view = this.view!;
    const structural = this.drawnStructure !== view.structure;
    const cy = this.cy;
    const els = this.elements();
    const wanted = new Map(els.map((el) => [el.data.id!, el]));
    // What is drawn and stays as it is (same parent, same ends), what goes, what comes.
    const fits = (x: cytoscape.SingularElementArgument, el: ElementDefinition) =>
      el.group === 'nodes'
        ? (x.data('parent') ?? undefined) === el.data.parent
        : x.data('source') === el.data.source && x.data('target') === el.data.target;
    const gone = cy.elements().filter((x) => {
      if (x.hasClass('trace')) return false; // the page's own drawing (a trace): kept while its ends are
      const el = wanted.get(x.id());
      return !el || !fits(x, el);
    });
    // Edges, then nodes from the deepest (removing a node removes its edges and descendants).
    const depth = (x: cytoscape.SingularElementArgument) => (x.isNode() ? x.ancestors().length : EDGE_LEVEL);
    await this.sliced(
      gone.toArray().sort((a, b) => depth(b) - depth(a)),
      (slice) => {
        for (const x of slice) if (x.inside()) x.remove();
      },
    );
    // After the removal: an edge of a node that moved went with it, and is added again.
    const changed: [cytoscape.SingularElementArgument, ElementDefinition][] = [];
    const added: ElementDefinition[] = [];
    for (const el of els) {
      const x = cy.getElementById(el.data.id!);
      if (x.empty()) added.push(el);
      else if (!sameData(x.data(), el.data) || !sameClasses(x, el.classes as string)) changed.push([x, el]);
    }
    await this.sliced(changed, (slice) => {
      for (const [x, el] of slice) {
        x.data(el.data);
        x.classes(`${el.classes as string}${x.hasClass('hl') ? ' hl' : ''}`);
      }
    });
    if (!structural && added.length === 0) return;
    // A subtree at a time (a VNet, its subnets, their VMs: parents first), then the edges.
    // Cytoscape restyles a compound node, and re-reads its whole subtree, whenever a child
    // is added: adding all VNets, then all subnets, … would restyle every VNet again and again.
    const parentOf = new Map(view.nodes.map((n) => [n.id, n.parent]));
    const rootAndDepth = (id: string): [string, number] => {
      let d = 0;
      let r = id;
      for (let p = parentOf.get(id); p; p = parentOf.get(p)) [r, d] = [p, d + 1];
      return [r, d];
    };
    const order = new Map(view.nodes.map((n, i) => [n.id, i]));
    const key = new Map(
      added.map((el) => {
        if (el.group === 'edges') return [el, [EDGE_LEVEL, 0]] as const;
        const [r, d] = rootAndDepth(el.data.id!);
        return [el, [order.get(r) ?? 0, d]] as const;
      }),
    );
    const pending = added.sort((a, b) => {
      const [ka, kb] = [key.get(a)!, key.get(b)!];
      return ka[0] - kb[0] || ka[1] - kb[1];
    });
    // Hidden by a style bypass (not a class): showing it later sets one property of each
    // element, where a class change would restyle it, its subtree and its parents in full.
    let fresh = cy.collection();
    await this.sliced(
      pending,
      (slice) => {
        fresh = cy.add(slice).style('visibility', 'hidden');
      },
      // Styled in its slice rather than all at once by the next frame's render; after the
      // batch, whose end marks what it touched to be restyled. (pstyle: cytoscape's parsed
      // style, computed on first read; not in its typings.)
      () => fresh.forEach((x) => void (x as unknown as { pstyle(p: string): unknown }).pstyle('visibility')),
    );
    // The last slice's style work in its own task, apart from building ELK's graph.
    if (pending.length > FIRST_SLICE) await afterNextFrame();
    await this.layout();
    this.drawnStructure = view.structure;
    // Shown top-down (a node is visible only when its parents are), the edges last.
    const shown = (els: typeof pending) => els.map((el) => el.data.id!);
    const show = (ids: readonly string[]) => {
      const c = cy.collection();
      for (const id of ids) c.merge(cy.getElementById(id));
      c.removeStyle('visibility');
    };
    await this.sliced(shown(pending.filter((el) => el.group !== 'edges')), show);
    await this.sliced(shown(pending.filter((el) => el.group === 'edges')), show);
  }

  /**
   * Runs `apply` over `items` in slices, with a frame drawn after each: the work and the
   * renderer's styling and drawing of what it changed make tasks of about SLICE_TARGET_MS
   * instead of one task for the whole. The slice size follows what the last slice and its
   * frame took, so a loaded machine gets smaller slices.
   */
  private async sliced<T>(
    items: readonly T[],
    apply: (slice: T[]) => void,
    afterBatch?: (slice: T[]) => void,
  ): Promise<void> {
    let size = FIRST_SLICE;
    const t0 = performance.now();
    for (let i = 0; i < items.length; ) {
      // A frame between two slices, none after the last: a phase of one slice (a small lab)
      // costs no frame, and the next phase's first slice follows in the same task.
      if (i > 0) {
        const started = performance.now();
        await afterNextFrame();
        this.lastRender.slices++;
        const took = performance.now() - started + this.lastSliceMs;
        if (took > SLICE_TARGET_MS) size = Math.max(MIN_SLICE, Math.floor((size * SLICE_TARGET_MS) / took));
        else if (took < SLICE_TARGET_MS / 2) size = Math.min(MAX_SLICE, Math.ceil(size * 1.25));
      }
      const s0 = performance.now();
      const slice = items.slice(i, i + size);
      i += slice.length;
      this.cy.batch(() => apply(slice));
      afterBatch?.(slice);
      this.lastSliceMs = performance.now() - s0;
    }
    this.lastRender.slicedMs += performance.now() - t0;
  }

  /**
   * ELK's layered layout of every node (in its worker), then the positions set in slices and
   * the view fitted to the laid-out graph. Leaves are sized as cytoscape draws them
   * (layoutDimensions); compound nodes (VNets, subnets) are sized by ELK around their
   * children, as cytoscape then draws them.
   */
  private async layout(): Promise<void> {
    const run = ++this.layoutRun;
    const t0 = performance.now();
    const cy = this.cy;
    // In the API's order, as a fresh load adds them (ELK's layered crossing minimisation
    // starts from the input order), not in the drawn order (kept elements first, new ones
    // after): an expansion is laid out as the same view loaded afresh.
    const rank = new Map<string, number>();
    for (const [i, n] of (this.view?.nodes ?? []).entries()) rank.set(n.id, i);
    for (const [i, e] of (this.view?.edges ?? []).entries()) rank.set(e.id, i);
    const byRank = (a: cytoscape.SingularElementArgument, b: cytoscape.SingularElementArgument) =>
      (rank.get(a.id()) ?? 0) - (rank.get(b.id()) ?? 0);
    const nodes = cy.nodes().sort(byRank);
    const byId = new Map<string, ElkNode>();
    const root: ElkNode = {
      id: 'root',
      layoutOptions: { ...ELK_OPTIONS, aspectRatio: String(cy.width() / cy.height()) },
      children: [],
      edges: [],
    };
    nodes.forEach((n) => {
      const k: ElkNode = { id: n.id() };
      // The seeds' columns: on premises, circuits, hubs, spokes (top-level nodes only).
      if (!n.isChild()) k.layoutOptions = { 'elk.partitioning.partition': String(n.data('column')) };
      if (!n.isParent()) {
        const d = n.layoutDimensions({ nodeDimensionsIncludeLabels: false });
        const p = n.position();
        k.width = d.w;
        k.height = d.h;
        // Where it is now, as cytoscape-elk gave it (without it, ELK took 3.9 s instead of
        // 2.3 s on 249 spokes in our runs).
        k.x = p.x - d.w / 2;
        k.y = p.y - d.h / 2;
      }
      byId.set(k.id, k);
    });
    nodes.forEach((n) => {
      const parent = n.isChild() ? byId.get(n.parent().first().id()) : root;
      (parent!.children ??= []).push(byId.get(n.id())!);
    });
    // All at the top level, in ELK's primitive form (source, target), as cytoscape-elk hands
    // them: given as `sources`/`targets`, ELK took 5-6 s instead of about 1 s on 249 spokes.
    const edges: { id: string; source: string; target: string }[] = [];
    cy.edges()
      .sort(byRank)
      .forEach((e) => {
        if (!e.hasClass('trace')) edges.push({ id: e.id(), source: e.source().id(), target: e.target().id() });
      });
    root.edges = edges as unknown as ElkNode['edges'];
    const tElk = performance.now();
    const laid = await layoutInWorker(root);
    this.lastRender.elkMs += performance.now() - tElk;
    this.lastRender.layouts++;
    if (run !== this.layoutRun) return;
    // ELK places each node's top-left corner relative to its parent; cytoscape, a leaf's centre.
    const positions: [string, { x: number; y: number }][] = [];
    const walk = (k: ElkNode, dx: number, dy: number) => {
      const x = dx + (k.x ?? 0);
      const y = dy + (k.y ?? 0);
      if (k.children?.length) for (const c of k.children) walk(c, x, y);
      else positions.push([k.id, { x: x + (k.width ?? 0) / 2, y: y + (k.height ?? 0) / 2 }]);
    };
    for (const c of laid.children ?? []) walk(c, 0, 0);
    await this.sliced(positions, (slice) => {
      for (const [id, p] of slice) cy.getElementById(id).position(p);
    });
    this.fitTo(laid.width ?? 0, laid.height ?? 0);
    this.lastLayoutMs = performance.now() - t0;
  }

  /** The viewport around the laid-out graph (ELK's size of it: no bounding box of every element to compute). */
  private fitTo(width: number, height: number): void {
    const cy = this.cy;
    if (width <= 0 || height <= 0) return;
    const zoom = Math.min(
      cy.maxZoom(),
      Math.max(
        cy.minZoom(),
        Math.min((cy.width() - 2 * FIT_PADDING) / width, (cy.height() - 2 * FIT_PADDING) / height),
      ),
    );
    cy.viewport({ zoom, pan: { x: (cy.width() - width * zoom) / 2, y: (cy.height() - height * zoom) / 2 } });
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
    nodes: { id: string; kind: string; label: string; classes: string[]; hidden: boolean }[];
    edges: {
      id: string;
      kind: string;
      state: string;
      source: string;
      target: string;
      color: string;
      members: string[];
      classes: string[];
      hidden: boolean;
    }[];
  } {
    return {
      nodes: this.cy.nodes().map((n) => ({
        id: n.id(),
        kind: n.data('kind') as string,
        label: n.data('label') as string,
        classes: n.classes(),
        hidden: n.style('visibility') === 'hidden',
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
        hidden: e.style('visibility') === 'hidden',
      })),
    };
  }
}
