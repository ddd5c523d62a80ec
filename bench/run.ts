/**
 * Start-up benchmark: `golive check --offline` on a full private_key_jwt +
 * mTLS config, against `node -e 0` (the floor any Node CLI pays) and against
 * what a person would otherwise run by hand: openssl commands to check each
 * certificate's validity and that each key matches its certificate.
 * Runs are alternated so machine noise hits every command alike; medians.
 *
 *   npx tsx bench/run.ts     (RUNS=40 by default; GOLIVE_DIST=dist-x for another build)
 *   BASELINE_CLI=/path/to/other/dist/cli.js npx tsx bench/run.ts
 *                            adds another build (e.g. main before a change) side by side
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OFFLINE_ENV, writeCredentials, writeOfflineConfig } from './fixtures.js';
import { benchEnv, cli, isMain, median, runCounts, type Goal } from './support.js';

export const STARTUP_GOAL = 2.0;

function time(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return elapsed;
}

export async function measureStartup(runs: number): Promise<Goal[]> {
  const baseline = process.env.BASELINE_CLI;
  const dir = mkdtempSync(path.join(tmpdir(), 'golive-bench-'));
  try {
    await writeCredentials(dir);
    const config = writeOfflineConfig(dir, 'prod.yaml');
    const env = benchEnv(OFFLINE_ENV);
    // The same facts checked by hand: validity and key/cert match, both credentials.
    const openssl = [
      'set -e',
      ...['signing', 'transport'].flatMap((role) => [
        `openssl x509 -in ${dir}/${role}.pem -noout -checkend 0 >/dev/null`,
        `a=$(openssl x509 -in ${dir}/${role}.pem -noout -pubkey | openssl sha256)`,
        `b=$(openssl pkey -in ${dir}/${role}.key -pubout | openssl sha256)`,
        '[ "$a" = "$b" ]',
      ]),
    ].join('\n');
    const subjects = {
      'node -e 0': () => time(process.execPath, ['-e', '0'], env),
      'golive check --offline': () => time(process.execPath, ['--', cli, 'check', '--offline', config], env),
      'openssl by hand (8 commands)': () => time('sh', ['-c', openssl], env),
      ...(baseline && { 'baseline build --offline': () => time(process.execPath, ['--', baseline, 'check', '--offline', config], env) }),
    };
    const check = execFileSync(process.execPath, [cli, 'check', '--offline', '--format', 'json', config], { env }).toString();
    const report = JSON.parse(check) as { status: string };
    if (report.status !== 'pass') throw new Error(`the bench config does not pass: ${check}`);

    const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, [] as number[]]));
    for (let run = 0; run < runs + 3; run++) {
      for (const [name, measure] of Object.entries(subjects)) {
        const elapsed = measure();
        if (run >= 3) samples[name]!.push(elapsed); // the first runs warm the file cache
      }
    }
    const floor = median(samples['node -e 0']!);
    const golive = median(samples['golive check --offline']!);
    console.log(`1. start-up, offline: ${runs} alternated runs each, medians (${process.version}, ${process.platform}, ${path.relative(process.cwd(), cli)})`);
    for (const [name, values] of Object.entries(samples)) {
      const value = median(values);
      console.log(`  ${name.padEnd(30)} ${value.toFixed(1).padStart(7)} ms   ${(value / floor).toFixed(2)}x node -e 0`);
    }
    console.log(`  golive / openssl by hand: ${(golive / median(samples['openssl by hand (8 commands)']!)).toFixed(2)}x`);
    if (baseline) console.log(`  golive / baseline build (${baseline}): ${(golive / median(samples['baseline build --offline']!)).toFixed(2)}x`);
    const ratio = golive / floor;
    console.log(`  goal: golive check --offline at most ${STARTUP_GOAL.toFixed(1)}x node -e 0 -> ${ratio.toFixed(2)}x\n`);
    return [
      {
        figure: '1. check --offline / node -e 0',
        measured: `${ratio.toFixed(2)}x (${golive.toFixed(0)} / ${floor.toFixed(0)} ms)`,
        goal: `<= ${STARTUP_GOAL.toFixed(1)}x`,
        pass: ratio <= STARTUP_GOAL,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await measureStartup(runCounts().startup);
