/**
 * @module lab/kinds
 * The registry of node kinds: one constructor per kind name; an unknown kind is an error
 * that lists the known ones.
 */
import type { NodeSpec } from '../spec.js';
import type { NodeContext } from './context.js';
import { DaemonNode } from './daemon.js';
import { HttpNode } from './http.js';
import { SpeakerNode } from './speaker.js';
import type { NodeRuntime } from './types.js';

type Factory = (spec: NodeSpec, ctx: NodeContext) => NodeRuntime;

const registry = new Map<string, Factory>();

export function registerKind(name: string, factory: Factory): void {
  if (registry.has(name)) throw new Error(`node kind ${name} registered twice`);
  registry.set(name, factory);
}

export function knownKinds(): string[] {
  return [...registry.keys()];
}

export function createNode(spec: NodeSpec, ctx: NodeContext): NodeRuntime {
  const f = registry.get(spec.kind);
  if (!f) throw new Error(`unknown node kind "${spec.kind}"; known kinds: ${knownKinds().join(', ')}`);
  return f(spec, ctx);
}

for (const k of ['bird', 'frr', 'gobgp', 'exabgp', 'agent', 'exec'] as const) {
  registerKind(k, (spec, ctx) => new DaemonNode(spec as Extract<NodeSpec, { kind: typeof k }>, ctx));
}
registerKind('speaker', (spec, ctx) => new SpeakerNode(spec as Extract<NodeSpec, { kind: 'speaker' }>, ctx));
registerKind('http', (spec, ctx) => new HttpNode(spec as Extract<NodeSpec, { kind: 'http' }>, ctx));

export type { NodeRuntime, NodeStatus, NodeState } from './types.js';
export type { NodeContext } from './context.js';
export { SpeakerNode, DaemonNode, HttpNode };
