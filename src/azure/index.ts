/**
 * @module azure
 * The Azure side, pure and deterministic: resources, their routing rules (R-… of
 * docs/rules.md) and Azure's error shapes. No sockets, no clocks, no files.
 */
export * from './ids.js';
export * from './constants.js';
export * from './errors.js';
export * from './model.js';
export * from './lookup.js';
export * from './systemRoutes.js';
export * from './routeServer.js';
export * from './effectiveRoutes.js';
export * from './validate.js';
export * from './mutate.js';
export * from './expressRoute.js';
export * from './vpnGateway.js';
export * from './prefixLimits.js';
export * from './gatewayRoutes.js';
export * from './dataPath.js';
export * from './gatewayMesh.js';
export * from './modelIndex.js';
export * from './effectiveRouteLayers.js';
export * from './programmingTiming.js';
export * from './hybridAddresses.js';
