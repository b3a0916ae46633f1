/**
 * @module cli/registry
 * Every command, in one list (containerlab's subcommandRegisterFuncs): a new verb is one
 * file under commands/ and one line here.
 */
import type { Command } from './command.js';
import { command as validate } from './commands/validate.js';
import { command as whatif } from './commands/whatif.js';
import { command as exportLab } from './commands/export.js';
import { command as importLab } from './commands/import.js';
import { command as up } from './commands/up.js';
import { command as down } from './commands/down.js';
import { command as status } from './commands/status.js';
import { command as token } from './commands/token.js';
import { command as env } from './commands/env.js';
import { command as events } from './commands/events.js';
import { command as ui } from './commands/ui.js';
import { commands as node } from './commands/node/node.js';
import { command as rsShow } from './commands/network/routeserver/show.js';
import { command as peeringList } from './commands/network/routeserver/peering/list.js';
import { command as peeringShow } from './commands/network/routeserver/peering/show.js';
import { command as learned } from './commands/network/routeserver/peering/list-learned-routes.js';
import { command as advertised } from './commands/network/routeserver/peering/list-advertised-routes.js';
import { command as effective } from './commands/network/nic/show-effective-route-table.js';
import { command as nextHop } from './commands/network/watcher/show-next-hop.js';
import { command as vnetPeeringList } from './commands/network/vnet/peering/list.js';
import { command as vnetPeeringShow } from './commands/network/vnet/peering/show.js';
import { command as vnetPeeringCreate } from './commands/network/vnet/peering/create.js';
import { command as vnetPeeringDelete } from './commands/network/vnet/peering/delete.js';
import { command as rsUpdate } from './commands/network/routeserver/update.js';
import { command as rsCreate } from './commands/network/routeserver/create.js';
import { command as rsDelete } from './commands/network/routeserver/delete.js';
import { command as rsList } from './commands/network/routeserver/list.js';
import { command as peeringCreate } from './commands/network/routeserver/peering/create.js';
import { command as peeringUpdate } from './commands/network/routeserver/peering/update.js';
import { command as peeringDelete } from './commands/network/routeserver/peering/delete.js';
import { command as vnetCreate } from './commands/network/vnet/create.js';
import { command as subnetCreate } from './commands/network/vnet/subnet/create.js';
import { command as subnetUpdate } from './commands/network/vnet/subnet/update.js';
import { command as subnetShow } from './commands/network/vnet/subnet/show.js';
import { command as routeTableCreate } from './commands/network/route-table/create.js';
import { command as routeTableUpdate } from './commands/network/route-table/update.js';
import { command as routeTableShow } from './commands/network/route-table/show.js';
import { command as groupCreate } from './commands/group/create.js';
import { command as publicIpCreate } from './commands/network/public-ip/create.js';
import { command as bastionCreate } from './commands/network/bastion/create.js';
import { command as vmCreate } from './commands/vm/create.js';
import { command as nicList } from './commands/network/nic/list.js';
import { command as nicUpdate } from './commands/network/nic/update.js';
import { command as gwShow } from './commands/network/vnet-gateway/show.js';
import { command as gwLearned } from './commands/network/vnet-gateway/list-learned-routes.js';
import { command as gwAdvertised } from './commands/network/vnet-gateway/list-advertised-routes.js';
import { command as gwPeerStatus } from './commands/network/vnet-gateway/list-bgp-peer-status.js';
import { command as erShow } from './commands/network/express-route/show.js';
import { command as erRouteTables } from './commands/network/express-route/list-route-tables.js';
import { command as erRouteTablesSummary } from './commands/network/express-route/list-route-tables-summary.js';
import { command as linkDown } from './commands/link/down.js';
import { command as linkUp } from './commands/link/up.js';
import { command as linkList } from './commands/link/list.js';
import { commands as maintenance } from './commands/routeserver/maintenance.js';
import { command as explain } from './commands/explain.js';
import { command as trace } from './commands/trace.js';
import { command as probe } from './commands/probe.js';
import { command as agentRun } from './commands/agent/run.js';
import { command as agentValidate } from './commands/agent/validate.js';
import { command as agentStatus } from './commands/agent/status.js';
import { command as routeCreate } from './commands/network/route-table/route/create.js';
import { command as routeDelete } from './commands/network/route-table/route/delete.js';
import { command as routeList } from './commands/network/route-table/route/list.js';
import { command as vnetPeeringUpdate } from './commands/network/vnet/peering/update.js';
import { command as gwCreate } from './commands/network/vnet-gateway/create.js';
import { command as gwDelete } from './commands/network/vnet-gateway/delete.js';
import { command as lngCreate } from './commands/network/local-gateway/create.js';
import { command as lngDelete } from './commands/network/local-gateway/delete.js';
import { command as connCreate } from './commands/network/vpn-connection/create.js';
import { command as connUpdate } from './commands/network/vpn-connection/update.js';
import { command as connShow } from './commands/network/vpn-connection/show.js';
import { command as connDelete } from './commands/network/vpn-connection/delete.js';
import { command as erCreate } from './commands/network/express-route/create.js';
import { command as erPeeringCreate } from './commands/network/express-route/peering/create.js';
import { command as globalReachCreate } from './commands/network/express-route/peering/connection/create.js';
import { command as globalReachDelete } from './commands/network/express-route/peering/connection/delete.js';

export const COMMANDS: readonly Command[] = [
  validate,
  whatif,
  exportLab,
  importLab,
  up,
  down,
  status,
  token,
  env,
  events,
  ui,
  ...node,
  rsShow,
  peeringList,
  peeringShow,
  learned,
  advertised,
  effective,
  nextHop,
  vnetPeeringList,
  vnetPeeringShow,
  vnetPeeringCreate,
  vnetPeeringDelete,
  routeCreate,
  routeDelete,
  routeList,
  explain,
  rsUpdate,
  rsCreate,
  rsDelete,
  rsList,
  peeringCreate,
  peeringUpdate,
  peeringDelete,
  vnetCreate,
  subnetCreate,
  subnetUpdate,
  subnetShow,
  routeTableCreate,
  routeTableUpdate,
  routeTableShow,
  groupCreate,
  publicIpCreate,
  bastionCreate,
  vmCreate,
  nicList,
  nicUpdate,
  gwShow,
  gwLearned,
  gwAdvertised,
  gwPeerStatus,
  erShow,
  erRouteTables,
  erRouteTablesSummary,
  vnetPeeringUpdate,
  gwCreate,
  gwDelete,
  lngCreate,
  lngDelete,
  connCreate,
  connUpdate,
  connShow,
  connDelete,
  erCreate,
  erPeeringCreate,
  globalReachCreate,
  globalReachDelete,
  linkDown,
  linkUp,
  linkList,
  ...maintenance,
  trace,
  probe,
  agentRun,
  agentValidate,
  agentStatus,
];

/** The command whose path is the longest prefix of `words`, and the words left. */
export function findCommand(words: readonly string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.length > words.length) continue;
    if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : undefined;
}

/** Commands under a group ("network routeserver"), for help listings. */
export function commandsUnder(prefix: readonly string[]): Command[] {
  return COMMANDS.filter((c) => prefix.every((w, i) => c.path[i] === w));
}
