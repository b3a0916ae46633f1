/**
 * @module lab/daemons/exec
 * `kind: exec`: any BGP daemon from a user-given command line: the command line and the
 * route listing (control), driver (driver).
 */
export * from './control.js';
export * from './driver.js';
