/*
 * The timing of `golive watch`: its interval and end, parsed from the
 * command line, and the clock it waits on (injectable, so tests need no
 * real waits).
 */

/** The shortest interval: a watch is a go-live day monitor, not a load test of the platform. */
export const MIN_INTERVAL_MS = 5_000;
/** Test-only: lowers the minimum interval (milliseconds), so an end-to-end test watches several runs in seconds. */
export const MIN_INTERVAL_ENV = 'GOLIVE_TEST_WATCH_MIN_INTERVAL_MS';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `30s`, `5m`, `1h`, `500ms` or plain seconds, in milliseconds; undefined when it is none of them. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The minimum interval, lowered only by the test-only variable. */
export function minimumInterval(env: Readonly<Record<string, string | undefined>>): number {
  const lowered = Number(env[MIN_INTERVAL_ENV]);
  return Number.isInteger(lowered) && lowered > 0 && lowered < MIN_INTERVAL_MS ? lowered : MIN_INTERVAL_MS;
}

/**
 * `--until`: an ISO time (`2026-12-01T18:00`, `2026-12-01T18:00:00Z`) or
 * `HH:MM` today, local time; undefined when it is neither.
 */
export function parseUntil(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  const clock = /^(\d{1,2}):(\d{2})$/.exec(trimmed);
  if (clock) {
    const [hours, minutes] = [Number(clock[1]), Number(clock[2])];
    if (hours > 23 || minutes > 59) return undefined;
    const today = new Date(now);
    today.setHours(hours, minutes, 0, 0);
    return today.getTime();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface WatchClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: WatchClock = {
  now: Date.now,
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    }),
};

/** `06:01:32`, local time: what a person watching on go-live day reads. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
