/**
 * @module bgp/log
 * A minimal structured logger interface, so the protocol code can report without
 * choosing where reports go (the lab sends them to its event timeline and log file).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log() {} };

export function consoleLogger(minLevel: LogLevel = 'info'): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, message, fields) {
      if (rank[level] < rank[minLevel]) return;
      const extra = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : '';
      process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${extra}\n`);
    },
  };
}
