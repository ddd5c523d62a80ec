import fc from 'fast-check';
import { stringify } from 'yaml';
import { anyText, edits, interpolatedText, mutate, protoName, repeated, unicodeText } from './arbitraries.js';

/**
 * golive configs, valid and otherwise. The valid ones name the fixture
 * credentials (certs/… in the case folder, see fixtures.ts) and take every
 * secret from a variable, so a canary can only reach the output through
 * golive forgetting to redact it.
 */

export const VALID_CONFIG = {
  profile: 'thredd',
  environment: 'uat',
  connectivity: 'tls',
  region: 0,
  organisationId: '${THREDD_ORG_ID}',
  client: { id: '${THREDD_CLIENT_ID}', authMethod: 'private_key_jwt', scopes: ['payments', '${MY_API_TOKEN}'] },
  signing: { certificate: 'certs/signing.pem', privateKey: 'certs/signing.key', passphrase: '${SIGNING_KEY_PASSPHRASE}', algorithm: 'PS256' },
  probe: { path: '/core/api/v1/products?token=${MY_API_TOKEN}' },
  http: { timeoutMs: 10000 },
  expiryWarningDays: 30,
};

export const SECRET_CONFIG = {
  environment: 'uat',
  connectivity: 'tls',
  region: 1,
  organisationId: '${THREDD_ORG_ID}-${DB_PASSWORD}',
  client: { id: '${THREDD_CLIENT_ID}', authMethod: 'client_secret_basic', secret: '${THREDD_CLIENT_SECRET}' },
  endpoints: { token: 'https://user:${DB_PASSWORD}@threddid.com/oauth2/token' },
  probe: { path: '/core/api/v1/${MY_API_TOKEN}' },
};

const FIELD_PATHS: readonly (readonly string[])[] = [
  ['profile'],
  ['environment'],
  ['connectivity'],
  ['region'],
  ['organisationId'],
  ['client'],
  ['client', 'id'],
  ['client', 'authMethod'],
  ['client', 'secret'],
  ['client', 'scopes'],
  ['signing'],
  ['signing', 'certificate'],
  ['signing', 'privateKey'],
  ['signing', 'passphrase'],
  ['signing', 'kid'],
  ['signing', 'algorithm'],
  ['signing', 'audience'],
  ['transport'],
  ['transport', 'certificate'],
  ['transport', 'privateKey'],
  ['endpoints'],
  ['endpoints', 'token'],
  ['endpoints', 'jwks'],
  ['endpoints', 'api'],
  ['probe', 'method'],
  ['probe', 'path'],
  ['probe', 'expectStatus'],
  ['http', 'timeoutMs'],
  ['http', 'ca'],
  ['expiryWarningDays'],
  ['__proto__'],
  ['constructor'],
  ['client', '__proto__'],
  ['client', 'constructor'],
  ['signing', 'toString'],
  ['clinet'],
  ['client', 'authMetod'],
];

export interface Sizes {
  /**
   * Long values may repeat the openers that backtracking patterns choke on
   * (`${A:-`, `{{`, blanks before `#`). Off for megabyte configs, where a
   * quadratic pattern takes minutes and the watchdog would end the target.
   */
  quadratic?: boolean;
}

/** A value a field may be set to: anything JSON, a reference, a file name, a word of the schema. */
export function fieldValue(hugeLength: number, sizes: Sizes = {}): fc.Arbitrary<unknown> {
  const tokens = ['a', 'x1', 'é', '😀', ' ', '\\', '"', ...(sizes.quadratic ? ['${A:-', '${', '{{', ' \t'] : [])];
  return fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 4, arbitrary: interpolatedText },
    { weight: 2, arbitrary: anyText },
    { weight: 2, arbitrary: protoName },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'certs/signing.pem', 'certs/signing.key', 'certs/transport.pem', 'certs/transport.key', 'certs', 'dir', 'fifo', 'nul', 'link.yaml', 'loop', 'dangling',
        '', '/', '.', '..', 'mtls', 'custom', 'production', 'client_secret_post', 'ES256', 'none', 'http://x', 'https://uat-api.thredd.com',
        'https://127.0.0.1:1/token', 'http://jwks.threddid.com/{organisationId}/jwks.json', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', 1e400, -0, 2 ** 53 + 1,
      ),
    },
    { weight: 1, arbitrary: repeated(tokens, [1_000, hugeLength]) },
  );
}

function setAt(document: Record<string, unknown>, at: readonly string[], value: unknown): void {
  let target = document;
  for (const key of at.slice(0, -1)) {
    const next = Object.hasOwn(target, key) ? target[key] : undefined;
    if (typeof next !== 'object' || next === null || Array.isArray(next)) Object.defineProperty(target, key, { value: {}, enumerable: true, writable: true, configurable: true });
    target = target[key] as Record<string, unknown>;
  }
  // defineProperty: `__proto__` becomes a key like any other, as a parser would make it.
  Object.defineProperty(target, at[at.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

/** A valid config with a few fields replaced by anything. */
export function perturbedConfig(hugeLength: number, sizes: Sizes = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      base: fc.constantFrom(VALID_CONFIG, SECRET_CONFIG),
      changes: fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), fieldValue(hugeLength, sizes)), { minLength: 1, maxLength: 3 }),
      hugeKey: fc.option(repeated(['k', 'clientt', 'é'], [200, hugeLength]), { freq: 8, nil: undefined }),
    })
    .map(({ base, changes, hugeKey }) => {
      const document = structuredClone(base) as Record<string, unknown>;
      for (const [at, value] of changes) setAt(document, at, value);
      if (hugeKey !== undefined) setAt(document, ['client', hugeKey], 'x');
      return document;
    });
}

export const YAML_NOISE = fc.constantFrom(
  ':', ' ', '\n', '  ', '- ', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '!!', '|', '>', '${', '}', '\t', '? ', '%YAML 1.2\n', '---\n', '...\n',
  '\\', '\u0000', '\ufeff', '<<: *a', '!!binary ', '!!js/function ', '__proto__: ', 'constructor: ', '&x [*x]',
);

export type ConfigFormat = 'yaml' | 'json';

export interface ConfigText {
  text: string;
  format: ConfigFormat;
}

function serialise(document: unknown, format: ConfigFormat): string {
  return format === 'json' ? (JSON.stringify(document, null, 2) ?? 'null') : stringify(document);
}

/** Deeply nested text: the nesting guard must refuse it before a recursive parser overflows. */
const nestingBomb: fc.Arbitrary<ConfigText> = fc
  .record({
    shape: fc.constantFrom('[', '{a: ', 'block-map', 'block-seq', 'json-object', 'mixed'),
    depth: fc.constantFrom(10, 63, 64, 65, 100, 1000, 5000, 20000),
    format: fc.constantFrom<ConfigFormat>('yaml', 'json'),
  })
  .map(({ shape, depth, format }) => {
    let text: string;
    switch (shape) {
      case '[':
        text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
        break;
      case '{a: ':
        text = `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
        break;
      case 'block-map':
        text = Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
        break;
      case 'block-seq':
        text = `${'- '.repeat(depth)}1\n`;
        break;
      case 'json-object':
        text = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
        break;
      default:
        text = `${'[{"a": '.repeat(depth / 2)}1${'}]'.repeat(depth / 2)}`;
    }
    return { text, format };
  });

const aliasText: fc.Arbitrary<ConfigText> = fc
  .array(fc.constantFrom('&a ', '*a', '&b ', '*b', '<<: *a', 'k: ', '- ', '\n', '  ', '[', ']', '{', '}', ', ', 'x', '__proto__: ', 'constructor: '), { maxLength: 40 })
  .map((parts) => ({ text: `a0: &a [1]\nb0: &b {k: v}\n${parts.join('')}`, format: 'yaml' as const }));

/** Config text of every kind: perturbed valid configs, mangled ones, random text, bombs. */
export function configText(hugeLength: number, sizes: Sizes = {}): fc.Arbitrary<ConfigText> {
  const format = fc.constantFrom<ConfigFormat>('yaml', 'json');
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(perturbedConfig(hugeLength, sizes), format).map(([document, f]) => ({ text: serialise(document, f), format: f })) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.oneof(perturbedConfig(1_000), fc.constant(VALID_CONFIG), fc.jsonValue({ maxDepth: 4 })), format, edits(YAML_NOISE, 8))
        .map(([document, f, changes]) => ({ text: mutate(serialise(document, f), changes), format: f })),
    },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 200 }), unicodeText, fc.string({ unit: YAML_NOISE, maxLength: 60 })), format).map(([text, f]) => ({ text, format: f })) },
    { weight: 1, arbitrary: nestingBomb },
    { weight: 1, arbitrary: aliasText },
    {
      weight: 1,
      arbitrary: fc.constantFrom<ConfigText>(
        { text: '__proto__: {polluted: true}\nconstructor: {prototype: {polluted: true}}\n', format: 'yaml' },
        { text: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', format: 'json' },
        { text: 'a: &a [*a]\n', format: 'yaml' },
        { text: 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n', format: 'yaml' },
        { text: '\ufeff', format: 'json' },
        { text: '? [a, b]\n: c\n', format: 'yaml' },
        { text: `${stringify(VALID_CONFIG)}---\n${stringify(VALID_CONFIG)}`, format: 'yaml' },
        { text: 'region: !!js/function "function(){}"\n', format: 'yaml' },
        { text: '%YAML 1.1\n---\nregion: 0\n', format: 'yaml' },
      ),
    },
  );
}
