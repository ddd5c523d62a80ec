/**
 * Many configs in one golive run, as a CI gate runs them (`golive check a.yaml b.yaml ...`):
 *
 * - 20 online configs against the sandbox (its 7 configs in turn: every auth
 *   method, TLS and mTLS): wall time; and, on alternate runs through counting
 *   TCP relays in front of each sandbox server (bench/relay.ts), the most
 *   connections golive holds open at once to each server and in all.
 * - 200 offline configs (private_key_jwt + mTLS, each with its own copies of
 *   its credential files, 4 distinct credential sets): wall time, cost per
 *   config at 1, 50, 100 and 200 configs, and the child's peak RSS.
 *
 *   npx tsx bench/many.ts          (RUNS=40 gives 4 runs each; GOLIVE_DIST=dist-x for another build)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { startSandbox, type Sandbox, type SandboxEndpoints } from '../src/sandbox/index.js';
import { OFFLINE_ENV, writeCredentials, writeOfflineConfig } from './fixtures.js';
import { ConnectionCounter, startRelay, type Relay } from './relay.js';
import { benchEnv, cli, isMain, median, mib, ms, rssMethod, runCounts, runNode, type Goal } from './support.js';

export const ONLINE_CONFIGS = 20;
export const ONLINE_GOAL_MS = 1000;
export const MAX_PER_SERVER = 4;
export const MAX_TOTAL = 8;
export const OFFLINE_SIZES = [1, 50, 100, 200] as const;
export const OFFLINE_GOAL_MS = 2000;
export const OFFLINE_RSS_GOAL_KIB = 80 * 1024;
/** Flat: a config costs at most this much more between 100 and 200 configs than between 1 and 50. */
export const FLATNESS_GOAL = 1.25;
const CREDENTIAL_SETS = 4;

/** The sandbox's five servers, by the endpoint that names each. */
const SERVERS: Record<keyof SandboxEndpoints, string> = { token: 'token', tokenMtls: 'token (mTLS)', jwks: 'JWKS', api: 'API', apiMtls: 'API (mTLS)' };

/** Writes `count` copies of the sandbox's configs in turn into its folder (so their relative paths resolve), endpoints rewritten by `origin`. */
function writeOnlineConfigs(sandbox: Sandbox, count: number, label: string, origin: (url: string) => string): string[] {
  const names = Object.keys(sandbox.configs);
  return Array.from({ length: count }, (_, index) => {
    const name = names[index % names.length]!;
    const document = parse(readFileSync(sandbox.configs[name]!, 'utf8')) as { endpoints: Record<string, string> };
    for (const [key, url] of Object.entries(document.endpoints)) document.endpoints[key] = origin(url);
    const file = path.join(sandbox.dir, `bench-${label}-${String(index + 1).padStart(2, '0')}-${name}.yaml`);
    writeFileSync(file, stringify(document, { lineWidth: 0 }));
    return file;
  });
}

/** Once golive has exited, the relays see its last connections close; wait for that before reading the peaks. */
async function settled(counter: ConnectionCounter): Promise<void> {
  for (let waited = 0; counter.openTotal > 0; waited += 10) {
    if (waited > 5000) throw new Error(`${counter.openTotal} connections still open 5 s after golive exited`);
    await sleep(10);
  }
}

export async function measureManyOnline(runs: number): Promise<Goal[]> {
  const sandbox = await startSandbox({ quiet: true });
  const relays: Relay[] = [];
  try {
    const counter = new ConnectionCounter();
    const relayed = new Map<string, string>();
    for (const [key, name] of Object.entries(SERVERS) as Array<[keyof SandboxEndpoints, string]>) {
      const upstream = new URL(sandbox.endpoints[key]);
      const relay = await startRelay(Number(upstream.port), name, counter);
      relays.push(relay);
      relayed.set(upstream.host, `127.0.0.1:${relay.port}`);
    }
    const direct = writeOnlineConfigs(sandbox, ONLINE_CONFIGS, 'direct', (url) => url);
    const counted = writeOnlineConfigs(sandbox, ONLINE_CONFIGS, 'relayed', (url) => {
      const parsed = new URL(url.replace('{organisationId}', 'ORGANISATION'));
      return url.replace(parsed.host, relayed.get(parsed.host)!);
    });
    const env = benchEnv();
    const check = (configs: string[]) => ['--', cli, 'check', '--env-file', sandbox.envFile, ...configs];
    const wall: number[] = [];
    const wallRelayed: number[] = [];
    const peakPerServer: Record<string, number> = {};
    let peakTotal = 0;
    let accepted = 0;
    await runNode(check(direct), { env }); // warms the file cache and the sandbox's JIT
    for (let round = 0; round < runs; round++) {
      const plain = await runNode(check(direct), { env });
      counter.reset();
      const through = await runNode(check(counted), { env });
      await settled(counter);
      for (const [run, label] of [[plain, 'direct'], [through, 'through the relays']] as const) {
        if (run.code !== 0) throw new Error(`golive on ${ONLINE_CONFIGS} sandbox configs ${label} did not pass:\n${run.stdout}`);
      }
      wall.push(plain.ms);
      wallRelayed.push(through.ms);
      for (const [server, peak] of Object.entries(counter.peakPerServer())) peakPerServer[server] = Math.max(peakPerServer[server] ?? 0, peak);
      peakTotal = Math.max(peakTotal, counter.peakTotal);
      accepted = Math.max(accepted, counter.accepted);
    }
    const wallMs = median(wall);
    const perServer = Math.max(...Object.values(peakPerServer));
    console.log(`3. ${ONLINE_CONFIGS} online configs in one golive run (the sandbox's ${Object.keys(sandbox.configs).length} configs in turn): ${runs} runs, medians`);
    console.log(`  wall                       ${ms(wallMs).padStart(8)}   (goal: at most ${ms(ONLINE_GOAL_MS)})`);
    console.log(`  wall through the relays    ${ms(median(wallRelayed)).padStart(8)}   (the runs the connections are counted on)`);
    console.log(`5. connections open at once during that run, counted at TCP relays in front of each sandbox server, most over ${runs} runs`);
    for (const name of Object.values(SERVERS)) console.log(`  ${name.padEnd(26)} ${String(peakPerServer[name] ?? 0).padStart(8)}`);
    console.log(`  all servers                ${String(peakTotal).padStart(8)}   (${accepted} connections opened in a run, at most)`);
    console.log(`  goal: at most ${MAX_PER_SERVER} per server, ${MAX_TOTAL} in all\n`);
    return [
      { figure: `3. ${ONLINE_CONFIGS} online configs, one run`, measured: ms(wallMs), goal: `<= ${ms(ONLINE_GOAL_MS)}`, pass: wallMs <= ONLINE_GOAL_MS },
      { figure: '5. peak connections per server', measured: String(perServer), goal: `<= ${MAX_PER_SERVER}`, pass: perServer <= MAX_PER_SERVER },
      { figure: '5. peak connections in all', measured: String(peakTotal), goal: `<= ${MAX_TOTAL}`, pass: peakTotal <= MAX_TOTAL },
    ];
  } finally {
    await Promise.all(relays.map((relay) => relay.close()));
    await sandbox.close();
  }
}

export interface SizeFigures {
  configs: number;
  wallMs: number;
  /** The cost of each config added since the previous size; undefined for the first. */
  marginalMs?: number;
  maxRssKiB: number;
}

/** Per-size medians, and each size's cost per added config. */
export function sizeFigures(samples: Map<number, { ms: number[]; rss: number[] }>): SizeFigures[] {
  const sizes = [...samples.keys()].sort((a, b) => a - b);
  return sizes.map((configs, index) => {
    const wallMs = median(samples.get(configs)!.ms);
    const previous = sizes[index - 1];
    return {
      configs,
      wallMs,
      ...(previous !== undefined && { marginalMs: (wallMs - median(samples.get(previous)!.ms)) / (configs - previous) }),
      maxRssKiB: Math.max(...samples.get(configs)!.rss),
    };
  });
}

export async function measureManyOffline(runs: number): Promise<Goal[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-bench-many-'));
  try {
    const sets = Array.from({ length: CREDENTIAL_SETS }, (_, index) => path.join(dir, `set-${index}`));
    await Promise.all(sets.map((set) => writeCredentials(set)));
    const largest = OFFLINE_SIZES.at(-1)!;
    const configs = Array.from({ length: largest }, (_, index) => {
      const name = `cfg-${String(index + 1).padStart(3, '0')}`;
      return writeOfflineConfig(path.join(dir, name), `${name}.yaml`, sets[index % sets.length]);
    });
    const env = benchEnv(OFFLINE_ENV);
    const samples = new Map<number, { ms: number[]; rss: number[] }>(OFFLINE_SIZES.map((size) => [size, { ms: [], rss: [] }]));
    const check = (size: number) => ['--', cli, 'check', '--offline', ...configs.slice(0, size)];
    await runNode(check(largest), { env }); // warms the file cache
    for (let round = 0; round < runs; round++) {
      for (const size of OFFLINE_SIZES) {
        const run = await runNode(check(size), { env, maxRss: true });
        if (run.code !== 0) throw new Error(`golive check --offline on ${size} configs did not pass:\n${run.stdout.slice(-3000)}`);
        samples.get(size)!.ms.push(run.ms);
        samples.get(size)!.rss.push(run.maxRssKiB!);
      }
    }
    const figures = sizeFigures(samples);
    console.log(`4. offline configs in one golive run (private_key_jwt + mTLS, ${CREDENTIAL_SETS} credential sets copied per config): ${runs} runs, medians; peak RSS by ${rssMethod}, most over the runs`);
    console.log('  configs       wall   per config   per added config   peak RSS');
    for (const figure of figures) {
      const marginal = figure.marginalMs === undefined ? '' : `${figure.marginalMs.toFixed(1)} ms`;
      console.log(
        `  ${String(figure.configs).padStart(7)} ${ms(figure.wallMs).padStart(10)} ${`${(figure.wallMs / figure.configs).toFixed(1)} ms`.padStart(12)} ${marginal.padStart(18)} ${mib(figure.maxRssKiB).padStart(10)}`,
      );
    }
    const total = figures.at(-1)!;
    const first = figures[1]!.marginalMs!;
    const last = total.marginalMs!;
    const flatness = last / first;
    console.log(
      `  goal: ${largest} configs in at most ${ms(OFFLINE_GOAL_MS)}; per added config flat (${OFFLINE_SIZES.at(-2)}-${largest} at most ${FLATNESS_GOAL}x ${OFFLINE_SIZES[0]}-${OFFLINE_SIZES[1]}: ${flatness.toFixed(2)}x); peak RSS under ${mib(OFFLINE_RSS_GOAL_KIB)}\n`,
    );
    return [
      { figure: `4. ${largest} offline configs, one run`, measured: ms(total.wallMs), goal: `<= ${ms(OFFLINE_GOAL_MS)}`, pass: total.wallMs <= OFFLINE_GOAL_MS },
      {
        figure: '4. cost per added config, flat',
        measured: `${last.toFixed(1)} / ${first.toFixed(1)} ms = ${flatness.toFixed(2)}x`,
        goal: `<= ${FLATNESS_GOAL}x`,
        pass: flatness <= FLATNESS_GOAL,
      },
      { figure: `4. peak RSS, ${largest} configs`, measured: mib(total.maxRssKiB), goal: `< ${mib(OFFLINE_RSS_GOAL_KIB)}`, pass: total.maxRssKiB < OFFLINE_RSS_GOAL_KIB },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  const { many } = runCounts();
  await measureManyOnline(many);
  await measureManyOffline(many);
}
