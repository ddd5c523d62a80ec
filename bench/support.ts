/**
 * What every benchmark shares: the build under test, the environment its
 * children run in, medians, timed child runs and the goals' summary table.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(import.meta.dirname, '..');

/** The CLI under test: dist/cli.js, or GOLIVE_DIST's (a folder relative to the repository, as the tests take it). */
export const cli = path.resolve(root, process.env.GOLIVE_DIST ?? 'dist', 'cli.js');

/**
 * Runs per benchmark, all scaled from RUNS (default 40, the start-up runs) so
 * one variable shortens or lengthens the whole `npm run bench`.
 */
export function runCounts(runs = Number(process.env.RUNS ?? 40)): { startup: number; online: number; many: number } {
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a positive integer, not ${process.env.RUNS}`);
  return { startup: runs, online: Math.max(3, Math.round(runs / 4)), many: Math.max(3, Math.round(runs / 10)) };
}

/**
 * The environment every measured child gets. NODE_EXTRA_CA_CERTS (set on this
 * machine) makes Node 20 parse a CA bundle at every start, ~50-70 ms that would
 * hide golive's own cost; every subject runs without it.
 */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unset, ...env } = process.env;
  return { ...env, CI: 'true', ...extra };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Whether this module is the script node was started with (`npx tsx bench/x.ts`), not imported by bench/index.ts. */
export function isMain(moduleUrl: string): boolean {
  return moduleUrl === pathToFileURL(process.argv[1] ?? '').href;
}

export interface ChildRun {
  ms: number;
  /** 0, or 1: golive's "a check failed", Newman's "a request or assertion failed". */
  code: 0 | 1;
  /** Peak resident set size of the child, in KiB, when asked for. */
  maxRssKiB?: number;
  stdout: string;
}

/** GNU time's `-f`, which reports the child's own peak RSS; BSD and busybox time lack it. */
const gnuTime = ((): string | undefined => {
  const candidate = '/usr/bin/time';
  const probe = spawnSync(candidate, ['-f', '%M', 'true'], { encoding: 'utf8' });
  return probe.status === 0 && /^\d+\s*$/.test(probe.stderr) ? candidate : undefined;
})();

/**
 * Without GNU time, the child reports its own peak: a preloaded module writes
 * process.resourceUsage().maxRSS to a file when the process exits.
 */
export const rssReporter = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => writeFileSync(process.env.GOLIVE_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));",
)}`;

export const rssMethod = gnuTime ? `${gnuTime} -f %M` : 'process.resourceUsage() in a preloaded module';

/**
 * Runs `node args` asynchronously (the sandbox serves from this process, so
 * the event loop must stay free) and times it. Exit codes 0 and 1 (a check
 * failed) are runs; anything else is a broken bench and throws.
 */
export async function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; maxRss?: boolean } = {}): Promise<ChildRun> {
  const env = { ...(options.env ?? benchEnv()) };
  let command = process.execPath;
  let argv = args;
  let rssDir: string | undefined;
  let rssFile: string | undefined;
  if (options.maxRss) {
    rssDir = mkdtempSync(path.join(tmpdir(), 'golive-bench-rss-'));
    rssFile = path.join(rssDir, 'rss');
    if (gnuTime) {
      command = gnuTime;
      argv = ['-f', '%M', '-o', rssFile, process.execPath, ...args];
    } else {
      argv = ['--import', rssReporter, ...args];
      env.GOLIVE_BENCH_RSS_FILE = rssFile;
    }
  }
  try {
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(command, argv, { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    const ms = performance.now() - started;
    if (code !== 0 && code !== 1) throw new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(0, 2000)}`);
    if (!rssFile) return { ms, code, stdout };
    // GNU time writes "Command exited with non-zero status 1" before the figure.
    const figure = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)!;
    return { ms, code, stdout, maxRssKiB: Number(figure) };
  } finally {
    if (rssDir) rmSync(rssDir, { recursive: true, force: true });
  }
}

/** One line of the summary: a figure, its goal and whether today's build meets it. */
export interface Goal {
  figure: string;
  measured: string;
  goal: string;
  pass: boolean;
}

/** The summary table printed at the end of `npm run bench`. */
export function summaryTable(goals: Goal[]): string {
  const rows = [['figure', 'measured', 'goal', ''], ...goals.map((goal) => [goal.figure, goal.measured, goal.goal, goal.pass ? 'PASS' : 'MISS'])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const passed = goals.filter((goal) => goal.pass).length;
  return [line(rows[0]!), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line), `${passed} of ${goals.length} goals met`].join('\n');
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;
export const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
