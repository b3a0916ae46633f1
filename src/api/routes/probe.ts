/**
 * @module api/routes/probe
 * Data-plane probes (`arslab probe`), run by the lab itself (src/lab/probe.ts says why):
 *
 *   POST /arslab/probe  {from, to, port, intervalMs, count?, durationMs?, timeoutMs?, sourcePort?}
 *
 * answers a stream of JSON lines: `{type: "start", info}`, one `{type: "probe", result}` per
 * probe as it completes (in sequence order), then `{type: "summary", summary}`. Without
 * count or duration it runs until the client disconnects. A bad request (unknown VM, bad
 * address, timeout longer than the interval) is an ordinary ARM-shaped error.
 */
import { checkProbeRequest, probeSource, runProbe, type ProbeRequest } from '../../lab/probe.js';
import { field, objectAt } from '../body.js';
import type { ApiContext, Router } from '../router.js';

export function register(r: Router, ctx: ApiContext): void {
  const lab = ctx.lab;
  r.add('POST', '/arslab/probe', (_m, body) => {
    // Types first (a wrong one is InvalidRequestFormat naming the field), then the ranges.
    const o = objectAt(body);
    for (const k of ['from', 'to'] as const) field(o, '', k, 'string');
    for (const k of ['port', 'intervalMs', 'count', 'durationMs', 'timeoutMs', 'sourcePort'] as const)
      field(o, '', k, 'number');
    const req = (o ?? {}) as unknown as ProbeRequest;
    checkProbeRequest(req);
    probeSource(lab, req.from);
    return {
      status: 200,
      stream: async (write, signal) => {
        const { summary } = await runProbe(
          lab,
          req,
          { onStart: (info) => write({ type: 'start', info }), onResult: (result) => write({ type: 'probe', result }) },
          signal,
        );
        write({ type: 'summary', summary });
      },
    };
  });
}
