/**
 * @module bgp
 * The BGP library: wire codec, FSM, transport, session checks.
 */
export * from './wire/index.js';
export * from './fsm/index.js';
export * from './transport/index.js';
export { validateUpdate, type SessionFacts, type ValidatedUpdate } from './validate.js';
export { realClock, RealClock, type Clock, type TimerHandle } from './clock.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './log.js';
