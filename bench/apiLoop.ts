/**
 * (e) The API under a `show-effective-route-table` loop (issue 8, finding 4): a real lab
 * process (`arslab up --detach`, its own state folder), then N effective-route queries as
 * the CLI makes them (POST, 202 + Location, GET the result), as fast as they go; the lab
 * process's RSS (/proc/PID/status VmRSS) and the API's operation store every `--every`
 * queries. `--unread` POSTs without reading the results (the worst case for the store).
 * `--main PATH` runs another build's CLI (e.g. one before the fix: its lab has no token).
 *
 *   node dist/bench/apiLoop.js [--queries 44000] [--every 4000] [--unread] [--main dist/src/cli/main.js]
 *
 * Addresses: 10.189.0.0/16 (127.189.x).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARM_API_VERSION, ArmPaths } from '../src/api/paths.js';
import { ApiClient } from '../src/cli/client.js';
import type { LabState } from '../src/lab/state.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const queries = Number(arg('queries', '44000'));
const every = Number(arg('every', '4000'));
const unread = process.argv.includes('--unread');
const main = arg('main', fileURLToPath(new URL('../src/cli/main.js', import.meta.url)));

const VMS = 20;
const yaml = `name: bench-api-loop
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      vnet:
        addressPrefixes: [10.189.0.0/16]
        subnets:
          default: { addressPrefix: 10.189.0.0/24, routeTable: rt }
    routeTables:
      rt:
        routes:
${Array.from({ length: 10 }, (_, i) => `          r${i}: { addressPrefix: 10.${100 + i}.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.189.0.4 }`).join('\n')}
    virtualMachines:
${Array.from({ length: VMS }, (_, i) => `      vm${i}: { subnet: vnet/default, privateIPAddress: 10.189.0.${i + 4} }`).join('\n')}
`;

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-bench-api-'));
  const env = { ...process.env, ARSLAB_STATE_DIR: join(dir, 'state') };
  const file = join(dir, 'lab.yml');
  writeFileSync(file, yaml);
  const up = spawnSync(process.execPath, [main, 'up', file, '--detach'], { env, encoding: 'utf8', timeout: 60_000 });
  if (up.status !== 0) throw new Error(`arslab up failed: ${up.stdout}${up.stderr}`);
  const state = JSON.parse(readFileSync(join(dir, 'state', 'bench-api-loop', 'state.json'), 'utf8')) as LabState;
  const client = ApiClient.forLab(state);
  try {
    const path = (i: number) =>
      client.arm(
        ArmPaths.effectiveRouteTable,
        { resourceGroupName: 'rg', networkInterfaceName: `vm${i % VMS}VMNic` },
        { 'api-version': ARM_API_VERSION },
      );
    const stored = async () => {
      const s = (await client.call('GET', '/arslab/status')) as {
        api?: { operations?: { stored: number; storedBytes: number } };
      };
      return s.api?.operations;
    };
    const rows: string[][] = [['queries', 'RSS MiB', 'stored results', 'stored MiB', 'queries/s']];
    const t0 = performance.now();
    let last = t0;
    const sample = async (n: number) => {
      const now = performance.now();
      const ops = await stored();
      rows.push([
        String(n),
        rssMiB(state.pid).toFixed(1),
        ops ? String(ops.stored) : '(no counter)',
        ops ? (ops.storedBytes / 1048576).toFixed(1) : '-',
        n === 0 ? '-' : ((every * 1000) / (now - last)).toFixed(0),
      ]);
      last = now;
    };
    await sample(0);
    for (let i = 1; i <= queries; i++) {
      if (unread) await client.request('POST', path(i));
      else await client.call('POST', path(i));
      if (i % every === 0) await sample(i);
    }
    const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    console.log(
      `API loop: ${queries} effective-route queries${unread ? ' (results never read)' : ''} against ${main}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const r of rows) console.log(r.map((c, i) => c.padStart(w[i]!)).join('  '));
  } finally {
    spawnSync(process.execPath, [main, 'down'], { env, encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  }
}

await run();
