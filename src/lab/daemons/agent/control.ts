/**
 * @module lab/daemons/agent/control
 * The agent's API: HTTP over the Unix socket in its work directory (docs/agent.md).
 */
import { request } from 'node:http';

/** The part of the agent's GET /status the lab reads. */
export interface AgentStatusView {
  routerId?: string;
  sessions: { neighbor: string; address: string; asn: number; state: string }[];
  vips: { prefix: string; nextHop: string | null; backend: string | null; drained: boolean }[];
  backends: { name: string; state: string; drained: boolean }[];
}

/** One HTTP request over the agent's unix socket; resolves with status and body. */
export function call(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
