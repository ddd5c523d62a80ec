/**
 * `npm run bench`: every benchmark in one run, each figure beside its goal,
 * then a summary table. Runs alternate and medians are taken; every child runs
 * with NODE_EXTRA_CA_CERTS unset. A MISS is a figure, not a failure: the
 * command exits 0 unless a benchmark could not run.
 *
 *   npm run bench                      (RUNS=40: about 3 minutes on a quiet 2-core machine)
 *   RUNS=8 GOLIVE_DIST=dist-x npx tsx bench/index.ts   (a quick look at another build)
 */
import path from 'node:path';
import { measureJwksMatch } from './jwks-match.js';
import { measureManyOffline, measureManyOnline } from './many.js';
import { measureOnline } from './online.js';
import { measureStartup } from './run.js';
import { cli, runCounts, summaryTable, type Goal } from './support.js';

export const JWKS_MATCH_GOAL_MS = 5;

const runs = runCounts();
const started = performance.now();
console.log(
  `golive bench: ${path.relative(process.cwd(), cli)}, ${process.version} ${process.platform}/${process.arch}; ` +
    `runs: ${runs.startup} start-up, ${runs.online} online, ${runs.many} many-config (RUNS=${process.env.RUNS ?? 40}); NODE_EXTRA_CA_CERTS unset\n`,
);
const goals: Goal[] = [...(await measureStartup(runs.startup)), ...(await measureOnline(runs.online)), ...(await measureManyOnline(runs.many)), ...(await measureManyOffline(runs.many))];
const jwks = await measureJwksMatch();
console.log(`6. one key against a ${jwks.keyCount}-key JWKS: median ${jwks.medianMs.toFixed(3)} ms, first ${jwks.firstMs.toFixed(3)} ms, p95 ${jwks.p95Ms.toFixed(3)} ms over ${jwks.rounds} rounds\n`);
goals.push({ figure: `6. key vs ${jwks.keyCount}-key JWKS, median`, measured: `${jwks.medianMs.toFixed(2)} ms`, goal: `< ${JWKS_MATCH_GOAL_MS} ms`, pass: jwks.medianMs < JWKS_MATCH_GOAL_MS });
console.log(summaryTable(goals.sort((a, b) => a.figure.localeCompare(b.figure, 'en', { numeric: true }))));
console.log(`(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
