/**
 * @module lab/daemons/exabgp
 * ExaBGP 4.2 driver. The user's configuration needs no ARSLab-specific line.
 *
 * Start: `exabgp --root WORK CONF` with the environment
 *   exabgp.tcp.bind=ADDR exabgp.tcp.port=PORT   (listen; not set when listenPort is -1)
 *   exabgp.daemon.daemonize=false exabgp.daemon.user=root exabgp.daemon.drop=false
 *   exabgp.log.destination=stdout
 *   exabgp.api.cli=true exabgp.api.pipename=arslab-XXXXXXXX exabgp.api.ack=true
 *   ARSLAB_EXABGP_CMD=WORK/exabgp.cmd  ARSLAB_HELPERS=<helpers directory>
 * and exabgp_cli_pipe removed: when that variable is set, /usr/sbin/exabgp does not run BGP
 * at all but becomes the CLI relay process.
 *
 * Control: ExaBGP's own CLI named pipes. ExaBGP looks for PIPENAME.in/.out in a fixed list
 * of directories (/run/exabgp/, /run/UID/, /run/, /var/run/..., then the same under the
 * --root folder); --root WORK and a pipe name unique to the instance put them in WORK/run/,
 * so instances never share pipes and nothing is created outside the work directory. ExaBGP
 * then starts an internal "api-internal-cli" process that relays between the pipes and its
 * API. We speak that protocol ourselves (exabgpcli costs a Python start-up per command and
 * waits up to 1.5 s to drain): write one command line to .in, read lines from .out until
 * "done" or "error". Commands: `announce route ...`, `withdraw route ...`,
 * `show neighbor extensive|configuration`, `show adj-rib in extensive` (the routes received,
 * as ExaBGP route text, parsed by parseExabgpAdjRib).
 *
 * Seed-style control (`echo "announce route ..." >/var/run/exabgp.cmd`): the user's config runs
 * helpers/exabgp-cmd-pipe.py as a process; the driver creates the FIFO WORK/exabgp.cmd and
 * passes its path in ARSLAB_EXABGP_CMD (handle.commandPipe).
 *
 * ExaBGP selects no best path: every received path is reported with best = true.
 */
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  DaemonError,
  type AddressFamily,
  type AnnounceRoute,
  type DaemonHandle,
  type DaemonRoute,
  type DaemonSession,
  type DaemonSpec,
  type Origin,
} from './types.js';
import { ManagedProcess, mkfifo, sleep } from './process.js';
import {
  auditListeners,
  canonicalAddress,
  canonicalPrefix,
  checkAnnouncement,
  checkPrefix,
  helpersDir,
  noteFor,
  normalizeCommunity,
  normalizeLargeCommunity,
  pollUntil,
  makeWorkDir,
  prepareSpec,
  processControls,
} from './common.js';

export interface ExabgpHandle extends DaemonHandle {
  /** FIFO relayed to ExaBGP by helpers/exabgp-cmd-pipe.py (when the config runs it). */
  readonly commandPipe: string;
}

// ---------------------------------------------------------------------------------------------
// Parsers

/** Splits ExaBGP route text into tokens, keeping "[ ... ]" and "( ... )" groups as one token. */
export function tokenizeExabgp(text: string): string[] {
  const out: string[] = [];
  const re = /\[[^\]]*\]|\([^)]*\)|\S+/g;
  for (const m of text.matchAll(re)) out.push(m[0]);
  return out;
}

const groupItems = (token: string): string[] =>
  token.startsWith('[') || token.startsWith('(') ? token.slice(1, -1).trim().split(/\s+/).filter(Boolean) : [token];

const ORIGINS: Record<string, Origin> = { igp: 'IGP', egp: 'EGP', incomplete: 'INCOMPLETE' };

/** Parses one route's text: "PREFIX next-hop NH origin igp as-path [ 1 2 ] med 0 community [ ... ] ...". */
export function parseExabgpRouteText(text: string): Omit<DaemonRoute, 'peer' | 'best'> | undefined {
  const tokens = tokenizeExabgp(text);
  const prefix = tokens.shift();
  if (!prefix?.includes('/')) return undefined;
  const r: Omit<DaemonRoute, 'peer' | 'best'> = {
    prefix: canonicalPrefix(prefix),
    nextHop: '',
    asPath: [],
    origin: 'INCOMPLETE',
    communities: [],
    largeCommunities: [],
  };
  for (let i = 0; i < tokens.length; i++) {
    const key = tokens[i]!;
    const value = tokens[i + 1];
    switch (key) {
      case 'next-hop':
        if (value) r.nextHop = canonicalAddress(value);
        i++;
        break;
      case 'origin':
        r.origin = ORIGINS[(value ?? '').toLowerCase()] ?? 'INCOMPLETE';
        i++;
        break;
      case 'as-path':
        // "[ 65001 65002 ( 65003 65004 ) ]": the set's members are flattened in place.
        r.asPath = (value ?? '').match(/\d+/g)?.map(Number) ?? [];
        // A set printed after the sequence ends up in its own "( ... )" token: absorb it.
        if (tokens[i + 2]?.startsWith('(')) {
          r.asPath.push(...(tokens[i + 2]!.match(/\d+/g)?.map(Number) ?? []));
          i++;
        }
        i++;
        break;
      case 'med':
        if (value && /^\d+$/.test(value)) r.med = Number(value);
        i++;
        break;
      case 'local-preference':
        if (value && /^\d+$/.test(value)) r.localPref = Number(value);
        i++;
        break;
      case 'community':
        r.communities = groupItems(value ?? '').map(normalizeCommunity);
        i++;
        break;
      case 'large-community':
        r.largeCommunities = groupItems(value ?? '').map(normalizeLargeCommunity);
        i++;
        break;
      default:
        // Attributes we do not report (extended-community, aggregator, originator-id...):
        // skip the keyword; its value is skipped as an unknown word or group on the next turn.
        break;
    }
  }
  return r;
}

/**
 * Parses `show adj-rib in extensive`: one line per route,
 * "neighbor PEER local-ip ... family-allowed ... AFI SAFI ROUTE-TEXT".
 */
export function parseExabgpAdjRib(text: string): DaemonRoute[] {
  const out: DaemonRoute[] = [];
  for (const line of text.split('\n')) {
    const m = /^neighbor\s+(\S+)\s.*?\s(ipv4|ipv6)\s+(unicast|multicast)\s+(\S+\/\d+.*)$/.exec(line.trim());
    if (!m) continue;
    const route = parseExabgpRouteText(m[4]!);
    if (!route) continue;
    out.push({ ...route, peer: canonicalAddress(m[1]!), best: true });
  }
  return out;
}

export interface ExabgpNeighborState {
  neighbor: string;
  state: string;
  localAs?: number;
  peerAs?: number;
}

/** Parses `show neighbor extensive` (blocks "Neighbor X", " state ...", " AS local remote"). */
export function parseExabgpNeighbors(text: string): ExabgpNeighborState[] {
  const out: ExabgpNeighborState[] = [];
  let cur: ExabgpNeighborState | undefined;
  for (const line of text.split('\n')) {
    const n = /^Neighbor\s+(\S+)/.exec(line);
    if (n) {
      cur = { neighbor: canonicalAddress(n[1]!), state: 'unknown' };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    const st = /^\s+state\s+(\S+)/.exec(line);
    if (st) cur.state = st[1]!.toLowerCase();
    const as = /^\s+AS\s+(\d+)\s+(\S+)/.exec(line);
    if (as) {
      cur.localAs = Number(as[1]);
      if (/^\d+$/.test(as[2]!)) cur.peerAs = Number(as[2]);
    }
  }
  return out;
}

/** Parses `show neighbor configuration`: neighbour address -> local-as. */
export function parseExabgpNeighborConfig(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let cur: string | undefined;
  for (const line of text.split('\n')) {
    const n = /^neighbor\s+(\S+)\s*\{/.exec(line.trim());
    if (n) cur = canonicalAddress(n[1]!);
    const la = /^local-as\s+(\d+)\s*;/.exec(line.trim());
    if (la && cur) out.set(cur, Number(la[1]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLI pipe client

/**
 * Speaks the protocol of ExaBGP's CLI named pipes. The .out FIFO is opened read-write: we then
 * count as a writer ourselves, so it never signals end of file when ExaBGP's relay (which opens
 * and closes it around every line) is between two lines, and opening never blocks.
 */
class ExabgpCli {
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

// ---------------------------------------------------------------------------------------------
// Driver

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

export async function startExabgp(spec: DaemonSpec): Promise<ExabgpHandle> {
  prepareSpec(spec);
  const note = noteFor(spec, 'exabgp');
  const conf = resolve(spec.configFile);
  const work = makeWorkDir(spec);
  const runDir = join(work, 'run');
  mkdirSync(runDir, { recursive: true });
  const pipename = `arslab-${randomBytes(4).toString('hex')}`;
  const cliIn = join(runDir, `${pipename}.in`);
  const cliOut = join(runDir, `${pipename}.out`);
  const commandPipe = join(work, 'exabgp.cmd');
  for (const p of [cliIn, cliOut, commandPipe]) rmSync(p, { force: true });
  for (const p of [cliIn, cliOut, commandPipe]) await mkfifo(p);

  // tcp.port is also the port ExaBGP connects to when a neighbour has no `connect`.
  const text = readFileSync(conf, 'utf8');
  if (spec.listenPort !== -1 && spec.listenPort !== 179 && !/\bconnect\s+\d+/.test(text)) {
    note(`warning: exabgp.tcp.port=${spec.listenPort} is also the port ExaBGP connects to (no \`connect\` in ${conf})`);
  }

  // The node's own environment first; then what the driver depends on, which wins: the CLI
  // pipes and their acknowledgements (`done`/`error` end every answer), a foreground process
  // that stays root, logs on stdout.
  const env: Record<string, string | undefined> = {
    ...spec.env,
    'exabgp.daemon.daemonize': 'false',
    'exabgp.daemon.user': 'root',
    'exabgp.daemon.drop': 'false',
    'exabgp.log.destination': 'stdout',
    'exabgp.api.cli': 'true',
    'exabgp.api.pipename': pipename,
    'exabgp.api.ack': 'true',
    exabgp_cli_pipe: undefined,
    ARSLAB_EXABGP_CMD: commandPipe,
    ARSLAB_HELPERS: helpersDir(),
    // `run exabgp-cmd-pipe.py;` in a config finds the helper: ExaBGP looks programs up on PATH.
    PATH: `${helpersDir()}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
  };
  if (spec.listenPort !== -1) {
    env['exabgp.tcp.bind'] = spec.listenAddress;
    env['exabgp.tcp.port'] = String(spec.listenPort);
  } else {
    env['exabgp.tcp.bind'] = '';
  }

  const proc = await ManagedProcess.start({
    label: `exabgp ${spec.name}`,
    argv: ['exabgp', '--root', work, conf],
    cwd: work,
    env,
    netns: spec.netns,
    maxLifetimeSeconds: spec.maxLifetimeSeconds,
    log: spec.log,
    onExit: spec.onExit,
    watchDescendants: true, // API processes live in process groups of their own
  });
  const label = `exabgp ${spec.name}`;
  const cli = new ExabgpCli(cliIn, cliOut, label);
  void proc.waitExit().then(() => cli.close());
  const exitedError = () =>
    proc.exited
      ? new DaemonError('exited', `${label} exited (${JSON.stringify(proc.exitStatus)})`, proc.recentOutput())
      : undefined;
  const request = async (command: string, timeoutMs?: number): Promise<string[]> => {
    const e = exitedError();
    if (e) throw e;
    return cli.request(command, timeoutMs);
  };

  let localAs: Map<string, number> | undefined;
  let readyPromise: Promise<void> | undefined;
  const handle: ExabgpHandle = {
    ...processControls('exabgp', spec.name, proc),
    commandPipe,
    get exited() {
      return proc.exited;
    },
    ready(timeoutMs = 20_000) {
      readyPromise ??= (async () => {
        await pollUntil(
          `${label}: CLI pipe ${cliIn}`,
          timeoutMs,
          async () => {
            await request('version', 2000);
            return true;
          },
          { abort: exitedError, intervalMs: 150 },
        );
        await auditListeners(proc, spec, 'exabgp');
        proc.refresh();
      })();
      return readyPromise;
    },
    stop: async (opts) => {
      await proc.stop(opts?.graceMs);
      cli.close();
    },
    kill: async () => {
      await proc.kill();
      cli.close();
    },
    async sessions(): Promise<DaemonSession[]> {
      return parseExabgpNeighbors((await request('show neighbor extensive')).join('\n')).map((n) => {
        const s: DaemonSession = { neighbor: n.neighbor, state: n.state, established: n.state === 'established' };
        if (n.peerAs !== undefined) s.remoteAs = n.peerAs;
        return s;
      });
    },
    async receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]> {
      const routes = parseExabgpAdjRib((await request('show adj-rib in extensive')).join('\n'));
      return family ? routes.filter((r) => (family === 'ipv6') === r.prefix.includes(':')) : routes;
    },
    async announce(route: AnnounceRoute): Promise<void> {
      const { communities, largeCommunities } = checkAnnouncement(route);
      if (!route.asPathPrepend?.length) {
        // No AS_PATH given: ExaBGP sends [local-as] to eBGP neighbours itself.
        await request(renderExabgpAnnounce(route, communities, largeCommunities));
        return;
      }
      // A given as-path is sent verbatim (ExaBGP adds nothing): put each neighbour's local AS
      // in front ourselves, one command per neighbour.
      localAs ??= parseExabgpNeighborConfig((await request('show neighbor configuration')).join('\n'));
      for (const [neighbor, asn] of localAs) {
        await request(
          `neighbor ${neighbor} ${renderExabgpAnnounce(route, communities, largeCommunities, [asn, ...route.asPathPrepend])}`,
        );
      }
    },
    async withdraw(prefix: string): Promise<void> {
      checkPrefix(prefix);
      await request(`withdraw route ${prefix}`);
    },
    async command(text: string): Promise<string> {
      return (await request(text, 30_000)).join('\n');
    },
  };
  return handle;
}
