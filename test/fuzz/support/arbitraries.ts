import fc from 'fast-check';

/** Names that a plain object finds on its prototype: a lookup by a user's string must not. */
export const PROTO_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
  'prototype',
] as const;

export const protoName = fc.constantFrom(...PROTO_NAMES);

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Odd text: controls, BOM, zero-width and bidi marks, lone surrogates, astral characters, combining marks. */
export const ODD_CHARACTERS = ['\u0000', '\u0007', '\u001b[31m', '\r', '\r\n', '\t', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u200b', '\u202e', '\ud800', '\udfff', '😀', '👩‍👩‍👧', 'é', 'é', 'ﬁ', 'İ', '\uffff', '\u0085'];

export const unicodeText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: codeUnit, maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...ODD_CHARACTERS), maxLength: 12 }),
);

/** Short arbitrary text of every kind. */
export const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: unicodeText },
  { weight: 1, arbitrary: protoName },
);

/**
 * A long string: a token repeated to a length. Tokens include the openers of
 * the patterns golive scans (`${`, `{{`, brackets, blanks before `#`), where a
 * backtracking regular expression or a nested loop turns quadratic.
 */
export function repeated(tokens: readonly string[], lengths: readonly number[]): fc.Arbitrary<string> {
  return fc
    .record({ token: fc.constantFrom(...tokens), length: fc.integer({ min: 1, max: Math.max(...lengths) }), size: fc.constantFrom(...lengths) })
    .map(({ token, length, size }) => token.repeat(Math.ceil(Math.min(length, size) / token.length)));
}

/** Inserts, deletes or duplicates spans of a text (the mutations of test/properties.test.ts). */
export interface Edit {
  kind: 'delete' | 'duplicate' | 'insert';
  at: number;
  length: number;
  text: string;
}

export function edits(noise: fc.Arbitrary<string>, maxLength = 6): fc.Arbitrary<Edit[]> {
  return fc.array(
    fc.record({
      kind: fc.constantFrom('delete' as const, 'duplicate' as const, 'insert' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 16 }),
      text: fc.oneof(noise, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })),
    }),
    { maxLength },
  );
}

export function mutate(text: string, changes: readonly Edit[]): string {
  let out = text;
  for (const { kind, at, length, text: inserted } of changes) {
    const position = out.length === 0 ? 0 : at % out.length;
    if (kind === 'delete') out = out.slice(0, position) + out.slice(position + length);
    else if (kind === 'duplicate') out = out.slice(0, position + length) + out.slice(position, position + length) + out.slice(position + length);
    else out = out.slice(0, position) + inserted + out.slice(position);
  }
  return out;
}

/** A variable name as a config or env file may spell it. */
export const variableName = fc.oneof(
  fc.constantFrom('THREDD_CLIENT_SECRET', 'MY_API_TOKEN', 'DB_PASSWORD', 'SIGNING_KEY_PASSPHRASE', 'THREDD_ORG_ID', 'THREDD_CLIENT_ID', 'UNSET_VAR', 'A', '_', 'a1'),
  protoName,
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/),
);

/** Text holding `${VAR}` references, well-formed or not. */
export const interpolatedText = fc
  .array(
    fc.oneof(
      variableName.map((name) => `\${${name}}`),
      fc.tuple(variableName, fc.oneof(fc.string({ maxLength: 8 }), fc.constant(''), fc.constant('${A}'))).map(([name, fallback]) => `\${${name}:-${fallback}}`),
      fc.constantFrom('${', '}', '$', '${}', '${1A}', '${A-B}', '${ A }', '$${A}', '${A:-', '${A:-${B}}', '${A:}', '${A:=x}', '\\${A}', '${__proto__}', '${constructor}'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));
