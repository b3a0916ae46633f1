/**
 * @module rib
 * Routing tables: prefix tables, interned attributes and paths, best path and ECMP,
 * speakers with Adj-RIB-In / Loc-RIB / Adj-RIB-Out. Imports only src/bgp/wire.
 */
export * from './prefixTable.js';
export * from './attrs.js';
export * from './path.js';
export * from './bestPath.js';
export * from './speaker.js';
export * from './trie.js';
export * from './export.js';
export * from './wire.js';
export * from './routePolicy.js';
