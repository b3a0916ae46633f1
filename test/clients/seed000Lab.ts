/**
 * Seed 000's lab (scenarios/next-hop-failover/lab.yml) as it is — route server, agent on
 * watch1, web servers on ws1 and ws2 — copied into a test's folder with its loopback
 * addresses moved from 127.10.x to 127.N.x (settings.loopbackAddresses, ADR 0001), so the
 * client tests run beside the scenario's own e2e test. The emulated addresses (10.10.x), the
 * resource names and the agent's behaviour are the seed's.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lab/labCli.js';

/** Every emulated address the lab binds in loopback mode: the route server's two instances and the four VMs. */
const BOUND = ['10.10.1.4', '10.10.1.5', '10.10.0.4', '10.10.0.5', '10.10.0.6', '10.10.0.7'];

/** Writes the lab into `dir`; its lab file's path. */
export function writeSeed000Lab(dir: string, n: number): string {
  const src = join(ROOT, 'scenarios/next-hop-failover');
  for (const sub of ['watch1', 'ws1', 'ws2']) cpSync(join(src, sub), join(dir, sub), { recursive: true });
  for (const f of ['watch1/agent.loopback.yaml', 'ws1/agent.loopback.yaml', 'ws2/agent.loopback.yaml']) {
    const p = join(dir, f);
    writeFileSync(p, readFileSync(p, 'utf8').replaceAll('127.10.', `127.${n}.`));
  }
  const map = BOUND.map((a) => `${a}: 127.${n}.${a.split('.').slice(2).join('.')}`).join(', ');
  const lab = readFileSync(join(src, 'lab.yml'), 'utf8').replace(
    /^location: uksouth$/m,
    `location: uksouth\nsettings:\n  loopbackAddresses: { ${map} }`,
  );
  const file = join(dir, 'lab.yml');
  writeFileSync(file, lab);
  return file;
}
