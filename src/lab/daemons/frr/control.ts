/**
 * @module lab/daemons/frr/control
 * vtysh on bgpd's private vty socket (`vtysh --vty_socket WORK -d bgpd -c ...`).
 */
import { DaemonError } from '../types.js';
import { runCommand } from '../process.js';
import type { RunningDaemon } from '../scaffold.js';

/** bgpd alone (no zebra); the driver's command line is in driver.ts. */
export const FRR_BGPD = '/usr/lib/frr/bgpd';

/** Runs vtysh with one -c per command; throws on "%" error lines (vtysh's error marker). */
export async function vtysh(d: RunningDaemon, commands: string[], timeoutMs = 15_000): Promise<string> {
  d.checkAlive();
  const r = await runCommand(['vtysh', '--vty_socket', d.work, '-d', 'bgpd', ...commands.flatMap((c) => ['-c', c])], {
    timeoutMs,
  });
  const errors = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^%/.test(l.trim()));
  if (r.code !== 0 || errors.length > 0) {
    throw new DaemonError(
      'command',
      `${d.label}: vtysh ${commands.map((c) => `-c '${c}'`).join(' ')}: ${(errors.join('; ') || r.stderr || r.stdout).trim()} (exit ${r.code})`,
    );
  }
  return r.stdout;
}

/** One vtysh command whose output is JSON. */
export async function vtyJson(d: RunningDaemon, command: string): Promise<unknown> {
  const out = await vtysh(d, [command]);
  try {
    return JSON.parse(out);
  } catch {
    throw new DaemonError('command', `${d.label}: "${command}" did not return JSON: ${out.slice(0, 200)}`);
  }
}
