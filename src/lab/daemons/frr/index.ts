/**
 * @module lab/daemons/frr
 * FRR bgpd without zebra: configuration checks (config), JSON conversion (parse), vtysh
 * (control), driver (driver).
 */
export * from './config.js';
export * from './parse.js';
export * from './control.js';
export * from './driver.js';
