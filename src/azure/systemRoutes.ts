/**
 * @module azure/systemRoutes
 * The default system routes with next hop None (R-NIC-1), as data. The list is region-
 * and time-dependent in Azure; each profile reproduces one set of observations.
 *
 * - `current`: Microsoft Learn's table (10/8, 172.16/12, 192.168/16, 100.64/10) followed by
 *   the reserved ranges seen on 2024 captures (a NIC in a subnet without route table).
 * - `seed-2021`: exactly what the 2021 seed captures print (no 172.16.0.0/12, two
 *   reserved ranges), so that seed outputs can be reproduced row for row.
 */
import type { SystemRouteProfile } from './model.js';

export const NONE_RANGES: Record<SystemRouteProfile, readonly string[]> = {
  current: [
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '100.64.0.0/10',
    '104.146.0.0/17',
    '104.147.0.0/16',
    '127.0.0.0/8',
    '157.59.0.0/16',
    '198.18.0.0/15',
    '20.35.252.0/22',
    '23.103.0.0/18',
    '25.148.0.0/15',
    '25.150.0.0/16',
    '25.152.0.0/14',
    '25.156.0.0/16',
    '25.159.0.0/16',
    '25.176.0.0/13',
    '25.184.0.0/14',
    '25.4.0.0/14',
    '40.108.0.0/17',
    '40.109.0.0/16',
  ],
  'seed-2021': ['10.0.0.0/8', '100.64.0.0/10', '192.168.0.0/16', '25.33.80.0/20', '25.41.3.0/25'],
};
