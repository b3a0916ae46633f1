/**
 * Asks a running lab for its status once a second and prints one JSON line per answer
 * ({"ms": latency, "ok": boolean}), from a process of its own, so that the latency measured is
 * the lab's and not the load generator's (bench/fuzz.ts starts it). Argument: the lab's name.
 */
import { ApiClient } from '../src/cli/client.js';
import { readLabState } from '../src/lab/state.js';

const name = process.argv[2] ?? '';
const state = readLabState(name);
if (!state) {
  console.error(`no lab named ${name}`);
  process.exit(2);
}
const client = ApiClient.forLab(state);
for (;;) {
  const t0 = performance.now();
  const ok = await Promise.race([
    client
      .request('GET', '/arslab/status')
      .then((r) => r.status === 200)
      .catch(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
  ]);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms: Math.round(ms * 10) / 10, ok }));
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - ms)));
}
