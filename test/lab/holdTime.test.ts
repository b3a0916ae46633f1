/**
 * R-ARS-22 (issue 10 item 4): what the route server does with an NVA that asks for a short
 * hold time — chosen, said and settable, not silent. The route server offers 60/180
 * (R-ARS-4, Route Server FAQ); by default it takes the lower hold time, as RFC 4271 §4.2 says
 * and Microsoft's NVA guidance allows ("NVAs can negotiate lower timers"), and the lab's
 * events say so; with `settings.routeServer.minHoldTime` it refuses a lower one with OPEN
 * Message Error / Unacceptable Hold Time (RFC 4271 §6.2: "MAY reject connections on the basis
 * of the Hold Time").
 *
 * The NVA is ARSLab's built-in speaker over real TCP asking for 9 s. Two labs: 10.93
 * (default) and 10.94 (minHoldTime 180).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { waitFor } from '../helpers/waitFor.js';
import { routeServerLabYaml } from '../fixtures/routeServerLab.js';

const T = { timeout: 60_000 };
const labs: TestLab[] = [];
after(async () => {
  for (const l of labs) await l.stop();
}, T);

const yaml = (n: number, settings: string) =>
  routeServerLabYaml({
    name: `hold-${n}`,
    n,
    settings,
    peers: [{ name: 'short', host: 4, asn: 65001 }],
    nodes: '  short: { kind: speaker, vm: short, asn: 65001, holdTime: 9, routes: [ { prefix: 10.252.0.0/16 } ] }\n',
  });

test('default: the route server takes the NVA’s 9 s and says it negotiated down from 180 s', T, async () => {
  const t = await startTestLab('hold-default', yaml(93, '{ connectRetryTime: 1 }'));
  labs.push(t);
  const said = await waitFor(
    'the negotiated-down event on both instances',
    () => {
      const e = t.lab.events.since().filter((x) => /hold time negotiated down to 9s/.test(x.message));
      return e.length >= 2 ? e : undefined;
    },
    20_000,
  );
  for (const e of said) assert.match(e.message, /asked for 9s, this side offers 180s .*R-ARS-22/);
  const rs = t.lab.routeServer(t.lab.model.routeServers[0]!)!;
  assert.ok(rs.status().every((i) => i.peerings.every((p) => p.state === 'Established')));
});

test('minHoldTime 180: the NVA asking for 9 s is refused with Unacceptable Hold Time', T, async () => {
  const t = await startTestLab('hold-refuse', yaml(94, '{ connectRetryTime: 1, routeServer: { minHoldTime: 180 } }'));
  labs.push(t);
  await waitFor(
    'the refusal',
    () => t.lab.events.since().some((x) => /hold time 9 s is below the 180 s/.test(x.message)),
    20_000,
  );
  const rs = t.lab.routeServer(t.lab.model.routeServers[0]!)!;
  assert.ok(
    rs.status().every((i) => i.peerings.every((p) => p.state !== 'Established')),
    JSON.stringify(rs.status()),
  );
});
