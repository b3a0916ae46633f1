/**
 * @module lab/daemons/types
 * The contract shared by the four daemon drivers (BIRD 2, FRR bgpd, GoBGP, ExaBGP): how a
 * user's real BGP daemon is started from the user's own configuration file, controlled,
 * queried and stopped. The lab runtime and the interop tests use only these types.
 */

/**
 * The four routing daemons, ARSLab's own fast-failover agent run as a process like them, and
 * any other daemon from a user-given command line (`exec`).
 */
export type DaemonKind = 'bird' | 'frr' | 'gobgp' | 'exabgp' | 'agent' | 'exec';

export const DAEMON_KINDS: readonly DaemonKind[] = ['bird', 'frr', 'gobgp', 'exabgp', 'agent', 'exec'];

export type AddressFamily = 'ipv4' | 'ipv6';

export interface DaemonSpec {
  /** Node name, used in log lines and error messages. */
  name: string;
  /**
   * Private directory of this instance: control sockets, pid file, rendered files, FIFOs.
   * Created when missing. Keep it short: it holds AF_UNIX socket paths (at most 107 bytes).
   */
  workDir: string;
  /** The user's configuration file. Read, never written; BIRD includes it from a wrapper. */
  configFile: string;
  /**
   * The address the daemon listens on: a 127.x address in loopback mode, the emulated one in a
   * network namespace. Passed on the command line where the daemon allows it (FRR, ExaBGP);
   * checked against the configuration where only the configuration can say it (BIRD, GoBGP).
   */
  listenAddress: string;
  /** Its own BGP listening port: 179 usually; -1 = do not listen, where the daemon allows it. */
  listenPort: number;
  /** Expected router id; checked against what the daemon reports (a warning when they differ). */
  routerId?: string;
  /** Run inside this network namespace (`ip netns exec NS ...`). */
  netns?: string;
  /** Extra environment for the daemon (merged over ours). */
  env?: Record<string, string>;
  /** Hard bound: every process of the instance is SIGKILLed after this many seconds. */
  maxLifetimeSeconds?: number;
  /** Called once when the daemon's main process has exited (for whatever reason). */
  onExit?: (code: number | null, signal: string | null) => void;
  /** Receives the daemon's output and the driver's own notes, one line at a time. */
  log?: (line: string) => void;
  /** `exec` only: the command line ({config}, {address}, {port}, {workdir}, {name} filled in) and the route listing. */
  exec?: { command: string; routesCommand?: string };
}

export type Origin = 'IGP' | 'EGP' | 'INCOMPLETE';

/** One path a daemon learned from a BGP neighbour, in a daemon-independent shape. */
export interface DaemonRoute {
  /** Canonical prefix, e.g. "10.2.0.0/16", "2001:db8::/32". */
  prefix: string;
  /** First (global) next hop; "" when the daemon reports none. */
  nextHop: string;
  /** AS_PATH flattened in wire order; members of an AS_SET are included in place. */
  asPath: number[];
  origin: Origin;
  /** "65517:65517"; well-known communities as numbers too ("65535:65282" for NO_ADVERTISE). */
  communities: string[];
  /** "65002:0:1". */
  largeCommunities: string[];
  med?: number;
  localPref?: number;
  /** Address of the neighbour the path came from. */
  peer?: string;
  /** The daemon's best path for the prefix (ExaBGP selects nothing: see exabgp/driver.ts). */
  best: boolean;
}

export interface DaemonSession {
  /** The neighbour's address. */
  neighbor: string;
  /** The daemon's own name for the state (BIRD "Established", GoBGP "established", ...). */
  state: string;
  established: boolean;
  /** The daemon's name for the session when it has one (a BIRD protocol name). */
  name?: string;
  remoteAs?: number;
}

export interface AnnounceRoute {
  prefix: string;
  /**
   * The route's next hop. Whether it reaches the wire unchanged is the daemon's policy: GoBGP
   * and ExaBGP send it as given; BIRD only with `next hop keep` (or an export filter setting
   * bgp_next_hop), FRR only with `attribute-unchanged next-hop` (or an outbound route-map),
   * otherwise they send their own address to eBGP neighbours, as a real router would.
   */
  nextHop: string;
  communities?: string[];
  largeCommunities?: string[];
  /** ASNs placed right after the daemon's own AS: the receiver sees [own AS, ...asPathPrepend]. */
  asPathPrepend?: number[];
  med?: number;
}

export interface DaemonHandle {
  readonly kind: DaemonKind;
  readonly name: string;
  /** PID of the daemon's main process. */
  readonly pid: number;
  /** Every live process it started (helpers included), for cleanup. */
  readonly pids: () => number[];
  /** Resolves once the control interface answers and the listening sockets were audited. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM (the daemon sends its Cease NOTIFICATION), SIGKILL after grace; resolves when every process is gone. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** SIGKILL at once: no NOTIFICATION (the peer detects it by hold timer). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT every process of the instance. */
  pause(): void;
  resume(): void;
  /** True once the main process has exited. */
  readonly exited: boolean;
  sessions(): Promise<DaemonSession[]>;
  /** What it learned from its BGP neighbours: all paths, best flagged; locally originated routes excluded. */
  receivedRoutes(family?: AddressFamily): Promise<DaemonRoute[]>;
  announce(route: AnnounceRoute): Promise<void>;
  withdraw(prefix: string): Promise<void>;
  /** Raw daemon command: birdc text, vtysh command, gobgp arguments, ExaBGP API text. */
  command?(text: string): Promise<string>;
  /** The last lines the daemon printed (for error reports). */
  recentOutput(): string[];
}

export type DaemonErrorCode =
  | 'config' // the user's configuration cannot work under ARSLab; the message says what to add
  | 'spawn' // the binary is missing or could not be started
  | 'exited' // the daemon exited (before it was ready, or while a command ran)
  | 'timeout' // ready() or a control command did not answer in time
  | 'command' // the daemon rejected a control command
  | 'listen' // the daemon listens where it must not, or could not listen
  | 'usage'; // the caller passed something invalid

export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  constructor(
    readonly code: DaemonErrorCode,
    message: string,
    /** The daemon's last output lines, when they help explain the failure. */
    readonly output: string[] = [],
  ) {
    super(output.length > 0 ? `${message}\n--- last output ---\n${output.join('\n')}` : message);
  }
}
