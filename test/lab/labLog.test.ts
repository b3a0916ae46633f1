// `arslab up --detach` names a log that exists and holds the daemons' own output (issue 9,
// item 5): a real process run as a `kind: exec` node prints one line on stdout and one on
// stderr once it listens; both must be in the file `up` printed, tagged with the node.
// `node routes` and `node cmd` agree on which names exist: NodeNotFound (exit 3) for the
// same names, for none of the lab's nodes.
//
// Emulated 10.24.x; loopback mode binds 127.24.0.4 (the node's listener). Bounded in time,
// its own state folder, processes killed by PID in `finally`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabCli } from './labCli.js';
import { waitFor } from '../helpers/waitFor.js';

const NAME = 'lab-log';

const FAKE_DAEMON = `import { createServer } from 'node:net';
const [address, port, name] = process.argv.slice(2);
createServer((s) => s.destroy()).listen(Number(port), address, () => {
  console.log(\`fake daemon \${name} listening on \${address}:\${port}\`);
  console.error(\`fake daemon \${name}: a line on stderr\`);
});
`;

test("up prints the log it writes, and that log holds a daemon's stdout and stderr; node routes and node cmd agree on names", {
  timeout: 60_000,
}, async () => {
  const cli = new LabCli('lab-log');
  try {
    const script = join(cli.stateDir, 'fake.mjs');
    writeFileSync(script, FAKE_DAEMON);
    writeFileSync(join(cli.stateDir, 'fake.conf'), '');
    const file = join(cli.stateDir, `${NAME}.yml`);
    writeFileSync(
      file,
      `name: ${NAME}
location: westeurope
resourceGroups:
  rg:
    virtualNetworks:
      v24: { addressPrefixes: [10.24.0.0/16], subnets: { default: { addressPrefix: 10.24.0.0/24 } } }
    virtualMachines:
      fake24: { subnet: v24/default, privateIPAddress: 10.24.0.4 }
nodes:
  fake24:
    kind: exec
    vm: fake24
    asn: 65024
    config: fake.conf
    command: ${process.execPath} ${script} {address} {port} {name}
`,
    );
    const up = await cli.ok(['up', file, '--detach'], 60_000);
    cli.record(NAME);
    const log = /^\s+log:\s+(\S+)$/m.exec(up)?.[1];
    assert.ok(log, up);
    assert.ok(existsSync(log), `${log} exists`);
    await waitFor(
      "the daemon's two lines in the log",
      () => {
        const text = readFileSync(log, 'utf8');
        return /node fake24: fake daemon fake24 listening on 127\.24\.0\.4:\d+$/m.test(text) &&
          /node fake24: fake daemon fake24: a line on stderr$/m.test(text)
          ? true
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );

    // The two node verbs resolve names the same way.
    for (const [name, exists] of [
      ['fake24', true],
      ['FAKE24', true],
      ['nope', false],
    ] as const) {
      const routes = await cli.arslab(['node', 'routes', name]);
      const cmd = await cli.arslab(['node', 'cmd', name, 'true']);
      assert.deepEqual(
        [routes.code === 3, cmd.code === 3],
        [!exists, !exists],
        `${name}: routes ${routes.code} ${routes.stderr} / cmd ${cmd.code} ${cmd.stderr}`,
      );
      if (!exists) {
        assert.match(routes.stderr, /\(NodeNotFound\) no node named 'nope'/);
        assert.equal(routes.stderr, cmd.stderr);
      }
    }
    await cli.ok(['down'], 20_000);
    await cli.waitClean(NAME, 5000);
  } finally {
    await cli.cleanup([NAME]);
  }
});
