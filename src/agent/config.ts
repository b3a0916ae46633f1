/**
 * @module agent/config
 * The agent's configuration file (docs/agent.md): one zod schema, loaded as a lab file is
 * (src/config: YAML with bounds and positions, `file:line:col: field: message`, "did you
 * mean"), then the checks that need the whole file, then warnings for settings
 * that cannot do what they seem to (MED toward Azure Route Server, R-ARS-7).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseIpv4, parsePrefix, formatPrefix, type Prefix } from '../bgp/wire/index.js';
import {
  closest,
  describeIssues,
  readYaml,
  type ConfigError,
  type Path,
  type ProblemCollector,
} from '../config/index.js';

export { formatConfigError, type ConfigError } from '../config/index.js';

// ---------------------------------------------------------------------------
// Values

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

/** "200ms", "1s", "1.5s", "2m" → milliseconds; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

const duration = (min = 1) =>
  z
    .string({ error: (i) => `expected a duration such as "200ms" or "1s", got ${show(i.input)}` })
    .meta({ pattern: '^\\d+(\\.\\d+)?(ms|s|m)$', examples: ['200ms', '1s'] })
    .refine((s) => parseDuration(s) !== undefined, {
      error: (i) => `${show(i.input)} is not a duration: write a number with ms, s or m ("200ms", "1s")`,
    })
    .transform((s) => parseDuration(s)!)
    .refine((ms) => ms >= min, { error: `must be at least ${min}ms` });

const ipv4 = z
  .string()
  .refine((s) => parseIpv4(s) !== undefined, { error: (i) => `${show(i.input)} is not an IPv4 address` });

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, { error: (i) => `${show(i.input)} is not host:port` })
  .refine((s) => {
    const p = Number(s.slice(s.lastIndexOf(':') + 1));
    return p > 0 && p < 65536;
  }, 'port must be 1-65535');

const asn = z.number().int().min(1).max(4294967294);
const count = z.number().int().min(1).max(100);
const med = z.number().int().min(0).max(4294967295).optional();

const checkCommon = {
  interval: duration(10).default(1000),
  timeout: duration(1).default(1000),
  rise: count.default(2),
  fall: count.default(2),
  fastInterval: duration(10).optional(),
};

const httpCheck = z.strictObject({
  type: z.literal('http'),
  url: z.string().refine(
    (u) => {
      try {
        const p = new URL(u).protocol;
        return p === 'http:' || p === 'https:';
      } catch {
        return false;
      }
    },
    { error: (i) => `${show(i.input)} is not an http:// or https:// URL` },
  ),
  expectStatus: z.number().int().min(100).max(599).default(200),
  body: z.string().optional(),
  bodyRegex: z
    .string()
    .refine(
      (r) => {
        try {
          new RegExp(r);
          return true;
        } catch {
          return false;
        }
      },
      { error: (i) => `${show(i.input)} is not a valid regular expression` },
    )
    .optional(),
  insecure: z.boolean().default(false),
  ...checkCommon,
});

const tcpCheck = z.strictObject({ type: z.literal('tcp'), address: hostPort, ...checkCommon });

const commandCheck = z.strictObject({
  type: z.literal('command'),
  command: z.string().min(1),
  ...checkCommon,
});

const check = z.discriminatedUnion('type', [httpCheck, tcpCheck, commandCheck]);

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, {
  error: (i) => `${show(i.input)} is not a name: letters, digits, '_', '.', '-'`,
});

const backend = z.strictObject({
  name,
  nextHop: ipv4,
  check,
  maintenanceFile: z.string().optional(),
  /** Accepted so that it can be warned about (R-ARS-7); sent as MULTI_EXIT_DISC. */
  med,
});

const prefix = z.string().refine(
  (s) => {
    const p = parsePrefix(s);
    return p !== undefined && p.afi === 1 && formatPrefix(p) === s;
  },
  { error: (i) => `${show(i.input)} is not an IPv4 prefix in canonical form (e.g. 100.64.0.1/32)` },
);

const watcherVip = z.strictObject({
  prefix,
  pattern: z.literal('watcher'),
  backends: z.array(backend).min(1),
  failback: z.boolean().default(true),
  med,
});

const unhealthy = z.strictObject({
  action: z.enum(['withdraw', 'prepend', 'med']),
  prependCount: z.number().int().min(1).max(16).optional(),
  med,
});

const perBackendVip = z.strictObject({
  prefix,
  pattern: z.literal('per-backend'),
  backend,
  unhealthy: unhealthy.default({ action: 'withdraw' }),
  med,
});

const vip = z.discriminatedUnion('pattern', [watcherVip, perBackendVip]);

const neighbor = z.strictObject({
  address: ipv4,
  asn: asn.default(65515),
  port: z.number().int().min(1).max(65535).default(179),
  holdTime: z
    .number()
    .int()
    .refine((h) => h === 0 || (h >= 3 && h <= 65535), 'hold time must be 0 or 3-65535 seconds')
    .default(30),
  multihop: z.number().int().min(1).max(255).default(64),
  name: name.optional(),
});

export const agentConfigSchema = z.strictObject({
  asn,
  routerId: ipv4,
  localAddress: ipv4,
  listenPort: z.number().int().min(1).max(65535).optional(),
  connectRetry: duration(100).default(5000),
  neighbors: z.array(neighbor).min(1),
  vips: z.array(vip).min(1),
  maintenanceFile: z.string().optional(),
  api: hostPort.optional(),
  log: z.enum(['stdout', 'stderr']).default('stdout'),
});

export type AgentConfigFile = z.infer<typeof agentConfigSchema>;
export type CheckConfig = z.infer<typeof check>;
export type BackendConfig = z.infer<typeof backend>;
export type NeighborConfig = z.infer<typeof neighbor>;
export type UnhealthyConfig = z.infer<typeof unhealthy>;

/** A VIP as the agent runs it: per-backend is a watcher with one backend and its own unhealthy action. */
export interface VipConfig {
  readonly prefix: Prefix;
  readonly prefixText: string;
  readonly pattern: 'watcher' | 'per-backend';
  readonly backends: readonly BackendConfig[];
  readonly failback: boolean;
  readonly unhealthy: UnhealthyConfig;
  readonly med?: number;
}

export interface AgentConfig extends Omit<AgentConfigFile, 'vips'> {
  readonly file: string;
  readonly vips: readonly VipConfig[];
}

export type LoadConfigResult =
  | { readonly ok: true; readonly config: AgentConfig; readonly warnings: readonly ConfigError[] }
  | { readonly ok: false; readonly errors: readonly ConfigError[]; readonly warnings: readonly ConfigError[] };

export const MED_WARNING =
  'Azure Route Server ignores MED: it selects by AS-path length (R-ARS-7), so nothing would fail over: ' +
  'paths of equal length stay ECMP whatever their MED; use `unhealthy: { action: prepend, prependCount: N }` (a longer AS path loses) or `action: withdraw`';

// ---------------------------------------------------------------------------
// Loading

export function loadAgentConfig(file: string): LoadConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      ok: false,
      errors: [
        { file, line: 0, column: 0, field: '', message: `cannot read the agent config: ${(e as Error).message}` },
      ],
      warnings: [],
    };
  }
  return loadAgentConfigText(text, file);
}

/** How deep an agent config may nest and how far its aliases may expand (src/config/yaml.ts). */
const YAML_LIMITS = {
  maxNesting: 32,
  nestingNeeded: 'an agent config needs 6',
  maxAliasCount: 100,
  emptyMessage: 'the agent config is empty: it needs at least asn, routerId, localAddress, neighbors and vips',
};

/** Never throws: every problem comes back with its line. */
export function loadAgentConfigText(text: string, file: string): LoadConfigResult {
  const read = readYaml(text, file, YAML_LIMITS);
  if (!read.ok) return { ok: false, errors: read.problems.errors(), warnings: read.problems.warnings() };
  const { input, problems } = read;
  medWarnings(input, problems);
  const parsed = agentConfigSchema.safeParse(input);
  if (!parsed.success) {
    for (const r of describeIssues(parsed.error.issues, input, agentConfigSchema))
      problems.error(r.path, discriminatorMessage(r.path, r.message, input), r.at);
    return { ok: false, errors: problems.errors(), warnings: problems.warnings() };
  }
  const c = parsed.data;
  crossChecks(c, problems);
  if (problems.hasErrors) return { ok: false, errors: problems.errors(), warnings: problems.warnings() };
  const vips: VipConfig[] = c.vips.map((v) => ({
    prefix: parsePrefix(v.prefix)!,
    prefixText: v.prefix,
    pattern: v.pattern,
    backends: v.pattern === 'watcher' ? v.backends : [v.backend],
    failback: v.pattern === 'watcher' ? v.failback : true,
    unhealthy: v.pattern === 'per-backend' ? v.unhealthy : { action: 'withdraw' },
    ...(v.med !== undefined ? { med: v.med } : {}),
  }));
  return { ok: true, config: { ...c, file, vips }, warnings: problems.warnings() };
}

/** R-ARS-7: every `med` (and `action: med`) in the file, before the schema (so even a file with errors shows it). */
function medWarnings(input: unknown, problems: ProblemCollector): void {
  const walk = (v: unknown, path: Path): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'med' || (k === 'action' && x === 'med')) problems.warning([...path, k], MED_WARNING);
        else walk(x, [...path, k]);
      }
    }
  };
  walk(input, []);
}

function crossChecks(c: AgentConfigFile, problems: ProblemCollector): void {
  const seenNeighbor = new Map<string, number>();
  c.neighbors.forEach((n, i) => {
    const prev = seenNeighbor.get(n.address);
    if (prev !== undefined)
      problems.error(['neighbors', i, 'address'], `neighbor ${n.address} is listed twice (also neighbors[${prev}])`);
    seenNeighbor.set(n.address, i);
    if (n.address === c.localAddress)
      problems.error(['neighbors', i, 'address'], "a neighbor cannot be the agent's own localAddress");
    if (n.multihop > 64)
      problems.warning(
        ['neighbors', i, 'multihop'],
        `TTL ${n.multihop} cannot be set: Node.js offers no IP_TTL for TCP, so sessions use the system default TTL (64 on Linux)`,
      );
    if (n.asn === c.asn)
      problems.error(
        ['neighbors', i, 'asn'],
        `iBGP (neighbor AS ${n.asn} = local asn) is not supported: Azure Route Server peers over eBGP`,
      );
  });
  if (c.neighbors.length === 1 && c.neighbors[0]!.asn === 65515) {
    problems.warning(
      ['neighbors'],
      'only one Route Server instance: Azure Route Server has two, and a peer must peer with both (R-ARS-3)',
    );
  }
  const seenVip = new Map<string, number>();
  const seenBackend = new Map<string, string>();
  c.vips.forEach((v, i) => {
    const prev = seenVip.get(v.prefix);
    if (prev !== undefined)
      problems.error(['vips', i, 'prefix'], `VIP ${v.prefix} is listed twice (also vips[${prev}])`);
    seenVip.set(v.prefix, i);
    const list =
      v.pattern === 'watcher'
        ? v.backends.map((b, j) => ({ b, path: ['vips', i, 'backends', j] as Path }))
        : [{ b: v.backend, path: ['vips', i, 'backend'] as Path }];
    const names = new Set<string>();
    for (const { b, path } of list) {
      if (names.has(b.name)) problems.error([...path, 'name'], `backend '${b.name}' is listed twice in this VIP`);
      names.add(b.name);
      const other = seenBackend.get(b.name);
      if (other !== undefined && other !== b.nextHop)
        problems.error(
          [...path, 'name'],
          `backend '${b.name}' has next hop ${b.nextHop} here but ${other} in another VIP`,
        );
      seenBackend.set(b.name, b.nextHop);
      const ck = b.check;
      if (ck.timeout > ck.interval) {
        problems.warning(
          [...path, 'check', 'timeout'],
          `timeout (${ck.timeout}ms) is longer than the interval (${ck.interval}ms): a hanging backend is checked back to back`,
        );
      }
      if (ck.fastInterval !== undefined && ck.fastInterval > ck.interval)
        problems.error([...path, 'check', 'fastInterval'], 'fastInterval must not be longer than interval');
      if (ck.type === 'http' && ck.body !== undefined && ck.bodyRegex !== undefined)
        problems.error([...path, 'check', 'bodyRegex'], 'give body or bodyRegex, not both');
    }
    if (v.pattern === 'per-backend') {
      const u = v.unhealthy;
      if (u.action === 'prepend' && u.prependCount === undefined)
        problems.error(
          ['vips', i, 'unhealthy', 'prependCount'],
          "action 'prepend' needs prependCount (how many times the local AS is added)",
        );
      if (u.action !== 'prepend' && u.prependCount !== undefined)
        problems.error(['vips', i, 'unhealthy', 'prependCount'], `prependCount only applies to action 'prepend'`);
      if (u.action === 'med' && u.med === undefined)
        problems.error(['vips', i, 'unhealthy', 'med'], "action 'med' needs med");
    }
  });
}

const CHOICES: Readonly<Record<string, readonly string[]>> = {
  type: ['http', 'tcp', 'command'],
  pattern: ['watcher', 'per-backend'],
};

/** zod's "Invalid discriminator value" in the file's words: what was found, the choices, a likely one. */
function discriminatorMessage(path: Path, message: string, input: unknown): string {
  const key = String(path[path.length - 1]);
  const choices = CHOICES[key];
  if (!choices || !/discriminator|Invalid input/i.test(message)) return message;
  let v: unknown = input;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[String(seg)] : undefined;
  if (v === undefined) return `missing required key '${key}': one of ${choices.join(', ')}`;
  const hint = typeof v === 'string' ? closest(v, choices) : undefined;
  return `${show(v)} is not one of: ${choices.join(', ')}${hint ? ` (did you mean '${hint}'?)` : ''}`;
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
}
