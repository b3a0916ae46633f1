/**
 * In-process labs for tests, each in a fresh temporary folder: from a lab file's text
 * (`startTestLab`, the config files it names written beside it) or built in code
 * (`startSpecLab`: a model, nodes and built-in routers, no lab file to parse). `stop()` stops
 * the lab, kills by PID whatever its daemons left, and removes the folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPrefix } from '../../src/bgp/wire/index.js';
import { formatAsPathAzure, type Speaker } from '../../src/rib/index.js';
import { DEFAULT_SUBSCRIPTION, vmId, type AzureModel } from '../../src/azure/index.js';
import { Lab, type LabOptions } from '../../src/lab/lab.js';
import {
  DEFAULT_LAB_SETTINGS,
  type LabSettings,
  type LabSpec,
  type NodeSpec,
  type RouterNodeSpec,
  type SpeakerNodeSpec,
  type SpeakerRouteSpec,
} from '../../src/lab/spec.js';
import { formatLabFileError, loadLabText } from '../../src/lab/topology/index.js';
import { waitFor } from './waitFor.js';

export interface TestLab {
  readonly lab: Lab;
  /** The temporary folder: the lab file, its config files, and the lab's state in state/. */
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startTestLab(
  name: string,
  yaml: string,
  files: Readonly<Record<string, string>> = {},
  options: Partial<Omit<LabOptions, 'stateDir'>> = {},
): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), `arslab-${name}-`));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  const file = join(dir, 'lab.yml');
  writeFileSync(file, yaml);
  const loaded = loadLabText(yaml, file);
  if (!loaded.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test lab ${name} does not load:\n${loaded.errors.map(formatLabFileError).join('\n')}`);
  }
  return startIn(dir, loaded.spec, { maxLifetimeSeconds: 300, ...options });
}

/** A lab built in code: what a lab file would load to, without the file. */
export interface SpecLabInit {
  readonly model: AzureModel;
  readonly nodes?: readonly NodeSpec[];
  readonly routers?: readonly RouterNodeSpec[];
  /** Over DEFAULT_LAB_SETTINGS; default a 1 s connect-retry timer, so sessions come up at once. */
  readonly settings?: Partial<LabSettings>;
}

export async function startSpecLab(
  name: string,
  init: SpecLabInit,
  options: Partial<Omit<LabOptions, 'stateDir'>> = {},
): Promise<TestLab> {
  const dir = mkdtempSync(join(tmpdir(), `arslab-${name}-`));
  const spec: LabSpec = {
    name,
    file: join(dir, 'lab.yml'),
    settings: { ...DEFAULT_LAB_SETTINGS, connectRetryTime: 1, ...init.settings },
    model: init.model,
    nodes: init.nodes ?? [],
    routers: init.routers ?? [],
    warnings: [],
  };
  return startIn(dir, spec, options);
}

async function startIn(dir: string, spec: LabSpec, options: Partial<Omit<LabOptions, 'stateDir'>>): Promise<TestLab> {
  let lab: Lab;
  try {
    lab = await Lab.start(spec, { ...options, stateDir: join(dir, 'state') });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    lab,
    dir,
    async stop() {
      const pids = lab.pids();
      await lab.stop();
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An NVA played by the built-in speaker on VM `name` (resource group rg): peers with both
 * route-server instances (as Azure asks, R-ARS-3), hold time 30 s unless `holdTime` says.
 */
export function nvaSpeaker(
  name: string,
  address: string,
  asn: number,
  routes: readonly SpeakerRouteSpec[],
  holdTime = 30,
): SpeakerNodeSpec {
  return {
    kind: 'speaker',
    name,
    vm: vmId(DEFAULT_SUBSCRIPTION, 'rg', name),
    address,
    asn,
    holdTime,
    peerWith: 'both',
    routes,
  };
}

/** Waits until every peering of every route server of the lab is Established on both instances. */
export async function nvaSessionsEstablished(lab: Lab, timeoutMs = 20_000): Promise<void> {
  for (const rs of lab.model.routeServers) {
    const rt = lab.routeServer(rs)!;
    await waitFor(
      `the NVA sessions of ${rs.name}`,
      () => rt.instances.every((i) => [...i.peerings.values()].every((p) => p.session.peer.isEstablished)),
      timeoutMs,
    );
  }
}

/** The gateway runtime (both instances) of the lab's virtual network gateway `name`. */
export function labGateway(lab: Lab, name: string) {
  return [...lab.hybrid!.gateways.values()].find((g) => g.resource.name === name)!;
}

/**
 * Every path a gateway instance holds, rejected ones left out, in its Loc-RIB's order, as
 * "prefix origin-class sourcePeer aspath weight" ('-' for an empty cell; origin classes as
 * list-learned-routes names them), and the next hop ('-' for the gateway's own ranges) when
 * `withNextHop`.
 */
export function gatewayPathRows(sp: Speaker, withNextHop = false): string[] {
  const out: string[] = [];
  for (const { prefix } of [...sp.locRib()]) {
    for (const p of sp.candidates(prefix)) {
      if (p.rejected) continue;
      const origin = p.source.kind === 'local' ? 'Network' : p.source.kind === 'ibgp' ? 'IBgp' : 'EBgp';
      const row = `${formatPrefix(prefix)} ${origin} ${p.source.address || '-'} ${formatAsPathAzure(p.attrs.asPath) || '-'} ${p.weight}`;
      out.push(withNextHop ? `${row} ${p.source.kind === 'local' ? '-' : p.attrs.nextHop}` : row);
    }
  }
  return out;
}
