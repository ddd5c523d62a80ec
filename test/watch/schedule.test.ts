import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { watchLoop, type WatchPlan } from '../../src/cli/commands/watch.js';
import type { Io } from '../../src/cli/io.js';
import { InputLedger } from '../../src/files/input.js';
import { MIN_INTERVAL_ENV, MIN_INTERVAL_MS, minimumInterval, parseInterval, parseUntil, type WatchClock } from '../../src/watch/schedule.js';

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['45', 45_000],
    ['0.5s', 500],
    ['250ms', 250],
  ])('%s is %d ms', (text, ms) => expect(parseInterval(text)).toBe(ms));

  it.each(['', 's', '5 minutes', '-5s', '0', '1d', '5m30s'])('refuses %j', (text) => expect(parseInterval(text)).toBeUndefined());
});

describe('minimumInterval', () => {
  it('is 5 s unless the test-only variable lowers it (never raises it)', () => {
    expect(minimumInterval({})).toBe(MIN_INTERVAL_MS);
    expect(minimumInterval({ [MIN_INTERVAL_ENV]: '100' })).toBe(100);
    expect(minimumInterval({ [MIN_INTERVAL_ENV]: '60000' })).toBe(MIN_INTERVAL_MS);
    expect(minimumInterval({ [MIN_INTERVAL_ENV]: 'soon' })).toBe(MIN_INTERVAL_MS);
  });
});

describe('parseUntil', () => {
  const now = new Date(2026, 11, 1, 9, 30).getTime();
  it('reads HH:MM as today, local time', () => expect(parseUntil('18:05', now)).toBe(new Date(2026, 11, 1, 18, 5).getTime()));
  it('reads an ISO time', () => expect(parseUntil('2026-12-01T18:00:00Z', now)).toBe(Date.UTC(2026, 11, 1, 18)));
  it.each(['24:00', '9:61', 'tomorrow', '2026-12-01', '18'])('refuses %j', (text) => expect(parseUntil(text, now)).toBeUndefined());
});

/** A clock that moves only when the watch sleeps, recording each sleep. */
function fakeClock(start: number): WatchClock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function captureIo(): Io & { text: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => (text += chunk));
  return { stdout, stderr: new PassThrough(), env: {}, cwd: process.cwd(), text: () => text };
}

function plan(overrides: Partial<WatchPlan>): WatchPlan {
  return {
    configs: ['missing-watch-config.yaml'],
    options: { offline: true, strict: false, debug: false, only: [], skip: [] },
    env: {},
    secrets: [],
    intervalMs: 60_000,
    exitOnFail: false,
    inputs: new InputLedger(),
    ...overrides,
  };
}

describe('watchLoop', () => {
  it('runs every interval until --until, then prints the summary and exits with the last status', async () => {
    const start = new Date(2026, 11, 1, 9, 0, 0).getTime();
    const clock = fakeClock(start);
    const io = captureIo();
    const code = await watchLoop(plan({ untilMs: start + 150_000 }), io, new AbortController().signal, clock);
    expect(code).toBe(1);
    // Runs at 0, 60 and 120 s; the next would start at 180 s, past --until: the watch sleeps until 150 s and ends.
    expect(clock.sleeps).toEqual([60_000, 60_000, 30_000]);
    expect(io.text()).toMatch(/^09:00:00 {2}run 1 {2}FAIL .* first run\n {2}config\.parse fail: /);
    expect(io.text()).toContain('09:01:00  run 2  FAIL');
    expect(io.text()).toMatch(/09:02:00 {2}run 3 {2}FAIL .* no change\n/);
    expect(io.text()).toMatch(/Watch ended: 3 runs, 3 failing runs, first at 09:00:00, last at 09:02:00; last run FAIL\.\n$/);
  });

  it('--exit-on-fail ends after the first failing run', async () => {
    const clock = fakeClock(Date.now());
    const io = captureIo();
    expect(await watchLoop(plan({ exitOnFail: true }), io, new AbortController().signal, clock)).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(io.text()).toMatch(/Watch ended: 1 run, 1 failing run, first at .*; last run FAIL\./);
  });

  it('stops when the signal aborts, with no run finished: exit 1', async () => {
    const stop = new AbortController();
    stop.abort();
    const io = captureIo();
    expect(await watchLoop(plan({}), io, stop.signal, fakeClock(Date.now()))).toBe(1);
    expect(io.text()).toBe('\nWatch ended: 0 runs, no failing run; no run finished.\n');
  });
});
