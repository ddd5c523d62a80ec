/**
 * In place of `node:assert` for yargs (bundling aliases `assert` here):
 * yargs checks its own invariants with two functions, and loading
 * node:assert costs ~3 ms at every start.
 */
function fail(message: unknown): never {
  throw message instanceof Error ? message : new Error(String(message ?? 'yargs: internal assertion failed'));
}

export function strictEqual(actual: unknown, expected: unknown, message?: unknown): void {
  if (!Object.is(actual, expected)) fail(message);
}

export function notStrictEqual(actual: unknown, expected: unknown, message?: unknown): void {
  if (Object.is(actual, expected)) fail(message);
}
