/**
 * @module lab/daemons/exabgp
 * ExaBGP 4.2: output parsers (parse), CLI pipes and API text (control), driver (driver).
 */
export * from './parse.js';
export * from './control.js';
export * from './driver.js';
