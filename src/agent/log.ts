/**
 * @module agent/log
 * Structured logs: one JSON object per line, with the wall time (ISO 8601) and the
 * monotonic milliseconds since the agent started (`mono`, for measuring failover without
 * trusting the wall clock), the event name and its fields.
 */
import type { Clock } from '../bgp/clock.js';

export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

export interface AgentLog {
  event(level: EventLevel, event: string, fields?: Record<string, unknown>): void;
}

export function jsonLog(write: (line: string) => void, clock: Clock, minLevel: EventLevel = 'info'): AgentLog {
  const order: EventLevel[] = ['debug', 'info', 'warn', 'error'];
  const t0 = clock.now();
  return {
    event(level, event, fields = {}) {
      if (order.indexOf(level) < order.indexOf(minLevel)) return;
      const mono = Math.round((clock.now() - t0) * 1000) / 1000;
      write(`${JSON.stringify({ time: new Date().toISOString(), mono, level, event, ...fields })}\n`);
    },
  };
}
