import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_KINDS } from '../topology/schema.js';
import { knownKinds } from './index.js';

test('every node kind a lab file may name has a runtime, and no runtime lacks its schema', () => {
  assert.deepEqual(knownKinds(), [...NODE_KINDS]);
});
