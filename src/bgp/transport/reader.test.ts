import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageReader } from './reader.js';

const marker = new Array(16).fill(0xff);
const msg = (type: number, body: number[]) => {
  const len = 19 + body.length;
  return Buffer.from([...marker, len >> 8, len & 255, type, ...body]);
};

test('frames survive any split of the stream', () => {
  const stream = Buffer.concat([msg(4, []), msg(5, [0, 1, 0, 1]), msg(4, [])]);
  for (let cut = 1; cut < stream.length; cut++) {
    const r = new MessageReader();
    const frames = [...r.push(stream.subarray(0, cut)), ...r.push(stream.subarray(cut))];
    assert.deepEqual(
      frames.map((f) => (f.ok ? f.type : -1)),
      [4, 5, 4],
      `cut at ${cut}`,
    );
  }
});

test('a bad marker stops the reader with 1/1', () => {
  const m = msg(4, []);
  m[3] = 0;
  const [f] = new MessageReader().push(m);
  assert.ok(f && !f.ok);
  assert.deepEqual([f.error.code, f.error.subcode], [1, 1]);
});

test('RFC 7313 §5: a BoRR ROUTE-REFRESH of the wrong length is 7/1, judged on the whole message', () => {
  const r = new MessageReader();
  const m = msg(5, [0, 1, 1, 1, 0]); // subtype 1 (BoRR), one octet too many
  const first = r.push(m.subarray(0, 19));
  assert.deepEqual(first, [], 'waits for the whole message');
  const [f] = r.push(m.subarray(19));
  assert.ok(f && !f.ok);
  assert.deepEqual([f.error.code, f.error.subcode], [7, 1]);
});

test('a KEEPALIVE with a body is 1/2 Bad Message Length', () => {
  const [f] = new MessageReader().push(msg(4, [0]));
  assert.ok(f && !f.ok);
  assert.deepEqual([f.error.code, f.error.subcode], [1, 2]);
});
