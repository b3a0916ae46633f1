/**
 * The order a route server must see when a BGP speaker (the agent) is stopped with SIGTERM,
 * so that traffic moves before the session drops: on each route-server instance, the UPDATE withdrawing the VIP, then the session
 * closed by NOTIFICATION Cease / Administrative Shutdown (6/2, RFC 4486) — read from the lab's
 * timeline (`arslab events -o json`).
 */
import assert from 'node:assert/strict';
import type { LabCli } from '../lab/labCli.js';
import { waitFor } from './waitFor.js';

export interface LabEventRow {
  seq: number;
  t: number;
  type: string;
  source: string;
  message: string;
}

/** The sequence number of the timeline's last event (what comes later is the test's doing). */
export async function lastEventSeq(cli: LabCli): Promise<number> {
  return (await cli.json<LabEventRow[]>(['events'])).at(-1)?.seq ?? 0;
}

/** After `before`, each instance's session with `peering`: one withdraw, then down by Cease/2. */
export async function expectWithdrawThenCease(cli: LabCli, before: number, peering: string): Promise<void> {
  const events = await waitFor(
    'both instances see the session go down',
    async () => {
      const ev = (await cli.json<LabEventRow[]>(['events'])).filter((e) => e.seq > before);
      return ev.filter((e) => e.type === 'session' && /session down/.test(e.message)).length >= 2 ? ev : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 150 },
  );
  for (const inst of ['IN_0', 'IN_1']) {
    const mine = events.filter((e) => e.source.includes(`/${inst}/${peering}`));
    const wd = mine.findIndex((e) => e.type === 'update' && /0 announced, 1 withdrawn/.test(e.message));
    const down = mine.findIndex(
      (e) => e.type === 'session' && /session down: NOTIFICATION received 6\/2/.test(e.message),
    );
    assert.ok(
      wd >= 0 && down > wd,
      `${inst}: withdraw, then Cease/2:\n${mine.map((e) => `${e.type} ${e.message}`).join('\n')}`,
    );
  }
}
