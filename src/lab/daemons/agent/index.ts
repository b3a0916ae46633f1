/**
 * @module lab/daemons/agent
 * ARSLab's fast-failover agent run as a lab node: its API (control), driver (driver).
 */
export * from './control.js';
export * from './driver.js';
