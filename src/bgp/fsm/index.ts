/**
 * @module bgp/fsm
 * The pure session FSM (RFC 4271 §8): imports only the wire codec.
 */
export * from './types.js';
export {
  step,
  initialState,
  describeDownReason,
  OPEN_HOLD_TIME,
  DEFAULT_MIN_SEND_HOLD_TIME,
  sendHoldTimeOf,
} from './step.js';
export { negotiate, negotiateTimers, buildOpen, peerAsOf, familyOf, afiSafiOf, type Negotiation } from './negotiate.js';
export { collisionWinner, type ConnectionDirection } from './collision.js';
