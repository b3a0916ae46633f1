/**
 * @module api/routes
 * Route groups beyond the core ones of server.ts, one module per resource family. Each
 * exports `register(server)`; this list is the one place they are wired.
 */
import type { ApiServer } from '../server.js';
import { register as explain } from './explain.js';
import { register as exportLab } from './export.js';
import { register as faults } from './faults.js';
import { register as gateways } from './gateways.js';
import { register as maintenance } from './maintenance.js';
import { register as trace } from './trace.js';
import { register as probe } from './probe.js';
import { register as topology } from './topology.js';
import { register as events } from './events.js';
import { register as ui } from './ui.js';

export type RouteGroup = (server: ApiServer) => void;

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  gateways,
  faults,
  maintenance,
  explain,
  trace,
  probe,
  topology,
  events,
  ui,
  exportLab,
];
