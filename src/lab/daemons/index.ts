/**
 * @module lab/daemons
 * Drivers that run a user's real BGP daemon (BIRD 2, FRR bgpd, GoBGP, ExaBGP) from the user's
 * own configuration file, control it and query it, with one interface. See docs/DAEMONS.md.
 */
import { startAgent } from './agent/index.js';
import { startBird } from './bird/index.js';
import { startExabgp } from './exabgp/index.js';
import { startExec } from './exec/index.js';
import { startFrr } from './frr/index.js';
import { startGobgp } from './gobgp/index.js';
import { DAEMON_KINDS, DaemonError, type DaemonHandle, type DaemonKind, type DaemonSpec } from './types.js';

export * from './types.js';
export type { ExabgpHandle } from './exabgp/index.js';

const DRIVERS: Record<DaemonKind, (spec: DaemonSpec) => Promise<DaemonHandle>> = {
  bird: startBird,
  frr: startFrr,
  gobgp: startGobgp,
  exabgp: startExabgp,
  agent: startAgent,
  exec: startExec,
};

export function isDaemonKind(kind: string): kind is DaemonKind {
  return (DAEMON_KINDS as readonly string[]).includes(kind);
}

/**
 * Starts daemon `kind` from `spec.configFile`. Resolves once the process runs (call
 * handle.ready() before using its control interface); rejects with DaemonError when the
 * configuration cannot work under ARSLab (the message names the line to add) or the binary
 * cannot start. An unknown kind is an error listing the known ones.
 */
export function startDaemon(kind: DaemonKind | string, spec: DaemonSpec): Promise<DaemonHandle> {
  if (!isDaemonKind(kind)) {
    return Promise.reject(
      new DaemonError('usage', `unknown daemon kind "${kind}"; known kinds: ${DAEMON_KINDS.join(', ')}`),
    );
  }
  return DRIVERS[kind](spec);
}
