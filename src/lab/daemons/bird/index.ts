/**
 * @module lab/daemons/bird
 * BIRD 2: configuration checks (config), output parsers (parse), control socket (control),
 * driver (driver).
 */
export * from './config.js';
export * from './parse.js';
export * from './control.js';
export * from './driver.js';
