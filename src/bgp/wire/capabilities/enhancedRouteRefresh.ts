/**
 * @module bgp/wire/capabilities/enhancedRouteRefresh
 * Enhanced Route Refresh, code 70 (RFC 7313 §3.1): no value.
 */
import { CapabilityCode } from '../types.js';
import type { CapabilityDescriptor } from './descriptor.js';

export const ENHANCED_ROUTE_REFRESH: CapabilityDescriptor<'enhanced-route-refresh'> = {
  code: CapabilityCode.EnhancedRouteRefresh,
  kind: 'enhanced-route-refresh',
  name: 'Enhanced Route Refresh',
  decode(_b, start, end) {
    return end === start ? { kind: 'enhanced-route-refresh' } : undefined;
  },
  encode() {},
};
