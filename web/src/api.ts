/**
 * The page's only way to the lab: same-origin calls to the lab's API, the very ones the CLI
 * makes (ARM paths with their long-running operations, /arslab/…). The credential is the
 * cookie that `arslab ui`'s one-time link set (ADR 0010), sent with every call (credentials
 * 'same-origin') and by EventSource; the page never sees the lab's token.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

async function fail(r: Response): Promise<never> {
  let code = 'Error';
  let message = `HTTP ${r.status}`;
  try {
    const j = (await r.json()) as { error?: { code?: string; message?: string } };
    code = j.error?.code ?? code;
    message = j.error?.message ?? message;
  } catch {
    // not JSON
  }
  throw new ApiError(r.status, code, message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One call; ARM long-running operations (202 + Location) are followed as az does. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let r = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  for (let i = 0; r.status === 202 && i < 600; i++) {
    const loc = r.headers.get('Location');
    if (!loc) break;
    const retry = Number(r.headers.get('Retry-After') ?? 0);
    if (retry > 0) await sleep(retry * 1000);
    r = await fetch(loc, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  }
  if (!r.ok) return fail(r);
  const text = await r.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body);

/**
 * A streamed POST (application/x-ndjson, as /arslab/probe answers): resolves when the
 * stream ends or `signal` aborts (the lab then stops what it streams).
 */
export async function stream(
  path: string,
  body: unknown,
  onValue: (v: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let r: Response;
  try {
    r = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal.aborted) return;
    throw e;
  }
  if (!r.ok) return fail(r);
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) onValue(JSON.parse(l));
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}

/** ARM path prefix of a resource group (the CLI's ApiClient.rg). */
export function rg(subscription: string, resourceGroup: string): string {
  return `/subscriptions/${encodeURIComponent(subscription)}/resourceGroups/${encodeURIComponent(resourceGroup)}/providers`;
}

export const enc = encodeURIComponent;
