/**
 * @module lab/kinds/types
 * A node kind (containerlab's pattern): one interface with lifecycle hooks, one module per
 * kind, one registry. Real daemons (bird, frr, gobgp, exabgp) share one implementation
 * over src/lab/daemons; the built-in speaker is its own; so is the web server (http), which
 * speaks no BGP (no sessions, no routes, no commands).
 */
import type { DaemonRoute, DaemonSession } from '../daemons/types.js';
import type { NodeSpec } from '../spec.js';

export type NodeState = 'created' | 'running' | 'paused' | 'stopped' | 'exited' | 'failed';

export interface NodeStatus {
  readonly name: string;
  readonly kind: NodeSpec['kind'];
  readonly address: string;
  readonly realAddress: string;
  /** http nodes: the port as the VM has it, and the port bound (loopback mode may move it, ADR 0001). */
  readonly port?: number;
  readonly realPort?: number;
  readonly state: NodeState;
  readonly pid?: number;
  readonly detail?: string;
  /** ExaBGP nodes: the FIFO relayed to the daemon by exabgp-cmd-pipe.py (the seed's `echo "announce …" > PIPE`). */
  readonly commandPipe?: string;
}

export interface NodeRuntime {
  readonly spec: NodeSpec;
  start(): Promise<void>;
  /** Graceful stop (the node closes its sessions with a NOTIFICATION), or a kill (no NOTIFICATION). */
  stop(opts?: { kill?: boolean }): Promise<void>;
  pause(): void;
  resume(): void;
  status(): NodeStatus;
  /** Every process the node runs, for cleanup. */
  pids(): number[];
  /** ExaBGP-style announce/withdraw text, or the daemon's own command language. */
  command(text: string): Promise<string>;
  sessions(): Promise<DaemonSession[]>;
  receivedRoutes(): Promise<DaemonRoute[]>;
}
