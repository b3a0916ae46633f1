/** arslab down — stop a lab, and clean up after one whose process died (processes by PID, namespaces). */
import type { Command } from '../command.js';
import { ApiClient } from '../client.js';
import { deleteNamespace } from '../../lab/netns.js';
import { isAlive, isRecordedProcess, listLabs, removeLabState, type LabState } from '../../lab/state.js';

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

export async function takeDown(s: LabState & { alive: boolean }, log: (t: string) => void): Promise<void> {
  if (s.alive) {
    try {
      await ApiClient.forLab(s).request('POST', '/arslab/shutdown');
    } catch {
      process.kill(s.pid, 'SIGTERM');
    }
    if (!(await waitGone(s.pid, 30_000))) {
      log(`lab '${s.name}' (pid ${s.pid}) did not stop in 30 s: killing it\n`);
      process.kill(s.pid, 'SIGKILL');
    }
  }
  // Whatever the lab left behind (it crashed, or was killed): by PID, then namespaces.
  let cleaned = 0;
  for (const pid of s.pids) {
    if (!isRecordedProcess(s, pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    cleaned++;
  }
  for (const ns of s.namespaces) await deleteNamespace(ns);
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
