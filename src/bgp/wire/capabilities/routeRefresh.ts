/**
 * @module bgp/wire/capabilities/routeRefresh
 * Route Refresh, code 2 (RFC 2918 §2): no value. The pre-standard code 128 is carried as
 * an unknown capability.
 */
import { CapabilityCode } from '../types.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const ROUTE_REFRESH: CapabilityDescriptor<'route-refresh'> = {
  code: CapabilityCode.RouteRefresh,
  kind: 'route-refresh',
  name: 'Route Refresh',
  decode(_b, start, end) {
    return end === start ? { kind: 'route-refresh' } : undefined;
  },
  encode() {},
};
