/** arslab up FILE — start a lab (foreground, or --detach) and leave it answering queries. */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, type Command } from '../command.js';
import {
  formatLabFileError,
  loadLabFile,
  LOADED_SPEC_ENV,
  LOADED_SPEC_READY,
  LOADED_SPEC_WAIT_ENV,
  writeLoadedSpecAt,
} from '../../lab/topology/index.js';
import { runLab } from '../runLab.js';
import {
  isAlive,
  LabAlreadyRunning,
  labDir,
  lockHolder,
  readLabState,
  stateRoot,
  type LabState,
} from '../../lab/state.js';

function summary(s: LabState): string {
  return [
    `lab '${s.name}' is up (${s.mode} mode, BGP port ${s.bgpPort}, pid ${s.pid}).`,
    ...(s.api.endpoint ? [`  ARM:     ${s.api.endpoint}  (az, SDKs: eval "$(arslab env)")`] : []),
    ...(s.caFile ? [`  CA file: ${s.caFile}`] : []),
    `  status:  arslab status`,
    `  page:    arslab ui   (prints a one-time sign-in link to the web page)`,
    `  stop:    arslab down`,
  ].join('\n');
}

/**
 * `up --empty`: the lab file of an empty lab — only its name — written into the lab's
 * folder, so the rest of `up` (the detached child, the state file, `down`) is the same as
 * for any lab file. A lab file with only `name` (and `settings`) does the same.
 */
function emptyLabFile(file: string | undefined, name: unknown): string {
  if (file !== undefined)
    throw new UsageError('argument --empty: not with a lab FILE (a file with only name is empty too)');
  const lab = name === undefined ? 'empty' : String(name);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(lab))
    throw new UsageError(`argument --name: '${lab}' is not a valid lab name: 1-63 lower-case letters, digits and '-'`);
  mkdirSync(labDir(lab), { recursive: true, mode: 0o700 });
  const path = join(labDir(lab), 'empty.yml');
  writeFileSync(path, `# arslab up --empty\nname: ${lab}\n`, { mode: 0o600 });
  return path;
}

export const command: Command = {
  path: ['up'],
  summary: 'Start a lab from its file: route servers on real TCP sockets, nodes (daemons, speakers), the local API.',
  args: {
    detach: {
      flags: ['--detach', '-d'],
      help: 'Run in the background and return once the lab answers.',
      boolean: true,
    },
    netns: {
      flags: ['--netns'],
      help: 'Network-namespace mode (root): daemons see their emulated addresses; configs run verbatim.',
      boolean: true,
    },
    loopback: {
      flags: ['--loopback'],
      help: 'Loopback mode (default, no root): each emulated address on its own 127.x address.',
      boolean: true,
    },
    port: { flags: ['--port'], help: 'BGP port for the Azure side (default: 179 as root, else 1179).' },
    apiPort: {
      flags: ['--api-port'],
      help: "The API's port on 127.0.0.1, HTTPS and HTTP (default: a free port, new at every up).",
    },
    capture: { flags: ['--capture'], help: 'Record every BGP session to pcap files in the lab folder.', boolean: true },
    timeout: { flags: ['--timeout'], help: 'With --detach: seconds to wait for the lab to come up (default 90).' },
    empty: {
      flags: ['--empty'],
      help: 'Start a lab with nothing in it, to build through the ARM API (az, SDKs, arslab network …); no FILE.',
      boolean: true,
    },
    name: { flags: ['--name', '-n'], help: "With --empty: the lab's name (default: empty)." },
  },
  positionals: [{ name: 'file', required: false }],
  defaultOutput: 'text',
  examples: [
    'arslab up scenarios/next-hop-failover/lab.yml --detach',
    'arslab up scenarios/next-hop-failover/lab.yml --detach --api-port 8443',
    'sudo arslab up scenarios/next-hop-failover/lab.yml --netns',
    'arslab up --empty --name mylab --detach',
  ],
  async run(ctx, args) {
    const file = args['empty'] ? emptyLabFile(args._[0], args['name']) : resolve(args._[0] ?? '');
    if (!args['empty'] && args._[0] === undefined)
      throw new UsageError('the following arguments are required: file (or --empty)');
    if (!args['empty'] && args['name'] !== undefined) throw new UsageError('argument --name: only with --empty');
    if (args['netns'] && args['loopback']) throw new UsageError('choose one of --netns and --loopback');
    const mode = args['netns'] ? 'netns' : args['loopback'] ? 'loopback' : undefined;
    const port = args['port'] !== undefined ? Number(args['port']) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536))
      throw new UsageError(`argument --port: invalid port '${String(args['port'])}'`);
    const apiPort = args['apiPort'] !== undefined ? Number(args['apiPort']) : undefined;
    if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536))
      throw new UsageError(`argument --api-port: invalid port '${String(args['apiPort'])}'`);

    if (!args['detach']) {
      await runLab(file, {
        ...(mode ? { mode } : {}),
        ...(port ? { port } : {}),
        ...(apiPort ? { apiPort } : {}),
        ...(args['capture'] ? { capture: true } : {}),
        onReady: (s) => ctx.stdout(`${summary(s)}\n  (foreground: Ctrl-C stops it)\n`),
      });
      return undefined;
    }

    // --detach: check the file here (errors on this terminal), then run in a child. The
    // child starts first and waits for the checked spec (lab/topology/loaded), so that its
    // Node start and module loading overlap the check (issue 12: `up` to ready at 1×). Its
    // output goes to a file in the state folder until the lab's name is known.
    const root = stateRoot();
    const tag = `.up-${process.pid}-${Date.now()}`;
    const earlyOut = join(root, `${tag}.out`);
    const specPath = join(root, `${tag}.v8`);
    const out = openSync(earlyOut, 'w', 0o600);
    const main = fileURLToPath(new URL('../main.js', import.meta.url));
    const argv = [
      main,
      'up',
      file,
      ...(mode === 'netns' ? ['--netns'] : mode === 'loopback' ? ['--loopback'] : []),
      ...(port ? ['--port', String(port)] : []),
      ...(apiPort ? ['--api-port', String(apiPort)] : []),
      ...(args['capture'] ? ['--capture'] : []),
    ];
    const child = spawn(process.execPath, ['--enable-source-maps', '--max-semi-space-size=4', ...argv], {
      detached: true,
      stdio: ['pipe', out, out],
      // The file checked below, so the lab process does not load and check it again.
      env: { ...process.env, [LOADED_SPEC_ENV]: specPath, [LOADED_SPEC_WAIT_ENV]: 'stdin' },
    });
    closeSync(out);
    // A child gone early (killed) must not make the command fail on a closed pipe.
    child.stdin?.on('error', () => {});
    let name: string;
    try {
      const loaded = await loadLabFile(file);
      if (!loaded.ok) throw new Error(loaded.errors.map(formatLabFileError).join('\n'));
      name = loaded.spec.name;
      const holder = lockHolder(name);
      if (holder !== undefined) throw new LabAlreadyRunning(name, holder);
      mkdirSync(labDir(name), { recursive: true, mode: 0o700 });
      writeLoadedSpecAt(specPath, loaded.spec);
    } catch (e) {
      // The child has started nothing yet (it waits for the word): stopped at once. Were the
      // signal lost, stdin ending without the word makes it exit too.
      child.kill('SIGTERM');
      child.stdin?.end();
      rmSync(specPath, { force: true });
      rmSync(earlyOut, { force: true });
      throw e;
    }
    // The child's output, this run's only (issue 8, finding 7: an appended file repeated
    // earlier runs' lines in this run's error); the previous run's stays in lab.out.1.
    const logPath = join(labDir(name), 'lab.out');
    if (existsSync(logPath)) renameSync(logPath, `${logPath}.1`);
    renameSync(earlyOut, logPath); // the child's open descriptor follows the file
    child.stdin?.end(LOADED_SPEC_READY);
    child.unref();
    let exited = false;
    child.once('exit', () => (exited = true));
    const deadline = Date.now() + Number(args['timeout'] ?? 90) * 1000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const s = readLabState(name);
      if (s && s.pid === child.pid) {
        ctx.stdout(`${summary(s)}\n  log:     ${join(labDir(name), 'lab.log')}\n`);
        return undefined;
      }
      if (exited || child.pid === undefined || !isAlive(child.pid)) break;
    }
    // Another `up` of this lab won the race for its lock: that is the answer, not our child's log.
    const winner = lockHolder(name);
    if (winner !== undefined && winner !== child.pid) throw new LabAlreadyRunning(name, winner);
    const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
    if (child.pid && isAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
    throw new Error(`lab '${name}' did not come up${tail ? `:\n${tail}` : ''}`);
  },
};
