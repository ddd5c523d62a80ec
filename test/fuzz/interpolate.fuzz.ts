import fc from 'fast-check';
import { interpolate } from '../../src/config/interpolate.js';
import { anyText, interpolatedText, PROTO_NAMES, protoName, repeated, variableName } from './support/arbitraries.js';
import { CANARY } from './support/canaries.js';
import { fuzzTarget, sizeBound, textSize, type Problem } from './support/harness.js';

/**
 * `${VAR}` interpolation over a parsed config (any JSON-like document) with
 * any environment.
 *
 * Properties: never throws, never turns quadratic; the result has the
 * document's shape and every string stays a string; a variable resolves
 * only from the environment's own properties (`${constructor}` is missing,
 * not a function's source); a string holding one plain `${NAME}` becomes its
 * value; every value taken from a secret-named variable is in
 * `secretValues` (else it could not be redacted); `missing` names only
 * variables that are unset; no prototype is touched.
 */

const SECRET_NAME = /SECRET|PASSWORD|PASSPHRASE|TOKEN|KEY/i;

const leaf = fc.oneof(
  { weight: 6, arbitrary: interpolatedText },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  {
    weight: 1,
    arbitrary: repeated(['${A:-', '${', '${A', '${A:-x}', '$', '}', '${__proto__}', 'x'], [1_000, 40_000]),
  },
);

/** Objects built with defineProperty, so `__proto__` is a key as a YAML or JSON parser makes it. */
function objectOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const key = fc.oneof(fc.string({ maxLength: 8 }), protoName, fc.constantFrom('client', 'secret', 'id', 'scopes'));

const { document } = fc.letrec<{ document: unknown }>((tie) => ({
  document: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('document'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('document')), { maxLength: 4 }).map(objectOf),
  ),
}));

interface Case {
  document: unknown;
  env: Record<string, string | undefined>;
}

const environment = fc
  .record({
    entries: fc.array(
      fc.tuple(
        variableName,
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '${A}', '$', ...Object.values(CANARY)), fc.constant(undefined)),
      ),
      { maxLength: 8 },
    ),
    bare: fc.boolean(),
  })
  .map(({ entries, bare }) => {
    // Both kinds callers pass: a plain object (process.env-like) and one without a prototype.
    const env: Record<string, string | undefined> = bare ? Object.create(null) : {};
    for (const [name, value] of entries) Object.defineProperty(env, name, { value, enumerable: true, writable: true, configurable: true });
    return env;
  });

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).join(',');

function own(env: Record<string, string | undefined>, name: string): string | undefined {
  return Object.hasOwn(env, name) ? env[name] : undefined;
}

/** Compares the result with the input's shape; collects every problem with where it is. */
function compare(input: unknown, output: unknown, env: Record<string, string | undefined>, at: string, problems: Problem[]): void {
  if (typeof input === 'string') {
    if (typeof output !== 'string') {
      problems.push({ signature: `a string became ${typeof output}`, detail: `${at}: ${JSON.stringify(input).slice(0, 80)}` });
      return;
    }
    if (/\[native code\]|^function |\[object /.test(output) && !/\[native code\]|function |\[object /.test(input + Object.values(env).join(''))) {
      problems.push({ signature: 'a reference resolved to a prototype member (function source or [object …] in the value)', detail: `${at}: ${JSON.stringify(input).slice(0, 80)} -> ${JSON.stringify(output).slice(0, 120)}` });
    }
    const single = /^([^$]*)\$\{([A-Za-z_][A-Za-z0-9_]*)\}([^$]*)$/.exec(input);
    if (single) {
      const value = own(env, single[2]!);
      const wanted = `${single[1]}${value ?? ''}${single[3]}`;
      if (output !== wanted) problems.push({ signature: `\${NAME} did not become the variable's value${(PROTO_NAMES as readonly string[]).includes(single[2]!) ? ' (a prototype name)' : ''}`, detail: `${at}: ${JSON.stringify(input).slice(0, 80)} -> ${JSON.stringify(output).slice(0, 80)}, expected ${JSON.stringify(wanted).slice(0, 80)}` });
    }
    return;
  }
  if (Array.isArray(input)) {
    if (!Array.isArray(output) || output.length !== input.length) {
      problems.push({ signature: 'an array changed shape', detail: at });
      return;
    }
    input.forEach((item, index) => compare(item, output[index], env, `${at}[${index}]`, problems));
    return;
  }
  if (input !== null && typeof input === 'object') {
    if (output === null || typeof output !== 'object' || Array.isArray(output)) {
      problems.push({ signature: 'an object changed shape', detail: at });
      return;
    }
    const inputKeys = Object.keys(input);
    const outputKeys = Object.keys(output);
    if (inputKeys.join('\u0000') !== outputKeys.join('\u0000')) {
      problems.push({ signature: `an object's keys changed${inputKeys.some((name) => name === '__proto__') ? ' (a __proto__ key)' : ''}`, detail: `${at}: ${JSON.stringify(inputKeys).slice(0, 80)} -> ${JSON.stringify(outputKeys).slice(0, 80)}` });
      return;
    }
    for (const name of inputKeys) compare((input as Record<string, unknown>)[name], (output as Record<string, unknown>)[name], env, `${at}.${name}`, problems);
    return;
  }
  if (!Object.is(input, output)) problems.push({ signature: 'a non-string value changed', detail: at });
}

/** Every `${NAME…}` reference in the document's strings. */
function references(value: unknown, out: string[] = []): string[] {
  // Only up to the last `}`: past it no reference can close, and the pattern would rescan to the end from every `${`.
  if (typeof value === 'string') for (const match of value.slice(0, value.lastIndexOf('}') + 1).matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) out.push(match[1]!);
  else if (Array.isArray(value)) value.forEach((item) => references(item, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((item) => references(item, out));
  return out;
}

fuzzTarget<Case>({
  name: 'interpolate',
  subject: 'interpolate() in src/config/interpolate.ts',
  runs: 2000,
  slowMs: sizeBound(250, 2, (input: Case) => textSize(input.document)),
  arbitrary: fc.record({ document, env: environment }),
  run({ document: input, env }) {
    const result = interpolate(input, env);
    const problems: Problem[] = [];
    compare(input, result.data, env, '$', problems);
    for (const { name } of result.missing) {
      const value = own(env, name);
      if (value !== undefined && value !== '') problems.push({ signature: 'a set variable is reported missing', detail: name });
    }
    for (const value of result.secretValues) {
      if (typeof value !== 'string') problems.push({ signature: 'secretValues holds a non-string', detail: typeof value });
    }
    for (const name of new Set(references(input))) {
      const value = own(env, name);
      if (SECRET_NAME.test(name) && typeof value === 'string' && value !== '' && !result.secretValues.includes(value)) {
        problems.push({ signature: 'a value from a secret-named variable is not in secretValues', detail: name });
      }
      if (!result.used.includes(name)) problems.push({ signature: 'a referenced variable is not in used', detail: name });
    }
    if (Object.getOwnPropertyNames(Object.prototype).join(',') !== PROTOTYPE_KEYS) problems.push({ signature: 'Object.prototype changed' });
    return problems;
  },
});
