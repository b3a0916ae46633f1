// az's --ids on every command that takes a resource by --name and --resource-group, through
// the one ARM id parser (args.ts): the ids az prints (ARM's resource id shape:
// /subscriptions/S/resourceGroups/RG/providers/NAMESPACE/TYPE/NAME[/CHILDTYPE/CHILDNAME]) give
// the same arguments as the names, for top resources and child resources alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyIds, checkRequired, idsSpec, parseArgs } from './args.js';
import { UsageError } from './command.js';
import { COMMANDS } from './registry.js';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network';

/** What main() does with a command line: parse, resolve --ids, check the required arguments. */
function parse(path: string, argv: string[]) {
  const c = COMMANDS.find((x) => x.path.join(' ') === path);
  assert.ok(c, path);
  const specs = idsSpec(c.args);
  const args = parseArgs(argv, specs);
  applyIds(args, specs);
  checkRequired(args, specs);
  return args;
}

test('every command taking --name and --resource-group also takes --ids', () => {
  const named = COMMANDS.filter((c) => c.args['name'] && c.args['resourceGroup']);
  assert.ok(named.length >= 8, `${named.length} commands`);
  for (const c of named) assert.ok(idsSpec(c.args)['ids'], c.path.join(' '));
});

test('a top resource: the id gives the resource group and the name', () => {
  const a = parse('network vnet-gateway show', ['--ids', `${SUB}/virtualNetworkGateways/er1`]);
  assert.deepEqual([a['resourceGroup'], a['name']], ['rg1', 'er1']);
  const n = parse('network nic show-effective-route-table', ['--ids', `${SUB}/networkInterfaces/lt1VMNic`]);
  assert.deepEqual([n['resourceGroup'], n['name']], ['rg1', 'lt1VMNic']);
});

test("a child resource: the parent's name and the child's (a route server's peering, a VNet's peering)", () => {
  const p = parse('network routeserver peering show', ['--ids', `${SUB}/virtualHubs/rs1/bgpConnections/nva1`]);
  assert.deepEqual([p['resourceGroup'], p['routeserver'], p['name']], ['rg1', 'rs1', 'nva1']);
  const v = parse('network vnet peering show', ['--ids', `${SUB}/virtualNetworks/hub/virtualNetworkPeerings/to-spoke`]);
  assert.deepEqual([v['vnetName'], v['name']], ['hub', 'to-spoke']);
});

test('an ExpressRoute circuit peering: the circuit is the name, the peering fills --peering-name', () => {
  const a = parse('network express-route list-route-tables', [
    '--ids',
    `${SUB}/expressRouteCircuits/c1/peerings/AzurePrivatePeering`,
    '--path',
    'primary',
  ]);
  assert.deepEqual([a['name'], a['peeringName'], a['path']], ['c1', 'AzurePrivatePeering', 'primary']);
});

test('--ids with --name, a malformed id, a child id missing its child: usage errors', () => {
  assert.throws(
    () => parse('network vnet-gateway show', ['--ids', `${SUB}/virtualNetworkGateways/er1`, '-n', 'er1']),
    (e: Error) => e instanceof UsageError && /--ids cannot be combined with --name/.test(e.message),
  );
  assert.throws(
    () => parse('network vnet-gateway show', ['--ids', '/subscriptions/x/er1']),
    (e: Error) => e instanceof UsageError && /invalid resource ID/.test(e.message),
  );
  assert.throws(
    () => parse('network routeserver peering show', ['--ids', `${SUB}/virtualHubs/rs1`]),
    (e: Error) => e instanceof UsageError && /names no/.test(e.message),
  );
});
