/**
 * The one way tests wait for something that happens asynchronously (a session coming up, a
 * route arriving, a process exiting): poll a check until it answers, within a bound, and on
 * timeout fail naming what was awaited, the check's last error and what the test saw.
 */

export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  readonly timeoutMs?: number;
  /**
   * The pause between two checks (default 50 ms). Tests that measure how long something
   * took poll more often (10 ms), so that the measurement is not the poll's granularity;
   * checks that run the `arslab` command (a process each time) less often (150 ms), so that
   * polling does not starve the lab it watches of CPU.
   */
  readonly intervalMs?: number;
  /** Appended to the timeout error: what the test saw meanwhile (a log tail, the last rows). */
  readonly detail?: () => string;
}

/**
 * Polls `check` until it returns something truthy, and returns that. A check that throws is
 * retried like one that answers false; its last error is reported on timeout.
 * `options` is the timeout in ms, or WaitOptions.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: number | WaitOptions = {},
): Promise<T> {
  const o: WaitOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  const timeoutMs = o.timeoutMs ?? 20_000;
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const error = last ? ` (last error: ${(last as Error).message})` : '';
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${error}${o.detail ? `\n${o.detail()}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 50));
  }
}
