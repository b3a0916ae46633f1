/**
 * @module lab/daemons/gobgp/control
 * The `gobgp` CLI against the daemon's gRPC API on a Unix socket in its work directory.
 */
import { DaemonError } from '../types.js';
import { runCommand } from '../process.js';
import type { RunningDaemon } from '../scaffold.js';

export { splitArgs } from '../common.js';

/** `gobgp --target TARGET ARGS…`; throws DaemonError('command') on a non-zero exit. */
export async function gobgpCli(d: RunningDaemon, target: string, args: string[], timeoutMs = 15_000): Promise<string> {
  d.checkAlive();
  const r = await runCommand(['gobgp', '--target', target, ...args], { timeoutMs });
  if (r.code !== 0) {
    throw new DaemonError(
      'command',
      `${d.label}: gobgp ${args.join(' ')}: ${(r.stderr || r.stdout).trim()} (exit ${r.code})`,
    );
  }
  return r.stdout;
}

/** The same with `-j`, parsed. */
export async function gobgpCliJson(d: RunningDaemon, target: string, args: string[]): Promise<unknown> {
  const out = await gobgpCli(d, target, [...args, '-j']);
  try {
    return JSON.parse(out);
  } catch {
    throw new DaemonError('command', `${d.label}: ${args.join(' ')} -j did not return JSON: ${out.slice(0, 200)}`);
  }
}
