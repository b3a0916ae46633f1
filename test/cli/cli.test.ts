/**
 * The command line as users run it (the compiled bin, a real process): exit codes and
 * messages for a bad lab file, usage errors, no running lab, and az-compatible help.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const main = join(repo, 'dist/src/cli/main.js');
const state = mkdtempSync(join(tmpdir(), 'arslab-cli-state-'));

function arslab(...args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ARSLAB_STATE_DIR: state },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('validate: a good lab file passes', () => {
  const r = arslab('validate', join(repo, 'scenarios/next-hop-failover/lab.yml'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /valid — lab 'next-hop-failover': 1 VNet\(s\), 1 route server\(s\), 4 VM\(s\), 3 node\(s\)/);
});

test('validate: every error of a bad lab file as file:line:col: field: message, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arslab-cli-'));
  try {
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      [
        'name: bad',
        'location: westeurope',
        'resourceGroups:',
        '  rg:',
        '    virtualNetworks:',
        '      hub:',
        '        addressPrefixes: [10.1.0.0/16]',
        '        subnets:',
        '          RouteServerSubnet: { addressPrefix: 10.1.0.0/26 }',
        '          nva: { adressPrefix: 10.1.1.0/24 }',
        '    routeServers:',
        '      rs:',
        '        subnet: hub/RouteServerSubnet',
        '        peerings:',
        '          nva: { peerIp: 10.1.1.4, peerAsn: 65515 }',
        '          big: { peerIp: 10.1.1.5, peerAsn: 4200000000 }',
      ].join('\n'),
    );
    const r = arslab('validate', file);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.ok(
      lines.some(
        (l) => l.startsWith(`${file}:10:`) && /subnets\.nva\.adressPrefix: unknown key 'adressPrefix'/.test(l),
      ),
      r.stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith(`${file}:15:`) && /peerings\.nva\.peerAsn: .*65515/.test(l)),
      r.stderr,
    );
    assert.ok(
      lines.some((l) => l.startsWith(`${file}:16:`) && /peerings\.big\.peerAsn: .*4200000000/.test(l)),
      r.stderr,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a query verb with no lab running says how to start one, exit 1', () => {
  const r = arslab('network', 'routeserver', 'show', '-g', 'rg', '-n', 'rs');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no lab is running; start one with: arslab up LABFILE --detach/);
});

test('usage errors follow argparse/az: missing arguments, unknown flags, bad -o; exit 2', () => {
  let r = arslab('network', 'routeserver', 'peering', 'list-learned-routes', '-g', 'rg');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the following arguments are required: --routeserver\/--vrouter-name, --name\/-n/);
  r = arslab('network', 'routeserver', 'show', '-g', 'rg', '-n', 'x', '--bogus');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unrecognized arguments: --bogus/);
  r = arslab('network', 'routeserver', 'show', '-g', 'rg', '-n', 'x', '-o', 'xml');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /argument --output\/-o: invalid choice: 'xml'/);
  r = arslab('network', 'bogus');
  assert.equal(r.code, 2);
});

test('help lists the commands and each command its arguments and examples', () => {
  let r = arslab('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /network routeserver peering list-learned-routes/);
  r = arslab('network', 'nic', 'show-effective-route-table', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--resource-group -g/);
  assert.match(
    r.stdout,
    /arslab network nic show-effective-route-table --name lt1VMNic --resource-group next-hop-ip-vm-rg --output table/,
  );
});

test.after(() => rmSync(state, { recursive: true, force: true }));
