/** arslab down — stop a lab, and clean up after one whose process died (processes by PID, namespaces). */
import type { Command } from '../command.js';
import { ApiClient } from '../client.js';
import {
  isAlive,
  listLabs,
  processState,
  removeLabState,
  removeLeftoversSync,
  type LabState,
} from '../../lab/state.js';

/**
 * How long `down` waits (issue 8, finding 7: a SIGSTOPped lab made it wait 90 s in silence):
 * the lab must take the shutdown request within ANSWER_MS; one that did is given GRACE_MS to
 * stop its daemons (each has 5 s between SIGTERM and SIGKILL); one that did not gets SIGTERM
 * and UNRESPONSIVE_MS, then SIGKILL. Whatever it left is then removed by PID and name.
 */
export const DOWN_TIMEOUTS = { ANSWER_MS: 3000, GRACE_MS: 15_000, UNRESPONSIVE_MS: 2000 } as const;

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid) || processState(pid) === 'Z') return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone meanwhile.
  }
}

export async function takeDown(s: LabState & { alive: boolean }, log: (t: string) => void): Promise<void> {
  let forced = false;
  if (s.alive) {
    let answered = false;
    try {
      const r = await ApiClient.forLab(s, DOWN_TIMEOUTS.ANSWER_MS).request('POST', '/arslab/shutdown');
      answered = r.status === 202;
    } catch {
      // It does not answer (stopped, hung) or refuses: handled below.
    }
    if (answered) {
      if (!(await waitGone(s.pid, DOWN_TIMEOUTS.GRACE_MS))) {
        log(
          `lab '${s.name}' (pid ${s.pid}) did not stop in ${DOWN_TIMEOUTS.GRACE_MS / 1000} s: killing it (SIGKILL)\n`,
        );
        forced = true;
      }
    } else {
      const st = processState(s.pid);
      log(
        `lab '${s.name}' (pid ${s.pid}) does not answer at ${s.api.host}:${s.api.port}${st === 'T' ? ' (stopped: state T)' : st ? ` (state ${st})` : ''}: ` +
          `${st === 'T' ? 'killing it (SIGKILL)' : `SIGTERM, SIGKILL after ${DOWN_TIMEOUTS.UNRESPONSIVE_MS / 1000} s`}, then removing what it started\n`,
      );
      if (st !== 'T') {
        signal(s.pid, 'SIGTERM');
        forced = !(await waitGone(s.pid, DOWN_TIMEOUTS.UNRESPONSIVE_MS));
      } else forced = true;
    }
    if (forced) {
      signal(s.pid, 'SIGKILL');
      await waitGone(s.pid, 5000);
    }
  }
  // Whatever the lab left behind (it crashed, or was killed): by PID, then namespaces.
  const cleaned = removeLeftoversSync(s, (line) => log(`${line}\n`));
  removeLabState(s.name);
  log(`lab '${s.name}' is down${cleaned ? ` (${cleaned} leftover process${cleaned === 1 ? '' : 'es'} killed)` : ''}\n`);
}

export const command: Command = {
  path: ['down'],
  summary: 'Stop the running lab (or --lab NAME, or --all).',
  args: { all: { flags: ['--all'], help: 'Stop every lab.', boolean: true } },
  defaultOutput: 'text',
  examples: ['arslab down', 'arslab down --lab next-hop-failover'],
  async run(ctx, args) {
    const labs = listLabs();
    const name = ctx.labName;
    const chosen = args['all'] ? labs : name ? labs.filter((l) => l.name.toLowerCase() === name.toLowerCase()) : labs;
    if (chosen.length === 0) {
      ctx.stdout(name ? `no lab named '${name}'\n` : 'no lab is running\n');
      return undefined;
    }
    if (!args['all'] && !name && chosen.filter((l) => l.alive).length > 1) {
      throw new Error(
        `several labs are running (${chosen.map((l) => l.name).join(', ')}); choose one with --lab NAME, or --all`,
      );
    }
    for (const s of chosen) await takeDown(s, ctx.stdout);
    return undefined;
  },
};
