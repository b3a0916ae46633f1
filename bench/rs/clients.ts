/**
 * Cheap control-plane clients for polling route counts without spawning a process per poll
 * (a `vtysh` or `gobgp` process every 50 ms would steal CPU from the receiver on 2 cores):
 * FRR's vty protocol on the daemon's Unix socket, GoBGP's gRPC `GetTable` over HTTP/2 on its
 * Unix socket, and a plain HTTP GET for the ARSLab API. BIRD's control socket is spoken by the
 * driver's `birdRequest` (src/lab/daemons/bird.ts). Plus /proc readers for memory.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import { createConnection } from 'node:net';

/**
 * One command on an FRR daemon's vty socket (what vtysh does): the command and a NUL; the
 * reply is the output followed by three NULs and a status byte.
 */
export function vtyCommand(socketPath: string, command: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(socketPath);
    const chunks: Buffer[] = [];
    let total = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`vty ${socketPath}: "${command}" timed out`));
    }, timeoutMs);
    s.on('connect', () => s.write(Buffer.from(`${command}\0`, 'utf8')));
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      total += c.length;
      const all = chunks.length === 1 ? c : Buffer.concat(chunks, total);
      const n = all.length;
      if (n >= 4 && all[n - 4] === 0 && all[n - 3] === 0 && all[n - 2] === 0) {
        clearTimeout(timer);
        s.destroy();
        const status = all[n - 1]!;
        const text = all.subarray(0, n - 4).toString('utf8');
        if (status !== 0) reject(new Error(`vty ${socketPath}: "${command}": status ${status}: ${text.slice(0, 200)}`));
        else resolve(text);
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Reads the varint fields 1..3 of a protobuf message (enough for GetTableResponse). */
function readVarintFields(b: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  let p = 0;
  while (p < b.length) {
    let key = 0;
    let shift = 0;
    for (;;) {
      const x = b[p++]!;
      key += (x & 127) * 2 ** shift;
      shift += 7;
      if (x < 128) break;
    }
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire !== 0) break; // GetTableResponse has varints only
    let v = 0;
    shift = 0;
    for (;;) {
      const x = b[p++]!;
      v += (x & 127) * 2 ** shift;
      shift += 7;
      if (x < 128) break;
    }
    out.set(field, v);
  }
  return out;
}

/** A GoBGP gRPC client on its Unix socket, for `GetTable` (global RIB, IPv4 unicast). */
export class GobgpApi {
  private session?: http2.ClientHttp2Session;
  constructor(private readonly socketPath: string) {}

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const s = http2.connect('http://localhost', { createConnection: () => createConnection(this.socketPath) });
    s.on('error', () => {});
    this.session = s;
    return s;
  }

  /** { destinations, paths, accepted } of the global IPv4 unicast table. */
  getTable(timeoutMs = 10_000): Promise<{ destinations: number; paths: number; accepted: number }> {
    // GetTableRequest { table_type = GLOBAL (0, omitted), family = { afi: AFI_IP (1), safi: SAFI_UNICAST (1) } }
    const msg = [0x12, 4, 0x08, 1, 0x10, 1];
    const frame = Buffer.from([0, 0, 0, 0, msg.length, ...msg]);
    return new Promise((resolve, reject) => {
      const req = this.connect().request({
        ':method': 'POST',
        ':path': '/apipb.GobgpApi/GetTable',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const timer = setTimeout(() => {
        req.close();
        reject(new Error('gobgp GetTable timed out'));
      }, timeoutMs);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.on('end', () => {
        clearTimeout(timer);
        const all = Buffer.concat(chunks);
        if (all.length < 5) return reject(new Error('gobgp GetTable: empty reply'));
        const len = all.readUInt32BE(1);
        const f = readVarintFields(all.subarray(5, 5 + len));
        resolve({ destinations: f.get(1) ?? 0, paths: f.get(2) ?? 0, accepted: f.get(3) ?? 0 });
      });
      req.end(frame);
    });
  }

  close(): void {
    this.session?.close();
  }
}

/** GET a JSON document over HTTP (the ARSLab API, with its token: ADR 0010), on a keep-alive agent. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
export function getJson(
  host: string,
  port: number,
  path: string,
  token: string,
  timeoutMs = 30_000,
  retried = false,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}` };
    const req = http.get({ host, port, path, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A kept-alive socket the lab closed (its 5-s idle timeout) just as this GET went out
      // on it: the GET is idempotent, so once more on a fresh socket (the retry Node's http
      // docs give for `request.reusedSocket`). A busy machine widened that race in a soak run.
      if (!retried && req.reusedSocket && e.code === 'ECONNRESET')
        getJson(host, port, path, token, timeoutMs, true).then(resolve, reject);
      else reject(e);
    });
  });
}

export function closeHttpAgent(): void {
  agent.destroy();
}

export interface ProcMemory {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size (VmHWM) since start or since the last resetPeak(), bytes. */
  hwm: number;
}

/** VmRSS and VmHWM of a process, in bytes; undefined when it is gone. */
export function procMemory(pid: number): ProcMemory | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS: `echo 5 > /proc/PID/clear_refs`
 * (Linux ≥ 4.0; root or the process's owner). Returns false when the kernel refused.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system) of a process in seconds, from /proc/PID/stat. */
export function procCpuSeconds(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}
