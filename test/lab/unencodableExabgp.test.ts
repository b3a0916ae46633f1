/**
 * Issue 8, finding 1, with a real daemon as the sender: ExaBGP's own
 * `announce route … community [ …1,011 values… ]` makes a 4,095-octet UPDATE (ExaBGP puts its
 * local AS in the path itself). The route server cannot re-advertise it to a 4-octet NVA
 * with 65515 in front (4,099 octets, over RFC 4271 §4.1's 4,096): it must not send it, say so
 * once per instance, and keep every session — ExaBGP's too — up. Addresses 10.162.x
 * (127.162.x), ExaBGP from Debian's package, root for port 179.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Lab } from '../../src/lab/lab.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../helpers/routeServerLab.js';

const N = 162;
const SENDER = `10.${N}.1.4`;
const skip =
  process.getuid?.() !== 0
    ? 'binds port 179 on 127.x addresses: run as root (CI does)'
    : !existsSync('/usr/sbin/exabgp')
      ? 'exabgp is not installed'
      : false;

const exabgpConf = [4, 5]
  .map(
    (i) => `
neighbor 127.${N}.0.${i} {
    router-id ${SENDER};
    local-address 127.${N}.1.4;
    local-as 65001;
    peer-as 65515;
    hold-time 30;
    family { ipv4 unicast; }
}
`,
  )
  .join('');

const yaml = routeServerLabYaml(
  'unencodable-exabgp',
  [
    {
      octet: N,
      peers: [
        { name: 'sender', host: 4, asn: 65001 },
        { name: 'nva4', host: 5, asn: 65002 },
      ],
    },
  ],
  `  sender: { kind: exabgp, vm: sender, config: exabgp.conf }
  nva4: { kind: speaker, vm: nva4, asn: 65002, holdTime: 30 }
`,
);

let t: TestLab | undefined;
let lab: Lab;
const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
const nva4Holds = async (p: string) =>
  (await (lab.node('nva4') as SpeakerNode).receivedRoutes()).filter((r) => r.prefix === p);
const sessions = () =>
  rs().instances.flatMap((inst) =>
    [...inst.peerings.values()].map(
      (p) =>
        `${inst.name}/${p.connection.name} ${p.session.peer.state} ${p.session.peer.counters.establishedTransitions}`,
    ),
  );

before(async () => {
  if (skip) return;
  t = await startTestLab('unencodable-exabgp', yaml, { 'exabgp.conf': exabgpConf });
  lab = t.lab;
  await waitFor(
    'ExaBGP and nva4 Established with both instances',
    () => rs().instances.every((i) => [...i.peerings.values()].every((p) => p.session.peer.isEstablished)),
    30_000,
  );
});

after(async () => {
  await t?.stop();
});

test('ExaBGP announce route … community [1,011 values]: learned, not sent to the 4-octet NVA, logged once per instance, every session up', {
  skip,
}, async () => {
  const P = '10.165.20.0/24';
  // 19 + 4 + ORIGIN 4 + AS_PATH [65001] 9 + NEXT_HOP 7 + COMMUNITIES 4 + 4,044 + NLRI 4 = 4,095 from
  // ExaBGP; with 65515 in front the AS_PATH takes 4 octets more: 4,099 (RFC 4271 §4.1, §4.3).
  const up = sessions();
  const seq = lab.events.since(0).at(-1)!.seq;
  const values = Array.from({ length: 1011 }, (_, i) => `65001:${i + 1}`).join(' ');
  await lab.node('sender')!.command(`announce route ${P} next-hop ${SENDER} community [ ${values} ]`);
  await waitFor(
    'learned by both instances with 1,011 communities',
    () =>
      rs().instances.every((inst) =>
        [...inst.speaker.adjRibIn(inst.peerings.get('sender')!.session.neighbor.source.id)].some(
          (e) => e.path.attrs.communities?.length === 1011,
        ),
      ),
    20_000,
  );
  const events = () =>
    lab.events.since(seq).filter((e) => e.type === 'warning' && e.message.startsWith(`${P} not sent to nva4 `));
  await waitFor('one event per instance', () => events().length === 2);
  assert.deepEqual(
    events()
      .map((e) => e.source)
      .sort(),
    ['rs/IN_0/nva4', 'rs/IN_1/nva4'],
  );
  for (const e of events()) assert.match(e.message, /4,099 octets/);
  assert.deepEqual(await nva4Holds(P), []);
  for (const rows of Object.values(rs().advertisedRoutes('nva4'))) assert.ok(!rows.some((r) => r.network === P));

  // The sessions still carry routes, and none of them moved.
  await lab.node('sender')!.command(`announce route 10.165.21.0/24 next-hop ${SENDER}`);
  await waitFor('a small route reaches nva4', async () => (await nva4Holds('10.165.21.0/24')).length === 2);
  assert.deepEqual(sessions(), up);
  assert.equal(events().length, 2, 'logged once');
});
