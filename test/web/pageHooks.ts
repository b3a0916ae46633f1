/**
 * What the page exposes to tests and the benchmark (web/src/main.ts `hooks()`), typed for
 * the functions passed to page.evaluate (they run in the browser, where `window` exists).
 */
import type { TopologyView } from '../../src/lab/topologyView.js';
import type { ProbeGap, ProbeResult, ProbeSummary } from '../../src/lab/probe.js';

export interface DrawnNode {
  id: string;
  kind: string;
  label: string;
  classes: string[];
  /** Still hidden (added, not yet laid out and shown). */
  hidden: boolean;
}

export interface DrawnEdge {
  id: string;
  kind: string;
  state: string;
  label: string;
  source: string;
  target: string;
  /** The colour it is drawn in, as the browser computed it ("rgb(46,125,50)"). */
  color: string;
  /** The labels of the sessions or peerings it stands for (its own, when one). */
  members: string[];
  classes: string[];
  hidden: boolean;
}

export interface PageHooks {
  ready: boolean;
  error?: string;
  graph(): { nodes: DrawnNode[]; edges: DrawnEdge[] };
  topology(): TopologyView | undefined;
  probe(): { run?: number; results: ProbeResult[]; summary?: ProbeSummary; drawnGaps: ProbeGap[] };
  layoutMs(): number;
  renderStats?(): { elkMs: number; layouts: number; slicedMs: number; slices: number };
  expandAll(kind: 'spokes' | 'vms'): Promise<void>;
  connected(): boolean;
  at(id: string): { x: number; y: number } | null;
}

declare global {
  var window: { __arslab?: PageHooks };
}
