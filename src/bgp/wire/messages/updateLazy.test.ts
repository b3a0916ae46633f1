// decodeUpdateLazy (the transport's UPDATE decode: IPv4 NLRI left in wire form, attributes
// reused while their bytes repeat) against decodeMessage, the codec's contract: the same
// verdicts and the same values on valid, random and mutated UPDATEs, decoded one after another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeMessage, encodeMessage } from './message.js';
import { decodeUpdateLazy, ipv4NlriOf } from './update.js';
import { readHeader } from './header.js';
import { countIpv4Prefixes, ipv4PrefixAddrAt, readIpv4Prefixes } from '../nlri.js';
import { updateMessage } from '../arbitraries.js';
import { CONTEXT_2OCTET, CONTEXT_4OCTET, MessageType, type CodecContext, type Prefix } from '../types.js';
import { AFI_IPV4 } from '../prefix.js';
import { attr, update } from '../testkit.js';

/** Both decodes of one message; they must agree exactly. */
function agree(bytes: Uint8Array, ctx: CodecContext): void {
  const h = readHeader(bytes);
  if (!h.ok || h.value.type !== MessageType.UPDATE || h.value.length !== bytes.length) return; // decodeMessage's own checks
  const eager = decodeMessage(bytes, ctx);
  const lazy = decodeUpdateLazy(bytes, bytes.length, ctx);
  assert.equal(lazy.ok, eager.ok);
  if (!lazy.ok || !eager.ok) {
    assert.deepEqual(lazy, eager);
    return;
  }
  const u = lazy.value;
  const wire = ipv4NlriOf(u);
  assert.ok(wire, 'a lazily decoded UPDATE has its NLRI in wire form');
  // The wire form, walked as the RIB walks it, is the eager NLRI.
  const walked: Prefix[] = [];
  for (let at = wire.start; at < wire.end; at += 1 + ((wire.bytes[at]! + 7) >> 3))
    walked.push({ afi: AFI_IPV4, addr: ipv4PrefixAddrAt(wire.bytes, at), len: wire.bytes[at]! });
  assert.equal(eager.value.type, 'UPDATE');
  const e = eager.value as typeof u;
  assert.deepEqual(walked, e.nlri);
  assert.equal(wire.length, e.nlri.length);
  assert.deepEqual(wire.toArray(), e.nlri);
  // And the whole message, read through the lazy `nlri`, is the eager one (deep, strict).
  assert.deepStrictEqual(u, eager.value);
  assert.equal(u.nlri, u.nlri, 'nlri is decoded once');
}

function encodable(m: Parameters<typeof encodeMessage>[0], ctx: CodecContext): Uint8Array | undefined {
  try {
    return encodeMessage(m, ctx);
  } catch (err) {
    if (err instanceof RangeError) return undefined; // over 4096 octets
    throw err;
  }
}

test('decodeUpdateLazy equals decodeMessage on random UPDATEs, decoded in sequence (property)', () => {
  for (const ctx of [CONTEXT_4OCTET, CONTEXT_2OCTET]) {
    fc.assert(
      fc.property(
        fc.array(updateMessage, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(5), { maxLength: 12 }),
        (msgs, repeats) => {
          const wires = msgs.map((m) => encodable(m, ctx)).filter((w): w is Uint8Array => w !== undefined);
          // Repeats of earlier messages: the attribute memo is hit, and must not change anything.
          for (const r of repeats) if (wires.length) wires.push(wires[r % wires.length]!);
          for (const w of wires) agree(w, ctx);
        },
      ),
      { numRuns: 300 },
    );
  }
});

test('decodeUpdateLazy equals decodeMessage on mutated UPDATEs (bounded fuzz)', () => {
  const mutation = fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }), cut: fc.boolean() });
  fc.assert(
    fc.property(
      updateMessage,
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (m, muts, twoOctet) => {
        const ctx = twoOctet ? CONTEXT_2OCTET : CONTEXT_4OCTET;
        const w = encodable(m, ctx);
        if (!w) return;
        agree(w, ctx); // memo primed with the valid attributes
        let b = Array.from(w);
        for (const x of muts) {
          const at = 19 + (x.at % Math.max(1, b.length - 19));
          if (x.cut) b = b.slice(0, at);
          else if (at < b.length) b[at] = b[at]! ^ x.xor;
        }
        if (b.length >= 19) {
          b[16] = (b.length >>> 8) & 0xff;
          b[17] = b.length & 0xff;
        }
        agree(Uint8Array.from(b), ctx);
        agree(w, ctx); // and back
      },
    ),
    { numRuns: 1500 },
  );
});

test('attributes with a problem are not reused, and an attribute-discard UPDATE after a clean one decodes the same', () => {
  const origin = attr(0x40, 1, 0);
  const asPath = attr(0x40, 2, 2, 1, 0, 0, 0xfd, 0xe9);
  const nextHop = attr(0x40, 3, 10, 0, 0, 1);
  const badMed = attr(0x80, 4, 0, 0, 1); // MED of 3 octets: attribute-discard (RFC 7606 §7.4)
  const nlri = [24, 11, 0, 0, 24, 11, 0, 1];
  const clean = update({ attributes: [origin, asPath, nextHop], nlri });
  const faulty = update({ attributes: [origin, asPath, nextHop, badMed], nlri });
  for (const w of [clean, faulty, faulty, clean, clean, faulty]) agree(w, CONTEXT_4OCTET);
  const a = decodeUpdateLazy(clean, clean.length, CONTEXT_4OCTET);
  const b = decodeUpdateLazy(clean, clean.length, CONTEXT_4OCTET);
  assert.ok(a.ok && b.ok);
  assert.equal(a.value.attributes, b.value.attributes, 'identical attribute bytes: the same decoded object');
  assert.notEqual(a.value, b.value);
  const f = decodeUpdateLazy(faulty, faulty.length, CONTEXT_4OCTET);
  assert.ok(f.ok && f.value.problems.length > 0);
});

test('countIpv4Prefixes accepts exactly what readIpv4Prefixes accepts (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      const out: Prefix[] = [];
      const ok = readIpv4Prefixes(b, 0, b.length, out);
      const n = countIpv4Prefixes(b, 0, b.length);
      assert.equal(n >= 0, ok);
      if (ok) assert.equal(n, out.length);
    }),
    { numRuns: 3000 },
  );
});
