/**
 * @module bgp/transport
 * BGP over real TCP: message framing, peers (FSM driver), listeners, pcap recording.
 */
export { MessageReader, type Frame } from './reader.js';
export {
  BgpPeer,
  defaultConnector,
  maxPrefixNotification,
  type BgpPeerOptions,
  type Connector,
  type Endpoint,
  type PeerCounters,
  type PeerHandlers,
} from './peer.js';
export { BgpListener, normalizeAddress, type RefusedConnection } from './listener.js';
