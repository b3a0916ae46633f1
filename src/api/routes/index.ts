/**
 * @module api/routes
 * The API's route groups, one module per resource family or concern. Each exports
 * `register(router, ctx)` and imports only api/router (never the server): this list is the
 * one place they are wired.
 */
import type { RouteGroup } from '../router.js';
import { register as events } from './events.js';
import { register as explain } from './explain.js';
import { register as exportLab } from './export.js';
import { register as faults } from './faults.js';
import { register as gateways } from './gateways.js';
import { register as hybridResources } from './hybridResources.js';
import { register as identity } from './identity.js';
import { register as lab } from './lab.js';
import { register as maintenance } from './maintenance.js';
import { register as network } from './network.js';
import { register as probe } from './probe.js';
import { register as resources } from './resources.js';
import { register as topology } from './topology.js';
import { register as trace } from './trace.js';
import { register as ui } from './ui.js';

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  identity,
  network,
  resources,
  gateways,
  hybridResources,
  lab,
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
