/**
 * The on-premises side of the in-process hybrid labs (test/lab/hybrid.test.ts and
 * explain.test.ts): onprem1 is seed 001's edge (AS 133937 behind circuit c1, 1.2.3.0/24 on
 * the secondary link only, its two /30s), onprem2 a second site on circuit c2.
 */
import type { RouterNodeSpec } from '../../src/lab/spec.js';

export const SEED001_ONPREM_ROUTERS: readonly RouterNodeSpec[] = [
  {
    kind: 'router',
    name: 'onprem1',
    asn: 133937,
    routerId: '169.254.1.89',
    attach: [
      { kind: 'expressRoute', circuit: 'c1', link: 'primary' },
      { kind: 'expressRoute', circuit: 'c1', link: 'secondary' },
    ],
    routes: [
      { prefix: '1.2.3.0/24', origin: 'incomplete', on: [1] },
      { prefix: '169.254.1.88/30', origin: 'incomplete' },
      { prefix: '169.254.1.92/30', origin: 'incomplete' },
    ],
  },
  {
    kind: 'router',
    name: 'onprem2',
    asn: 65151,
    routerId: '169.254.2.1',
    attach: [
      { kind: 'expressRoute', circuit: 'c2', link: 'primary' },
      { kind: 'expressRoute', circuit: 'c2', link: 'secondary' },
    ],
    routes: [{ prefix: '10.100.20.0/24', origin: 'igp' }],
  },
];
