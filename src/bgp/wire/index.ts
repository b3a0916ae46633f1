/**
 * @module bgp/wire
 * The BGP-4 wire codec: pure functions from bytes to typed messages and back. Imports
 * nothing outside this folder. Decoders never throw on network input: they return
 * `Decoded<T>`, whose error already holds the NOTIFICATION and the RFC 7606 action.
 *
 * Layout: one module per message (messages/), per attribute family (attributes/) and per
 * capability (capabilities/); `attributes/table.ts` is the descriptor table keyed by
 * type code (name, canonical flags, decode, encode, RFC 7606 default action).
 */
export * from './prefix.js';
export * from './errors.js';
export * from './types.js';
export { readHeader, type MessageHeader } from './messages/header.js';
export { decodeMessage, encodeMessage } from './messages/message.js';
export { nlriRoom, packUpdates, type UpdateBatch } from './messages/pack.js';
export { prefixWireLength } from './nlri.js';
