/**
 * `kind: exec`: a BGP daemon ARSLab has no driver for — OpenBGPD 7.7's `bgpd` — run from the
 * command line the lab file gives, as an NVA peering with a Route Server (loopback mode,
 * 10.217.x emulated, 127.217.x real, port 179 as root). The lab starts it, waits until it
 * listens on the node's address, reads its routes through the route-listing command, and
 * stops it by PID; the Route Server's side is checked against R-ARS-9/10.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Lab } from '../../src/lab/lab.js';
import { defaultBgpPort } from '../../src/lab/lab.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';

const T = { timeout: 90_000 };
const PORT = defaultBgpPort();
/** OpenBGPD's control socket: named in its configuration, outside the lab's temporary folder. */
const SOCKET = `/tmp/arslab-customer-graph-obgpd-${process.pid}.sock`;

const LAB = routeServerLabYaml({
  name: 'exec-openbgpd',
  n: 217,
  peers: [{ name: 'nva1', host: 4, asn: 65217 }],
  client: true,
  // bgpd drops privileges and chroots into its user's home (/run/openbgpd), which systemd
  // makes on a real host: the command line makes it first, then runs bgpd in the foreground.
  nodes: `  nva1:
    kind: exec
    vm: nva1
    config: bgpd.conf
    command: sh -c "mkdir -p /run/openbgpd && exec bgpd -d -f {config}"
    routesCommand: bgpctl -s ${SOCKET} -j show rib
`,
});

// Loopback mode: the route server's instances 10.217.0.4/.5 are 127.217.0.4/.5 (ADR 0001).
// `fib-update no`: outside a namespace bgpd must not write the host's routing table.
const BGPD_CONF = `AS 65217
router-id 10.217.1.4
socket "${SOCKET}"
fib-update no
listen on 127.217.1.4 port ${PORT}
network 10.217.128.0/24
neighbor 127.217.0.4 {
  remote-as 65515
  local-address 127.217.1.4
  descr "rs-in0"
}
neighbor 127.217.0.5 {
  remote-as 65515
  local-address 127.217.1.4
  descr "rs-in1"
}
allow from any
allow to any
`;

describe('OpenBGPD as an NVA through kind: exec (loopback)', T, () => {
  let t: TestLab;
  let lab: Lab;
  before(async () => {
    t = await startTestLab('exec-openbgpd', LAB, { 'bgpd.conf': BGPD_CONF });
    lab = t.lab;
  });
  after(async () => {
    await t?.stop();
  });

  test('both route-server instances learn its network with its AS (R-ARS-10)', T, async () => {
    const rs = lab.routeServer(lab.model.routeServers[0]!)!;
    for (const i of [0, 1] as const) {
      const route = await waitFor(`instance ${i} learns 10.217.128.0/24`, () =>
        rs.learnedRoutes('nva1')[`RouteServiceRole_IN_${i}`]?.find((r) => r.network === '10.217.128.0/24'),
      );
      // R-ARS-10: EBgp, the NVA's own AS as the path, its address as next hop and source.
      assert.equal(route.asPath, '65217');
      assert.equal(route.origin, 'EBgp');
      assert.equal(route.nextHop, '10.217.1.4');
      assert.equal(route.sourcePeer, '10.217.1.4');
    }
  });

  test('`node routes` reads its RIB through the route-listing command (R-ARS-9)', T, async () => {
    // R-ARS-9: each instance advertises the VNet's address space (10.217.0.0/16) with AS 65515.
    const routes = await waitFor('bgpctl lists the VNet from both instances', async () => {
      const r = (await lab.node('nva1')!.receivedRoutes()).filter((x) => x.prefix === '10.217.0.0/16');
      return r.length === 2 ? r : undefined;
    });
    for (const r of routes) assert.deepEqual(r.asPath, [65515]);
    assert.deepEqual(routes.map((r) => r.nextHop).sort(), ['10.217.0.4', '10.217.0.5']);
  });

  test('stopped like any node: its sessions go down and its processes are gone', T, async () => {
    const node = lab.node('nva1')!;
    const pids = node.pids();
    assert.ok(pids.length >= 1, 'the lab knows its processes');
    await node.stop();
    await waitFor('every bgpd process gone', () => pids.every((p) => !existsSync(`/proc/${p}`)));
    await waitFor('the route server sees the sessions down', () =>
      lab.graph
        .sessions()
        .filter((s) => s.name.endsWith('<->nva1'))
        .every((s) => s.state !== 'Established'),
    );
    assert.equal(node.status().state, 'stopped');
  });
});
