/**
 * @module lab/graph
 * The lab graph (ADR 0012): every BGP speaker of a running lab and the sessions between
 * them, registered by the builders, read by everything else.
 */
export { LabGraph, type SessionFilter, type SpeakerFilter } from './graph.js';
export { SessionFaults, type Maintenance, type RouterAction } from './faults.js';
export { InProcessLink, TcpSession, type TcpEnd } from './sessions.js';
export {
  linkRow,
  routeServerStatus,
  routeServerWarnings,
  sessionRows,
  type LinkRow,
  type SessionRow,
} from './status.js';
export * from './types.js';
