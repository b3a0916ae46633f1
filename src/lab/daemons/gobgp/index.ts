/**
 * @module lab/daemons/gobgp
 * GoBGP: global configuration (config), JSON conversion (parse), the gobgp CLI (control),
 * driver (driver).
 */
export * from './config.js';
export * from './parse.js';
export * from './control.js';
export * from './driver.js';
