/**
 * The API's JSON shapes the page reads, as the server defines them (type-only imports:
 * nothing of src/ is bundled into the page).
 */
export type {
  TopologyView,
  ViewNode,
  ViewEdge,
  ViewGroup,
  ViewRef,
} from '../../src/lab/topologyView.js';
export type { LabEvent } from '../../src/lab/events.js';
export type { ProbeGap, ProbeLive, ProbeResult, ProbeSummary, ProbeInfo, ProbeRequest } from '../../src/lab/probe.js';
export type { TraceResult, TracePath, TraceHop } from '../../src/lab/trace.js';
export type { ExplainResult, ExplainSection, ExplainLine } from '../../src/azure/explain.js';
export type { EffectiveRoute } from '../../src/azure/effectiveRoutes.js';
export type { LearnedRoute, AdvertisedRoute } from '../../src/azure/routeServer.js';
export type {
  GatewayLearnedRoute,
  BgpPeerStatus,
  CircuitRoute,
  CircuitRouteSummary,
} from '../../src/azure/gatewayListings.js';
export type { RouterTableRow } from '../../src/lab/hybrid.js';
