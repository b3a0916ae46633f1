// Issue 13, item 3: seed 000's own set-up script (shared/seeds/000_*.txt, section 3, "Build
// Environment") run with `az` replaced by arslab against an empty lab builds the lab of
// scenarios/next-hop-failover/lab.yml — compared through `arslab export`.
//
// The script is the seed's own lines (test/fixtures/seed000-setup.fish, extracted verbatim:
// every `az …` and `set NAME (az …)` line of its "Build Environment" section up to the bastion
// SSH sessions, and its `set NAME VALUE` variables), turned from fish into sh (`set X (cmd)` → `X=$(cmd)`), with `az` a shell
// function running arslab. `az login` is skipped (the lab's token is in its state folder).
// Differences the seed itself makes, checked as such: its VNet also gets the VIP's /32 as an
// address prefix (`--address-prefix $VNET_CIDR $VIP`), and it creates a second watcher,
// watch2 (10.10.0.8), that the lab file leaves out. Bastions and public IPs are accepted and
// not kept. The lab file's nodes (the agent, the web servers) are not Azure resources.
//
// Addresses: the route server binds 127.13.1.4/.5 (settings.loopbackAddresses); emulated 10.10.x.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadLabFile } from '../../src/lab/topology/index.js';
import { exportLab } from '../../src/lab/topology/export.js';
import { LabCli, MAIN, ROOT } from '../lab/labCli.js';

// biome-ignore lint/suspicious/noExplicitAny: a lab file as YAML gives it, compared whole
type Obj = Record<string, any>;

const cli = new LabCli('crud-seed-script');
const LAB = 'seed-script';
after(async () => {
  await cli.arslab(['down'], 30_000).catch(() => undefined);
  await cli.cleanup([LAB]);
});

/** Seed 000's set-up lines (test/fixtures/seed000-setup.fish, verbatim from the seed) as an sh script. */
function seedScript(): string {
  const text = readFileSync(join(ROOT, 'test/fixtures/seed000-setup.fish'), 'utf8');
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const vars = lines.flatMap((l) => {
    const m = /^set (\w+) +("[^"]*"|[^(\s]\S*)\s*$/.exec(l);
    return m ? [`${m[1]}=${m[2]}`] : [];
  });
  // fish → sh: `set X (cmd)` → `X=$(cmd)`; Windows paths' backslashes (ignored flags) → '/'.
  const commands = lines
    .filter((l) => /^(az |set \w+ \(az )/.test(l) && !/^az login/.test(l))
    .map((l) => l.replace(/^set (\w+) \((.*)\)\s*$/, '$1=$($2)').replace(/\\/g, '/'));
  return [
    'set -e',
    `az() { ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} "$@"; }`,
    ...vars,
    ...commands,
  ].join('\n');
}

test("seed 000's set-up script with az replaced by arslab builds the lab file's lab (arslab export)", {
  timeout: 240_000,
}, async () => {
  const dir = join(cli.stateDir, 'lab');
  mkdirSync(dir);
  const file = join(dir, 'lab.yml');
  writeFileSync(
    file,
    `name: ${LAB}\nsettings:\n  loopbackAddresses: { 10.10.1.4: 127.13.1.4, 10.10.1.5: 127.13.1.5 }\n`,
  );
  await cli.ok(['up', file, '--detach'], 90_000);
  cli.record(LAB);
  const script = seedScript();
  assert.match(script, /az network routeserver create/, 'the seed script was read');
  const r = await cli.sh(script, 180_000);
  assert.equal(r.code, 0, `the seed's script failed:\n${r.stdout}\n${r.stderr}\n${script}`);

  const built = parse(await cli.ok(['export'])) as Obj;
  // The lab file's own export (its nodes left out: they are not Azure resources), in process.
  const text = readFileSync(join(ROOT, 'scenarios/next-hop-failover/lab.yml'), 'utf8');
  const fileLab = join(dir, 'file.yml');
  writeFileSync(fileLab, text.slice(0, text.indexOf('\nnodes:\n') + 1).replace(/^name: .*$/m, `name: ${LAB}`));
  const loaded = await loadLabFile(fileLab);
  assert.ok(loaded.ok);
  const s = loaded.spec;
  const expected = parse(
    exportLab({ name: s.name, settings: s.settings, model: s.model, nodes: [], routers: [] }).text,
  ) as Obj;

  // The seed's own differences from the lab file, each checked, then taken out.
  const vnet = built.resourceGroups['next-hop-ip-rg'].virtualNetworks['next-hop-ip-vnet'];
  assert.deepEqual(
    vnet.addressPrefixes,
    ['10.10.0.0/16', '10.10.15.15/32'],
    "the seed's --address-prefix $VNET_CIDR $VIP",
  );
  vnet.addressPrefixes = ['10.10.0.0/16'];
  const vms = built.resourceGroups['next-hop-ip-vm-rg'].virtualMachines;
  assert.ok(vms.watch2, "the seed's watch2");
  delete vms.watch2;
  delete built.settings;
  assert.deepEqual(built, expected);
});
