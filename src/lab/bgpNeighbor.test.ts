// The UPDATE handler of lab/bgpNeighbor with what the transport hands it now (decodeUpdateLazy:
// NLRI in wire form, attributes reused) against the eagerly decoded UPDATE (decodeMessage): the
// same RIB, the same events, the same statistics, the same resets. And the one assumption its
// validation memo rests on: validateUpdate depends on the IPv4 NLRI only through whether there
// are any (if validateUpdate ever looks at the prefixes themselves, this test says so).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { realClock } from '../bgp/clock.js';
import type { Family } from '../bgp/fsm/index.js';
import type { BgpPeer } from '../bgp/transport/index.js';
import { validateUpdate } from '../bgp/validate.js';
import {
  CONTEXT_4OCTET,
  decodeMessage,
  encodeMessage,
  formatPrefix,
  type ReceivedUpdate,
  type UpdateMessage,
} from '../bgp/wire/index.js';
import { decodeUpdateLazy } from '../bgp/wire/messages/update.js';
import { updateMessage } from '../bgp/wire/arbitraries.js';
import { newRouteSource, Speaker, type SpeakerPolicy } from '../rib/index.js';
import { routeServerPeerLimit } from '../azure/index.js';
import { createBgpNeighbor, nlriStandIn } from './bgpNeighbor.js';
import { EventLog } from './events.js';

function wire(m: UpdateMessage): Uint8Array | undefined {
  try {
    return encodeMessage(m, CONTEXT_4OCTET);
  } catch {
    return undefined; // over 4096 octets
  }
}

function eager(w: Uint8Array): ReceivedUpdate | undefined {
  const d = decodeMessage(w, CONTEXT_4OCTET);
  return d.ok && d.value.type === 'UPDATE' ? d.value : undefined;
}

const familiesArb = fc.constantFrom<readonly Family[]>(
  ['ipv4-unicast'],
  ['ipv6-unicast'],
  ['ipv4-unicast', 'ipv6-unicast'],
);

test('validateUpdate sees only whether there are IPv4 NLRI: the stand-in gives the same verdict (property)', () => {
  fc.assert(
    fc.property(updateMessage, fc.boolean(), familiesArb, (m, ebgp, families) => {
      const w = wire(m);
      const u = w && eager(w);
      if (!u) return;
      assert.deepEqual(
        validateUpdate(nlriStandIn(u, u.nlri.length > 0), { ebgp, families }),
        validateUpdate(u, { ebgp, families }),
      );
    }),
    { numRuns: 500 },
  );
});

const policy: SpeakerPolicy = {
  bestPath: { steps: ['as-path-length', 'neighbor-address'], multipathThrough: 'as-path-length', maxPaths: 4 },
  import: () => ({ accept: true }),
  importPrefix: (_n, p) => (p.len === 32 ? { rule: 'R-TEST', reason: 'host route' } : undefined),
  export: (_to, path) => path.attrs,
};

function setup(maxPrefixes: number) {
  const events = new EventLog(realClock);
  const speaker = new Speaker('rs', 65515, 1, policy);
  const other = {
    source: newRouteSource({ name: 'other', address: '10.0.0.2', asn: 65002, kind: 'ebgp', routerId: 2 }),
    send: () => {},
  };
  speaker.addNeighbor(other);
  speaker.neighborUp(other.source.id);
  const source = newRouteSource({ name: 'nva', address: '10.0.0.1', asn: 65001, kind: 'ebgp', routerId: 1 });
  const nb = createBgpNeighbor({
    speaker,
    source,
    prefixLimit: routeServerPeerLimit(maxPrefixes),
    label: 'rs/IN_0/nva',
    events,
    peer: {
      name: 'nva',
      remote: { address: '127.0.0.1', port: 1 },
      localAddress: '127.0.0.1',
      fsm: {
        localAs: 65515,
        localId: 1,
        peerAs: 65001,
        holdTime: 90,
        keepaliveTime: 30,
        connectRetryTime: 1,
        passive: true,
        families: ['ipv4-unicast', 'ipv6-unicast'],
      },
    },
  });
  speaker.addNeighbor(nb.neighbor);
  speaker.neighborUp(source.id);
  const resets: string[] = [];
  const families: readonly Family[] = ['ipv4-unicast', 'ipv6-unicast'];
  const fakePeer = {
    negotiated: { families, peerAs: 65001 },
    reset: (n: { code: number; subcode: number }) => resets.push(`${n.code}/${n.subcode}`),
  } as unknown as BgpPeer;
  const onUpdate = nb.peer.options.handlers.onUpdate!;
  const snapshot = () => ({
    loc: [...speaker.locRib()].map((e) => `${formatPrefix(e.prefix)} ${e.best.map((p) => p.attrs.key).join(',')}`),
    ribIn: [...speaker.adjRibIn(source.id)].map(
      (e) => `${formatPrefix(e.prefix)} ${e.path.attrs.key} ${e.path.rejected?.rule ?? ''}`,
    ),
    out: [...speaker.adjRibOut(other.source.id)].map((e) => `${formatPrefix(e.prefix)} ${e.attrs.key}`),
    stats: { ...nb.stats },
    resets: [...resets],
    events: events.since(0).map((e) => `${e.type} ${e.source} ${e.message}`),
  });
  return { deliver: (u: ReceivedUpdate) => onUpdate(fakePeer, u), snapshot };
}

test('the handler gives the same RIB, events and statistics for lazily and eagerly decoded UPDATEs (property)', () => {
  fc.assert(
    fc.property(
      fc.array(updateMessage, { minLength: 1, maxLength: 5 }),
      fc.array(fc.nat(4), { maxLength: 10 }),
      fc.integer({ min: 3, max: 200 }),
      (msgs, repeats, max) => {
        const wires = msgs.map(wire).filter((w): w is Uint8Array => w !== undefined);
        for (const r of repeats) if (wires.length) wires.push(wires[r % wires.length]!);
        const A = setup(max);
        const B = setup(max);
        for (const w of wires) {
          const a = eager(w);
          const d = decodeUpdateLazy(w, w.length, CONTEXT_4OCTET);
          assert.equal(d.ok, a !== undefined);
          if (!a || !d.ok) continue;
          A.deliver(a);
          B.deliver(d.value);
          const sa = A.snapshot();
          const sb = B.snapshot();
          // Event times differ; their text and order do not.
          assert.deepEqual(sb, sa);
        }
      },
    ),
    { numRuns: 300 },
  );
});
