/**
 * Issue 8, finding 1: a route whose re-advertisement no longer fits in one UPDATE (RFC 4271
 * §4.1: at most 4,096 octets) toward some peer. The route server must do what BIRD and FRR
 * do with an attribute list too long: not send it to that peer (withdraw it there if an
 * older version was sent), say so once in `arslab events`, list it nowhere as advertised,
 * and keep every session up — the other peers get it when it fits them.
 *
 * A running route server over real TCP: the built-in speaker `sender` (AS 65001) announces,
 * `nva4` (built-in speaker, 4-octet AS) and `nva2` (a raw peer whose OPEN has no 4-octet AS
 * capability, so AS_PATH + AS4_PATH go toward it, RFC 6793 §4.2.2) receive. A second lab
 * adds an ExpressRoute gateway reached in process. Addresses 10.160–10.161 (127.160–161).
 *
 * The sizes each test relies on are computed from the RFC layout in `updateOctets`, not
 * read from ARSLab: that a trigger really is one is asserted before it is sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';
import { encodeMessage, CONTEXT_4OCTET, formatPrefix, type ReceivedMessage } from '../../src/bgp/index.js';
import { DEFAULT_SUBSCRIPTION, vmId } from '../../src/azure/index.js';
import { defaultBgpPort, Lab } from '../../src/lab/lab.js';
import type { SpeakerNode } from '../../src/lab/kinds/speaker.js';
import { DEFAULT_LAB_SETTINGS, type LabSpec } from '../../src/lab/spec.js';
import type { LabEvent } from '../../src/lab/events.js';
import { buildModel } from '../helpers/model.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { RawPeer } from '../helpers/rawPeer.js';
import { routeServerLabYaml } from '../helpers/routeServerLab.js';

/**
 * Octets of an UPDATE announcing one prefix, by RFC 4271 §4.1 and §4.3: header 19, Withdrawn
 * Routes Length 2, Total Path Attribute Length 2; each attribute 3 octets of flags, type and
 * length, or 4 when its value passes 255 octets (Extended Length); ORIGIN 1 octet, NEXT_HOP 4;
 * AS_PATH 2 per segment (`segments`: the ASNs in each, at most 255) plus 2 or 4 per ASN;
 * AS4_PATH the same in 4-octet form (RFC 6793 §4.2.2); COMMUNITIES 4 per community (RFC
 * 1997); the prefix 1 + ⌈len/8⌉.
 */
function updateOctets(o: {
  segments: readonly number[];
  asnSize?: 2 | 4;
  as4Path?: boolean;
  communities?: number;
  prefixLen: number;
}): number {
  const attr = (value: number) => (value > 255 ? 4 : 3) + value;
  const asns = o.segments.reduce((a, b) => a + b, 0);
  const asPath = attr(2 * o.segments.length + (o.asnSize ?? 4) * asns);
  const as4Path = o.as4Path ? attr(2 * o.segments.length + 4 * asns) : 0;
  const communities = o.communities ? attr(4 * o.communities) : 0;
  return 19 + 2 + 2 + attr(1) + asPath + as4Path + attr(4) + communities + 1 + Math.ceil(o.prefixLen / 8);
}
/**
 * A path of n ASNs as a speaker sends it: segments of 255, the rest last. 65515 prepended to
 * a path whose first segment is full opens a segment of its own in front (RFC 4271 §4.3 caps
 * a segment at 255 ASNs; FRR's aspath_prepend does the same).
 */
const segmentsOf = (n: number): number[] =>
  [...Array.from({ length: Math.floor(n / 255) }, () => 255), n % 255].filter(Boolean);
const prepended = (segs: number[]): number[] => (segs[0] === 255 ? [1, ...segs] : [segs[0]! + 1, ...segs.slice(1)]);
const MAX = 4096;

const N = 160;
const SENDER = `10.${N}.1.4`;
const yaml = routeServerLabYaml(
  'unencodable',
  [
    {
      octet: N,
      peers: [
        { name: 'sender', host: 4, asn: 65001 },
        { name: 'nva4', host: 5, asn: 65002 },
        { name: 'nva2', host: 6, asn: 65003 },
      ],
      vms: [{ name: 'client', host: 10 }],
    },
  ],
  `  sender: { kind: speaker, vm: sender, asn: 65001, holdTime: 30 }
  nva4: { kind: speaker, vm: nva4, asn: 65002, holdTime: 30 }
`,
);

const INSTANCES = ['RouteServiceRole_IN_0', 'RouteServiceRole_IN_1'] as const;
const port = defaultBgpPort();
let t: TestLab;
let lab: Lab;
let nva2: RawPeer;

const rs = () => lab.routeServer(lab.model.routeServers[0]!)!;
const announce = (text: string) => lab.node('sender')!.command(text);
const nva4Holds = async (p: string) =>
  (await (lab.node('nva4') as SpeakerNode).receivedRoutes()).filter((r) => r.prefix === p);
const advertised = (peering: string, p: string) =>
  INSTANCES.flatMap((i) =>
    rs()
      .advertisedRoutes(peering)
      [i]!.filter((r) => r.network === p),
  );
const learnedEverywhere = (p: string) =>
  INSTANCES.every((i) =>
    rs()
      .learnedRoutes('sender')
      [i]!.some((r) => r.network === p),
  );
const programmed = (p: string) =>
  lab
    .effectiveRoutes(lab.model.networkInterfaces.find((x) => x.name === 'clientVMNic')!)
    .value.filter((r) => r.addressPrefix[0] === p && r.state === 'Active')
    .map((r) => r.nextHopIpAddress.join(' '));

/** What the raw 2-octet peer holds now: its UPDATEs replayed in order (RFC 4271 §9). */
function rawHolds(peer: RawPeer): Map<string, ReceivedMessage> {
  const rib = new Map<string, ReceivedMessage>();
  for (const m of peer.received) {
    if (typeof m === 'string' || m.type !== 'UPDATE') continue;
    for (const p of m.withdrawn) rib.delete(formatPrefix(p));
    for (const p of m.nlri) rib.set(formatPrefix(p), m);
  }
  return rib;
}

/** Every route-server session: its state and how often it came up (a flap shows as a count that grew). */
function sessions(): string[] {
  return rs().instances.flatMap((inst) =>
    [...inst.peerings.values()].map(
      (p) =>
        `${inst.name}/${p.connection.name} ${p.session.peer.state} ${p.session.peer.counters.establishedTransitions}`,
    ),
  );
}

const notSentEvents = (since: number, prefix: string): LabEvent[] =>
  lab.events
    .since(since)
    .filter((e) => e.type === 'warning' && e.message.startsWith(`${prefix} `) && /not sent/.test(e.message));
const lastSeq = () => lab.events.since(0).at(-1)?.seq ?? 0;

/** A route that fits everywhere, announced after a trigger: the sessions still carry routes. */
let control = 0;
async function controlRouteFlows(): Promise<void> {
  const p = `10.165.200.${control++}/32`;
  await announce(`announce route ${p} next-hop ${SENDER}`);
  await waitFor(`control route ${p} at nva4`, async () => (await nva4Holds(p)).length === 2);
  await waitFor(`control route ${p} at the raw 2-octet peer`, () => rawHolds(nva2).has(p));
}

/** nva2: a raw peer on IN_0 whose OPEN has no 4-octet AS capability (RFC 6793: a 2-octet session). */
const openNva2 = () =>
  RawPeer.open({
    remote: `127.${N}.0.4`,
    port,
    local: `127.${N}.1.6`,
    asn: 65003,
    bgpId: (10 << 24) | (N << 16) | (1 << 8) | 6,
    fourOctetAs: false,
  });

before(async () => {
  t = await startTestLab('unencodable', yaml);
  lab = t.lab;
  nva2 = await openNva2();
  await waitFor(
    'sender and nva4 Established with both instances',
    () =>
      rs().instances.every(
        (i) =>
          i.peerings.get('sender')!.session.peer.isEstablished && i.peerings.get('nva4')!.session.peer.isEstablished,
      ),
    30_000,
  );
  await controlRouteFlows();
});

after(async () => {
  nva2?.destroy();
  await t?.stop();
});

test('1,011 communities: a 4,095-octet UPDATE that 65515 pushes to 4,099 octets is withdrawn from nva4 only, logged once, and every session stays up', async () => {
  const P = '10.165.1.0/24';
  // The sender's UPDATE (AS_PATH 65001) fits; the route server's (65515 65001) does not
  // toward the 4-octet nva4, and does toward the 2-octet nva2 (its two ASNs take 2 octets each).
  assert.equal(updateOctets({ segments: [1], communities: 1011, prefixLen: 24 }), 4095);
  assert.equal(updateOctets({ segments: [2], communities: 1011, prefixLen: 24 }), 4099);
  assert.equal(updateOctets({ segments: [2], asnSize: 2, communities: 1011, prefixLen: 24 }), 4095);
  await announce(`announce route ${P} next-hop ${SENDER} community [65001:1]`);
  await waitFor('the small version at nva4', async () => (await nva4Holds(P)).length === 2);
  const up = sessions();
  const seq = lastSeq();

  const many = Array.from({ length: 1011 }, (_, i) => `65001:${i + 1}`).join(' ');
  await announce(`announce route ${P} next-hop ${SENDER} community [${many}]`);
  await waitFor('the route learned with its 1,011 communities on both instances', () =>
    rs().instances.every((inst) =>
      [...inst.speaker.adjRibIn(inst.peerings.get('sender')!.session.neighbor.source.id)].some(
        (e) => formatPrefix(e.prefix) === P && e.path.attrs.communities?.length === 1011,
      ),
    ),
  );
  // RFC 4271 §9.1.3: the version nva4 held is replaced by nothing, so it is withdrawn.
  await waitFor('the old version withdrawn from nva4', async () => (await nva4Holds(P)).length === 0);
  assert.deepEqual(advertised('nva4', P), [], 'not listed as advertised to nva4');
  await waitFor(
    'nva2 holds it with its 1,011 communities',
    () =>
      (rawHolds(nva2).get(P) as { attributes?: { communities?: number[] } } | undefined)?.attributes?.communities
        ?.length === 1011 || undefined,
  );
  assert.equal(advertised('nva2', P).length, 1, 'listed as advertised to nva2 (up with IN_0 only)');
  // Still a valid route: learned and programmed into the NICs with the sender as next hop (R-ARS-8).
  assert.ok(learnedEverywhere(P));
  await waitFor('programmed into the client NIC', () => programmed(P).join() === SENDER);

  const events = notSentEvents(seq, P);
  assert.deepEqual(
    events.map((e) => e.source).sort(),
    ['rs/IN_0/nva4', 'rs/IN_1/nva4'],
    'one event per instance toward nva4',
  );
  for (const e of events) assert.match(e.message, /not sent to nva4 \(10\.160\.1\.5\): .*4,099 octets, over the 4,096/);

  // Status counts only what was sent as advertised, and says what was not.
  const nva4Status = rs()
    .status()
    .map((i) => i.peerings.find((p) => p.name === 'nva4')!);
  for (const s of nva4Status) assert.ok(s.routesNotSent >= 1);
  await controlRouteFlows();
  assert.deepEqual(sessions(), up, 'no session went down or came up again');
  assert.equal(notSentEvents(seq, P).length, events.length, 'logged once');
});

test('an AS_PATH of 1,011 4-octet ASNs (a 4,094-octet UPDATE, 4,100 with 65515) reaches no NVA, and no session drops', async () => {
  const P = '10.165.2.0/24';
  // 1,010 ASNs given, 65001 prepended by the sender: 1,011 in 4 segments; 65515 opens a fifth.
  const sent = segmentsOf(1011);
  assert.equal(updateOctets({ segments: sent, prefixLen: 24 }), 4094);
  assert.equal(updateOctets({ segments: prepended(sent), prefixLen: 24 }), 4100, 'toward nva4');
  assert.ok(updateOctets({ segments: prepended(sent), asnSize: 2, as4Path: true, prefixLen: 24 }) > MAX, 'toward nva2');
  const up = sessions();
  const seq = lastSeq();
  const path = Array.from({ length: 1010 }, (_, i) => 4_200_000_001 + i).join(' ');
  await announce(`announce route ${P} next-hop ${SENDER} as-path [${path}]`);
  await waitFor('learned on both instances', () => learnedEverywhere(P));
  await waitFor('both NVAs told (events)', () => notSentEvents(seq, P).length === 3);
  assert.match(notSentEvents(seq, P).find((e) => e.source === 'rs/IN_0/nva4')!.message, /4,100 octets/);
  assert.deepEqual(await nva4Holds(P), []);
  assert.ok(!rawHolds(nva2).has(P));
  assert.deepEqual(advertised('nva4', P), []);
  assert.deepEqual(advertised('nva2', P), []);
  await waitFor('programmed into the client NIC', () => programmed(P).join() === SENDER);
  await controlRouteFlows();
  assert.deepEqual(sessions(), up);
});

test('a 700-ASN path (a 2,848-octet UPDATE) reaches the 4-octet NVA but not the 2-octet one, where AS_PATH + AS4_PATH need 4,268 octets; refresh and a new session send it no more', async () => {
  const P = '10.165.3.0/24';
  const sent = segmentsOf(700); // 255, 255, 190
  assert.equal(updateOctets({ segments: sent, prefixLen: 24 }), 2848);
  assert.equal(updateOctets({ segments: prepended(sent), prefixLen: 24 }), 2854, 'toward nva4');
  assert.equal(
    updateOctets({ segments: prepended(sent), asnSize: 2, as4Path: true, prefixLen: 24 }),
    4268,
    'toward nva2',
  );
  const up = sessions();
  const seq = lastSeq();
  const path = Array.from({ length: 699 }, (_, i) => 4_200_100_001 + i).join(' ');
  await announce(`announce route ${P} next-hop ${SENDER} as-path [${path}]`);
  await waitFor('nva4 gets it from both instances', async () => (await nva4Holds(P)).length === 2);
  const at4 = await nva4Holds(P);
  assert.ok(at4.every((r) => r.asPath.length === 701 && r.asPath[0] === 65515));
  assert.equal(advertised('nva4', P).length, 2);
  await waitFor('the event toward nva2', () => notSentEvents(seq, P).length === 1);
  const [e] = notSentEvents(seq, P);
  assert.equal(e!.source, 'rs/IN_0/nva2');
  assert.match(e!.message, /4,268 octets/);
  assert.match(e!.message, /no 4-octet AS capability/);
  assert.ok(!rawHolds(nva2).has(P));
  assert.deepEqual(advertised('nva2', P), []);

  // ROUTE-REFRESH (RFC 2918): the Adj-RIB-Out is sent again, still without it, and no new event.
  const before = nva2.received.length;
  nva2.send(encodeMessage({ type: 'ROUTE-REFRESH', afi: 1, subtype: 0, safi: 1 }, CONTEXT_4OCTET));
  await waitFor('the refresh answered', () =>
    nva2.received.slice(before).some((m) => typeof m !== 'string' && m.type === 'UPDATE'),
  );
  assert.ok(!rawHolds(nva2).has(P));
  assert.equal(notSentEvents(seq, P).length, 1);
  assert.deepEqual(sessions(), up);

  // A new session (RFC 4271 §9.4 initial table): everything else, not this, one new event.
  nva2.destroy();
  await waitFor('IN_0 saw nva2 go', () => !rs().instances[0].peerings.get('nva2')!.session.peer.isEstablished);
  nva2 = await openNva2();
  await waitFor('the initial table', () => rawHolds(nva2).has('10.165.200.0/32'));
  assert.ok(!rawHolds(nva2).has(P));
  await waitFor('one event for the new session', () => notSentEvents(seq, P).length === 2);
  await controlRouteFlows();
  const others = (s: string[]) => s.filter((x) => !x.includes('/nva2 '));
  assert.deepEqual(others(sessions()), others(up), 'the other sessions never moved');
});

test('65515 prepended: a re-advertisement of exactly 4,096 octets is sent, one of 4,097 is not (and is to the 2-octet NVA, at 4,093)', async () => {
  const FITS = '10.165.4.1/32';
  const OVER = '11.0.0.0/8';
  assert.equal(updateOctets({ segments: [1], communities: 1010, prefixLen: 32 }), 4092);
  assert.equal(updateOctets({ segments: [2], communities: 1010, prefixLen: 32 }), MAX);
  assert.equal(updateOctets({ segments: [1], communities: 1011, prefixLen: 8 }), 4093);
  assert.equal(updateOctets({ segments: [2], communities: 1011, prefixLen: 8 }), MAX + 1);
  assert.equal(updateOctets({ segments: [2], asnSize: 2, communities: 1011, prefixLen: 8 }), 4093);
  const up = sessions();
  const seq = lastSeq();
  const comms = (n: number) => Array.from({ length: n }, (_, i) => `65001:${i + 1}`).join(' ');
  await announce(`announce route ${FITS} next-hop ${SENDER} community [${comms(1010)}]`);
  await announce(`announce route ${OVER} next-hop ${SENDER} community [${comms(1011)}]`);
  await waitFor('the 4,096-octet one at nva4', async () => (await nva4Holds(FITS)).length === 2);
  assert.ok((await nva4Holds(FITS)).every((r) => r.communities.length === 1010));
  assert.equal(advertised('nva4', FITS).length, 2);
  await waitFor('the 4,097-octet one reported', () => notSentEvents(seq, OVER).length === 2);
  for (const e of notSentEvents(seq, OVER)) assert.match(e.message, /not sent to nva4 .*4,097 octets/);
  assert.deepEqual(await nva4Holds(OVER), []);
  assert.deepEqual(advertised('nva4', OVER), []);
  await waitFor('the 2-octet NVA holds both', () => rawHolds(nva2).has(OVER) && rawHolds(nva2).has(FITS));
  assert.equal(advertised('nva2', OVER).length, 1);
  assert.deepEqual(notSentEvents(seq, FITS), []);
  await controlRouteFlows();
  assert.deepEqual(sessions(), up);
});

test('withdrawn at the source, an unsendable route leaves no trace; the lab stops cleanly with such routes held', async () => {
  await announce(`withdraw route 10.165.2.0/24`);
  await waitFor('withdrawn from both instances', () =>
    INSTANCES.every(
      (i) =>
        !rs()
          .learnedRoutes('sender')
          [i]!.some((r) => r.network === '10.165.2.0/24'),
    ),
  );
  for (const inst of rs().instances)
    for (const p of inst.peerings.values())
      assert.ok(
        ![...inst.speaker.notSentTo(p.session.neighbor.source.id)].some(
          (u) => formatPrefix(u.prefix) === '10.165.2.0/24',
        ),
      );
  // Stop: every session sends Cease and flushes what is pending; nothing may throw on the way out.
  nva2.destroy();
  await t.stop();
  const bound = await new Promise<boolean>((r) => {
    const s = net.connect({ host: `127.${N}.0.4`, port });
    s.once('connect', () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
  assert.equal(bound, false, 'the listeners are closed');
  t = undefined as unknown as TestLab;
});

describe('in-process gateways', () => {
  const M = 161;
  const NVA = `10.${M}.1.4`;
  let dir = '';
  let hlab: Lab;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arslab-unencodable-gw-'));
    const model = buildModel({
      vnets: [
        {
          name: 'hub',
          prefixes: [`10.${M}.0.0/20`],
          subnets: [
            { name: 'RouteServerSubnet', prefix: `10.${M}.0.0/26` },
            { name: 'nva', prefix: `10.${M}.1.0/24` },
            { name: 'default', prefix: `10.${M}.2.0/24` },
            { name: 'GatewaySubnet', prefix: `10.${M}.3.0/24` },
          ],
        },
      ],
      vms: [
        { name: 'nva1', vnet: 'hub', subnet: 'nva', ip: NVA },
        { name: 'client', vnet: 'hub', subnet: 'default', ip: `10.${M}.2.10` },
      ],
      routeServers: [
        {
          name: 'hubrs',
          vnet: 'hub',
          allowBranchToBranchTraffic: true,
          peerings: [{ name: 'nva1', peerIp: NVA, peerAsn: 65001 }],
        },
      ],
      gateways: [{ name: 'er1', vnet: 'hub', type: 'ExpressRoute', instances: [`10.${M}.3.12`, `10.${M}.3.13`] }],
      circuits: [
        {
          name: 'c1',
          location: 'Amsterdam',
          peerASN: 65151,
          primary: '169.254.161.0/30',
          secondary: '169.254.161.4/30',
          msee: [`10.${M}.146.35`, `10.${M}.146.36`],
        },
      ],
      connections: [{ name: 'er1-c1', gateway: 'er1', circuit: 'c1', msee: [`10.${M}.3.4`, `10.${M}.3.5`] }],
    });
    const spec: LabSpec = {
      name: 'unencodable-gw',
      file: join(dir, 'lab.yml'),
      settings: { ...DEFAULT_LAB_SETTINGS, connectRetryTime: 1 },
      model,
      nodes: [
        {
          kind: 'speaker',
          name: 'nva1',
          vm: vmId(DEFAULT_SUBSCRIPTION, 'rg', 'nva1'),
          address: NVA,
          asn: 65001,
          holdTime: 30,
          peerWith: 'both',
          routes: [],
        },
      ],
      routers: [
        {
          kind: 'router',
          name: 'onprem',
          asn: 65151,
          routerId: '169.254.161.1',
          attach: [
            { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
            { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
          ],
          routes: [{ prefix: '10.166.0.0/16', origin: 'igp' }],
        },
      ],
      warnings: [],
    };
    hlab = await Lab.start(spec, { stateDir: join(dir, 'state') });
    const r = hlab.routeServer(model.routeServers[0]!)!;
    await waitFor('the NVA sessions', () =>
      r.instances.every((i) => i.peerings.get('nva1')!.session.peer.isEstablished),
    );
  });

  after(async () => {
    await hlab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a route that no UPDATE to the ExpressRoute gateway can carry (65517:65517 added) stays on the route server: logged, the in-process sessions up', async () => {
    const P = '10.165.10.0/24';
    const gw = () => hlab.hybrid!.gateways.values().next().value!;
    const gwHolds = (p: string) =>
      gw().instances.map((sp) => [...sp.locRib()].some((e) => formatPrefix(e.prefix) === p));
    const state = () => [...hlab.hybrid!.sessions.values()].map((s) => `${s.label} ${s.state}`);
    await hlab.node('nva1')!.command(`announce route 10.165.11.0/24 next-hop ${NVA}`);
    await waitFor('a small route at both gateway instances', async () => {
      await hlab.settled();
      return gwHolds('10.165.11.0/24').every(Boolean);
    });
    const up = state();
    const seq = hlab.events.since(0).at(-1)!.seq;
    // Toward the ExpressRoute gateway (iBGP, no prepend) R-ARS-11 adds 65517:65517: 1,012 communities.
    assert.equal(updateOctets({ segments: [1], communities: 1011, prefixLen: 24 }), 4095, 'from the NVA');
    assert.equal(updateOctets({ segments: [1], communities: 1012, prefixLen: 24 }), 4099, 'toward the gateway');
    const many = Array.from({ length: 1011 }, (_, i) => `65001:${i + 1}`).join(' ');
    await hlab.node('nva1')!.command(`announce route ${P} next-hop ${NVA} community [${many}]`);
    await waitFor('both gateway sessions report it', async () => {
      await hlab.settled();
      return (
        hlab.events
          .since(seq)
          .filter(
            (e) =>
              e.type === 'warning' && e.message.startsWith(`${P} not sent by hubrs/`) && /4,099 octets/.test(e.message),
          ).length === 4 // 2 route-server instances × 2 gateway instances
      );
    });
    assert.deepEqual(gwHolds(P), [false, false]);
    const r = hlab.routeServer(hlab.model.routeServers[0]!)!;
    assert.ok(r.learnedRoutes('nva1')['RouteServiceRole_IN_0']!.some((x) => x.network === P));
    assert.deepEqual(state(), up, 'every in-process session as it was');
    await hlab.node('nva1')!.command(`announce route 10.165.12.0/24 next-hop ${NVA}`);
    await waitFor('the next route still reaches the gateway', async () => {
      await hlab.settled();
      return gwHolds('10.165.12.0/24').every(Boolean);
    });
  });
});
