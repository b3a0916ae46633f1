/**
 * @module lab/kinds/context
 * What a node kind gets from the running lab.
 */
import type { Clock } from '../../bgp/clock.js';
import type { Logger } from '../../bgp/log.js';
import type { BgpListener, Connector } from '../../bgp/transport/index.js';
import type { AzureModel } from '../../azure/index.js';
import type { AddressMap } from '../addressing.js';
import type { EventLog } from '../events.js';
import type { LabGraph } from '../graph/index.js';
import type { AddressingMode } from '../spec.js';

export interface NodeContext {
  readonly model: AzureModel;
  readonly mode: AddressingMode;
  readonly addresses: AddressMap;
  /** The BGP port every side uses (179 as root, else 1179 by default). */
  readonly port: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventLog;
  /** The lab graph the node registers into: its BGP speaker (and sessions), or its host. */
  readonly graph: LabGraph;
  /** The node's private working directory (created by the lab). */
  readonly workDir: string;
  /** Its addresses beyond `spec.address` (further attachments, customer links): emulated, already mapped. */
  readonly moreAddresses?: readonly string[];
  readonly pcapDir?: string;
  /** Network namespace of this node (netns mode). */
  readonly netns?: string;
  /** Outgoing connections / listening for in-process speakers living in a namespace. */
  readonly connector?: Connector;
  readonly listen?: (listener: BgpListener) => Promise<void>;
  /** Bound on every process's life (tests), seconds. */
  readonly maxLifetimeSeconds?: number;
}
