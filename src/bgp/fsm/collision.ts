/**
 * @module bgp/fsm/collision
 * Connection collision resolution (RFC 4271 §6.8): when two TCP connections to the same
 * peer both reach the point where the peer's BGP Identifier is known, the one initiated
 * by the speaker with the higher Identifier survives.
 */
export type ConnectionDirection = 'outgoing' | 'incoming';

/**
 * Which connection to keep. Identifiers are compared as unsigned 32-bit integers
 * (RFC 4271 §6.8 "treated as 4-octet unsigned integers").
 */
export function collisionWinner(localId: number, remoteId: number): ConnectionDirection {
  // Local higher: keep the connection we initiated; otherwise keep the peer's.
  return localId >>> 0 > remoteId >>> 0 ? 'outgoing' : 'incoming';
}
