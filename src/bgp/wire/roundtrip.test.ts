// Property: decode(encode(x)) deep-equals x for every message type, toward 2- and 4-octet
// AS peers; and encoding is canonical: encode(decode(encode(x))) is the same octets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from './messages/message.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, type BgpMessage } from './types.js';
import {
  keepaliveMessage,
  notificationMessage,
  openMessage,
  routeRefreshMessage,
  updateMessage,
} from './arbitraries.js';
import { hex, plain } from './testkit.js';

const kinds: [string, fc.Arbitrary<BgpMessage>, number][] = [
  ['UPDATE', updateMessage, 1000],
  ['OPEN', openMessage, 500],
  ['NOTIFICATION', notificationMessage, 100],
  ['KEEPALIVE', keepaliveMessage, 1],
  ['ROUTE-REFRESH', routeRefreshMessage, 100],
];

for (const ctx of [CONTEXT_4OCTET, CONTEXT_2OCTET]) {
  const as = ctx.fourOctetAs ? '4-octet AS' : '2-octet AS';
  for (const [name, arb, numRuns] of kinds) {
    test(`property: ${name} decode(encode(x)) = x (${as})`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const wire = encodeMessage(m, ctx);
          assert.ok(wire.length <= 4096);
          const d = decodeMessage(wire, ctx);
          assert.ok(d.ok, d.ok ? '' : d.error.message);
          if (d.value.type === 'UPDATE') assert.deepEqual(d.value.problems, []);
          assert.deepEqual(plain(d.value), m);
          assert.equal(hex(encodeMessage(d.value, ctx)), hex(wire));
        }),
        { numRuns },
      );
    });
  }
}
