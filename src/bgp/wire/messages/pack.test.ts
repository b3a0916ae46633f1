// packUpdates: fewest UPDATEs within 4096 octets, one kind of content per UPDATE (RFC 7606 §5.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packUpdates } from './pack.js';
import { decodeMessage } from './message.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, type PathAttributes, type ReceivedUpdate } from '../types.js';
import { v4Prefix, v6Prefix, type Prefix } from '../prefix.js';

const ATTRS: PathAttributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65515, 4200000001] }],
  nextHop: 0x0a010004,
  communities: [0xfdeb0001],
};
const NH6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 1 : 0));

function decodeAll(msgs: Uint8Array[]): ReceivedUpdate[] {
  return msgs.map((m) => {
    assert.ok(m.length <= 4096, `message of ${m.length} octets`);
    const d = decodeMessage(m, CONTEXT_4OCTET);
    assert.ok(d.ok && d.value.type === 'UPDATE', d.ok ? '' : d.error.message);
    assert.deepEqual((d.value as ReceivedUpdate).problems, []);
    return d.value as ReceivedUpdate;
  });
}

/** Which of the four RFC 7606 §5.1 contents an UPDATE carries. */
function kinds(u: ReceivedUpdate): string[] {
  const k: string[] = [];
  if (u.withdrawn.length > 0) k.push('withdrawn');
  if (u.nlri.length > 0) k.push('nlri');
  if (u.attributes.mpReach) k.push('mp_reach');
  if (u.attributes.mpUnreach) k.push('mp_unreach');
  return k;
}

const v4s = (n: number, len = 24): Prefix[] =>
  Array.from({ length: n }, (_, i) => v4Prefix((0x0a000000 + (i << 8)) >>> 0, len));
const v6s = (n: number): Prefix[] =>
  Array.from({ length: n }, (_, i) => v6Prefix((0x20010db8n << 96n) | (BigInt(i) << 64n), 64));

test('pack: 400 /24 announcements fit in one UPDATE; 2000 need the fewest possible', () => {
  for (const n of [1, 400, 2000]) {
    const msgs = packUpdates({ withdrawn: [], announce: { attributes: ATTRS, nlri: v4s(n) } }, CONTEXT_4OCTET);
    const us = decodeAll(msgs);
    const attrLen = msgs[0]!.length - 23 - 4 * us[0]!.nlri.length;
    assert.equal(msgs.length, Math.ceil((4 * n) / (4096 - 23 - attrLen)), `${n} prefixes`);
    assert.deepEqual(
      us.flatMap((u) => u.nlri),
      v4s(n),
    );
    for (const u of us) {
      assert.deepEqual(kinds(u), ['nlri']);
      assert.deepEqual(u.attributes, ATTRS);
    }
  }
});

test('pack: withdrawals, IPv4 then IPv6, then announcements, each in its own UPDATEs', () => {
  const msgs = packUpdates(
    {
      withdrawn: [...v6s(3), ...v4s(1500, 32)],
      announce: { attributes: ATTRS, nlri: [...v4s(5), ...v6s(700)], nextHopV6: NH6 },
    },
    CONTEXT_4OCTET,
  );
  const us = decodeAll(msgs);
  assert.deepEqual(
    us.map((u) => kinds(u).join()),
    ['withdrawn', 'withdrawn', 'mp_unreach', 'nlri', 'mp_reach', 'mp_reach'],
  ); // 700 × 9 octets need two
  assert.deepEqual(
    us.filter((u) => u.withdrawn.length).flatMap((u) => u.withdrawn),
    v4s(1500, 32),
  );
  assert.deepEqual(us[2]!.attributes, { mpUnreach: { afi: 2, safi: 1, withdrawn: v6s(3) } });
  const reach = us.filter((u) => u.attributes.mpReach);
  assert.deepEqual(
    reach.flatMap((u) => u.attributes.mpReach!.nlri),
    v6s(700),
  );
  for (const u of reach) {
    assert.equal(u.attributes.nextHop, undefined, 'no NEXT_HOP with MP_REACH_NLRI only (RFC 4760 §3)');
    assert.deepEqual(u.attributes.mpReach!.nextHop, NH6);
    assert.deepEqual(u.attributes.communities, ATTRS.communities);
  }
});

test('pack: toward a 2-octet peer the attributes carry AS4_PATH and still fit', () => {
  const msgs = packUpdates({ withdrawn: [], announce: { attributes: ATTRS, nlri: v4s(3000) } }, CONTEXT_2OCTET);
  for (const m of msgs) {
    assert.ok(m.length <= 4096);
    const d = decodeMessage(m, CONTEXT_2OCTET);
    assert.ok(d.ok && d.value.type === 'UPDATE');
    assert.deepEqual((d.value as ReceivedUpdate).attributes.asPath, ATTRS.asPath);
  }
});

test('pack: nothing to send gives no UPDATE', () => {
  assert.deepEqual(packUpdates({ withdrawn: [] }, CONTEXT_4OCTET), []);
  assert.deepEqual(packUpdates({ withdrawn: [], announce: { attributes: ATTRS, nlri: [] } }, CONTEXT_4OCTET), []);
});

test('pack: batches that cannot be sent throw', () => {
  assert.throws(
    () => packUpdates({ withdrawn: [], announce: { attributes: ATTRS, nlri: v6s(1) } }, CONTEXT_4OCTET),
    TypeError,
  );
  assert.throws(
    () =>
      packUpdates(
        {
          withdrawn: [],
          announce: { attributes: { ...ATTRS, mpUnreach: { afi: 2, safi: 1, withdrawn: [] } }, nlri: v4s(1) },
        },
        CONTEXT_4OCTET,
      ),
    TypeError,
  );
  const huge: PathAttributes = { ...ATTRS, unknown: [{ flags: 0xc0, type: 200, value: new Uint8Array(4060) }] };
  assert.throws(
    () => packUpdates({ withdrawn: [], announce: { attributes: huge, nlri: v4s(1) } }, CONTEXT_4OCTET),
    RangeError,
  );
});
