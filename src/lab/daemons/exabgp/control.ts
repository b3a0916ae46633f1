/**
 * @module lab/daemons/exabgp/control
 * ExaBGP's CLI named pipes (the protocol exabgpcli speaks), and the announce text of its API.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { DaemonError, type AnnounceRoute } from '../types.js';
import { sleep } from '../process.js';

/**
 * Speaks the protocol of ExaBGP's CLI named pipes. The .out FIFO is opened read-write: we then
 * count as a writer ourselves, so it never signals end of file when ExaBGP's relay (which opens
 * and closes it around every line) is between two lines, and opening never blocks.
 */
export class ExabgpCli {
  private reader: Socket | undefined;
  private partial = '';
  private waiter: { lines: string[]; done: (err: Error | undefined, lines: string[]) => void } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** A command timed out: its answer may still come, and must not be read as the next one's. */
  private stale = false;
  private lastDataAt = 0;

  constructor(
    private readonly inPath: string,
    private readonly outPath: string,
    private readonly label: string,
  ) {}

  private ensureReader(): void {
    if (this.reader) return;
    const fd = openSync(this.outPath, constants.O_RDWR | constants.O_NONBLOCK);
    const s = new Socket({ fd, readable: true, writable: false });
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => this.onData(chunk));
    s.on('error', () => undefined);
    s.unref(); // an idle CLI must not keep the process alive
    this.reader = s;
  }

  private onData(chunk: string): void {
    this.lastDataAt = Date.now();
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const w = this.waiter;
      if (!w) continue; // output nobody waits for (a command that timed out earlier)
      if (line === 'done') w.done(undefined, w.lines);
      else if (line === 'error')
        w.done(new DaemonError('command', `${this.label}: ExaBGP answered "error" (see its log)`), w.lines);
      else if (line === 'shutdown')
        w.done(new DaemonError('exited', `${this.label}: ExaBGP is shutting down`), w.lines);
      else w.lines.push(line);
    }
  }

  /** Sends one command and returns the lines of its answer. */
  request(command: string, timeoutMs = 10_000): Promise<string[]> {
    const run = async (): Promise<string[]> => {
      this.ensureReader();
      if (this.stale) {
        // Let the late answer arrive and be dropped (no waiter) before asking anything else.
        const until = Date.now() + 5000;
        while (Date.now() < until && Date.now() - this.lastDataAt < 500) await sleep(100);
        this.stale = false;
      }
      this.partial = '';
      let fd: number;
      try {
        // Non-blocking: ENXIO at once when ExaBGP's relay is not (yet) reading, instead of
        // blocking a libuv thread until it does.
        fd = openSync(this.inPath, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new DaemonError('command', `${this.label}: ExaBGP CLI pipe not open (${code}): ExaBGP not running yet?`);
      }
      const answer = new Promise<string[]>((resolvePromise, reject) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          this.stale = true;
          reject(
            new DaemonError('timeout', `${this.label}: ExaBGP did not answer "${command}" within ${timeoutMs} ms`),
          );
        }, timeoutMs);
        this.waiter = {
          lines: [],
          done: (err, lines) => {
            clearTimeout(timer);
            this.waiter = undefined;
            if (err) reject(err);
            else resolvePromise(lines);
          },
        };
      });
      try {
        writeSync(fd, command.replace(/\n/g, ' ') + '\n');
      } finally {
        closeSync(fd);
      }
      return answer;
    };
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.reader?.destroy();
    this.reader = undefined;
  }
}

export function renderExabgpAnnounce(
  route: AnnounceRoute,
  communities: string[],
  large: string[],
  asPath?: number[],
): string {
  const parts = [`announce route ${route.prefix} next-hop ${route.nextHop} origin igp`];
  if (asPath) parts.push(`as-path [ ${asPath.join(' ')} ]`);
  if (route.med !== undefined) parts.push(`med ${route.med}`);
  if (communities.length > 0) parts.push(`community [ ${communities.join(' ')} ]`);
  if (large.length > 0) parts.push(`large-community [ ${large.join(' ')} ]`);
  return parts.join(' ');
}
