import { setFlagsFromString } from 'node:v8';

// V8 compiles WebAssembly twice: at once with Liftoff, then, for a function
// that has run long enough, again with TurboFan on a background thread.
// undici's HTTP parser (llhttp) has one 33 KB function whose TurboFan compile
// takes 150-600 ms of a core, started by the first answers a run reads; a
// process that exits meanwhile waits for it (Node 22 and 24 exited 40-250 ms
// after the report was written) and on 2 cores it competes with the run. A
// run parses a few small answers: Liftoff's code does that well enough.

/** The "bytes executed" after which a function tiers up, for the parser: never, in a golive run. */
const NEVER = 1_000_000_000;

/**
 * V8's default, put back at once: V8 accepts cached code (Node's compile
 * cache, its built-in modules' code cache) only under the flags it was made
 * with, so a flag left changed would compile every module loaded afterwards
 * from scratch. 1.8 M before V8 12 (Node 20), 13 M since (Node 22, 24).
 */
const defaultBudget = (): number => (Number(process.versions.v8.split('.')[0]) < 12 ? 1_800_000 : 13_000_000);

/** A Node command line that sets the budget itself keeps its choice. */
const budgetOwnedByUser = (): boolean => process.execArgv.some((arg) => /^--wasm[-_]tiering[-_]budget\b/.test(arg));

/**
 * `WebAssembly.Module` whose functions stay Liftoff code: the tiering budget
 * is read when the module is compiled. The build puts it in place of the one
 * undici's HTTP/1.1 client compiles llhttp with (scripts/bundle-plugins.ts).
 */
export class BaselineWasmModule extends WebAssembly.Module {
  constructor(bytes: BufferSource) {
    const switched = !budgetOwnedByUser();
    if (switched) setFlagsFromString(`--wasm-tiering-budget=${NEVER}`);
    try {
      super(bytes);
    } finally {
      if (switched) setFlagsFromString(`--wasm-tiering-budget=${defaultBudget()}`);
    }
  }
}
