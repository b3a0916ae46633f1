/**
 * @module cli/client
 * The CLI's only way into a lab: HTTP to the lab's local API, found through the lab
 * state files, with the lab's token from its state file as a bearer token (ADR 0010).
 * Follows ARM long-running operations (202 + Location) like az does.
 */
import * as http from 'node:http';
import { AzureError } from '../azure/errors.js';
import { armPath, type PathParams } from '../api/paths.js';
import { listLabs, processState, type LabState } from '../lab/state.js';

export class NoLabError extends Error {
  override name = 'NoLabError';
}

export function findLab(name?: string): LabState {
  const labs = listLabs().filter((l) => l.alive);
  if (name) {
    const l = labs.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!l)
      throw new NoLabError(
        `no running lab named '${name}'${labs.length ? ` (running: ${labs.map((x) => x.name).join(', ')})` : ''}`,
      );
    return l;
  }
  if (labs.length === 0) throw new NoLabError('no lab is running; start one with: arslab up LABFILE --detach');
  if (labs.length > 1)
    throw new NoLabError(
      `several labs are running (${labs.map((x) => x.name).join(', ')}); choose one with --lab NAME`,
    );
  return labs[0]!;
}

export interface ApiClientOptions {
  /** The lab's token (state file), sent as `Authorization: Bearer`. */
  readonly token?: string;
  /** The lab's process, to say why it does not answer (stopped, say). */
  readonly pid?: number;
  /** How long to wait for an answer, ms (default 60 s; `status` asks for less). */
  readonly timeoutMs?: number;
}

/** The lab's API did not answer in time; says what state its process is in. */
export class LabNotAnswering extends Error {
  override name = 'LabNotAnswering';
}

export class ApiClient {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly subscription: string = '00000000-0000-0000-0000-000000000000',
    readonly options: ApiClientOptions = {},
  ) {}

  static forLab(state: LabState, timeoutMs?: number): ApiClient {
    return new ApiClient(state.api.host, state.api.port, state.subscriptionId, {
      ...(state.token ? { token: state.token } : {}),
      pid: state.pid,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
  }

  /** The same client, waiting at most `timeoutMs` for each answer. */
  withTimeout(timeoutMs: number): ApiClient {
    return new ApiClient(this.host, this.port, this.subscription, { ...this.options, timeoutMs });
  }

  private headers(data?: string): http.OutgoingHttpHeaders {
    return {
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
      ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
    };
  }

  /** Why the lab did not answer in `ms`: its process state when it is known (T: stopped). */
  private notAnswering(ms: number): LabNotAnswering {
    const where = `the lab at ${this.host}:${this.port}`;
    const pid = this.options.pid;
    const st = pid !== undefined ? processState(pid) : undefined;
    if (pid !== undefined && st === 'T')
      return new LabNotAnswering(
        `${where} (pid ${pid}) does not answer: is it stopped? (state T; \`kill -CONT ${pid}\` resumes it, \`arslab down\` removes it)`,
      );
    return new LabNotAnswering(
      `${where}${pid !== undefined ? ` (pid ${pid}${st ? `, state ${st}` : ', gone'})` : ''} did not answer in ${ms / 1000} s`,
    );
  }

  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }> {
    const timeout = this.options.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          headers: this.headers(data),
          timeout,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(this.notAnswering(timeout)));
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  /** GET/POST with ARM error handling and long-running operation polling. */
  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let r = await this.request(method, path, body);
    for (let i = 0; r.status === 202 && i < 600; i++) {
      const loc = r.headers['location'];
      if (typeof loc !== 'string') break;
      const retry = Number(r.headers['retry-after'] ?? 0);
      if (retry > 0) await new Promise((res) => setTimeout(res, retry * 1000));
      r = await this.request('GET', loc.replace(/^https?:\/\/[^/]+/, ''));
    }
    if (r.status >= 400) throw AzureError.fromAnswer(r.status, r.body);
    return r.body;
  }

  /**
   * A streamed answer (application/x-ndjson): `onValue` gets each JSON line as it arrives;
   * resolves at the end of the stream, or when `signal` aborts (the request is dropped, so
   * the lab stops what it streams). Errors before the stream are thrown as by call().
   */
  stream(
    method: string,
    path: string,
    body: unknown,
    onValue: (v: unknown) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const data = JSON.stringify(body ?? {});
      const req = http.request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          headers: this.headers(data),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (status >= 400) return;
            const lines = text.split('\n');
            text = lines.pop() ?? '';
            for (const l of lines) if (l.trim()) onValue(JSON.parse(l));
          });
          res.on('end', () => {
            if (status >= 400) {
              let body: unknown;
              try {
                body = JSON.parse(text);
              } catch {
                body = undefined;
              }
              reject(AzureError.fromAnswer(status, body));
              return;
            }
            if (text.trim()) onValue(JSON.parse(text));
            resolve();
          });
          res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
        },
      );
      req.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      signal?.addEventListener(
        'abort',
        () => {
          req.destroy();
          resolve();
        },
        { once: true },
      );
      req.end(data);
    });
  }

  /** An ARM path of this lab's subscription from a template of api/paths (the API's own). */
  arm<T extends string>(
    template: T,
    params: Readonly<Record<Exclude<PathParams<T>, 'subscriptionId'>, string>>,
    query?: Readonly<Record<string, string | undefined>>,
  ): string {
    return armPath(template, { ...params, subscriptionId: this.subscription } as Record<PathParams<T>, string>, query);
  }
}
