import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collisionWinner } from './collision.js';

test('collision_local_higher_keeps_outgoing', () => {
  assert.equal(collisionWinner(0x0a000002, 0x0a000001), 'outgoing');
});

test('collision_remote_higher_keeps_incoming', () => {
  assert.equal(collisionWinner(0x0a000001, 0x0a000002), 'incoming');
});

test('collision_compares_unsigned', () => {
  // 200.0.0.1 is above 10.0.0.1 as an unsigned integer though negative as int32.
  assert.equal(collisionWinner(0xc8000001 | 0, 0x0a000001), 'outgoing');
});
