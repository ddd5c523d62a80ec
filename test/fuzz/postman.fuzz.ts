import path from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { beforeAll, describe } from 'vitest';
import { parseConfigText } from '../../src/config/parse.js';
import { describePostmanImport, importPostman, parsePostmanJson, PostmanFormatError, type PostmanImport } from '../../src/init/postman.js';
import { Redactor } from '../../src/redact.js';
import { anyText, edits, mutate, protoName, repeated, unicodeText, type Edit } from './support/arbitraries.js';
import { CANARY, findCanaries, type CanaryName } from './support/canaries.js';
import { makeCredentials, type Credentials } from './support/fixtures.js';
import { errorSignature, fuzzTarget, sizeBound, textSize, type Problem } from './support/harness.js';

/**
 * The Postman importer (src/init/postman.ts) on arbitrary JSON shapes and
 * keys: parsePostmanJson on the text (mangled or not), importPostman on the
 * document, describePostmanImport on the result.
 *
 * Properties: parsePostmanJson and importPostman throw nothing but
 * PostmanFormatError, and never hang or turn slow; a syntax error never
 * quotes the text; the config written parses as a golive config; the files
 * written stay in the config's folder; no canary (client secret, passphrase,
 * secret-typed or *_TOKEN variable) is in the config, any file, or what the
 * CLI prints (the description, redacted with the import's own secrets, as
 * `golive init --from-postman` does); every such value is in `secrets`.
 */

/** Spellings of the keys golive maps, as Postman users write them. */
const KNOWN_KEYS = [
  'client_id', 'clientId', 'Client-ID', 'CLIENT ID', 'client.id',
  'scope', 'scopes', 'organisationId', 'organization_id', 'orgId', 'x-region', 'region', 'kid', 'keyId', 'signing_kid',
  'privateKey', 'private_key', 'signingKey', 'certificate', 'cert', 'signing_certificate',
  'audience', 'aud', 'transportKey', 'transport_private_key', 'transportCertificate', 'transport_cert',
  'tokenUrl', 'auth_url', 'access_token_url', 'jwksUrl', 'jwks_uri', 'baseUrl', 'url', 'api_url', 'ssa_id', 'software_statement_id',
];

/** Keys whose values golive must treat as secret, and the canary each gets. */
const SECRET_KEYS: readonly [string, CanaryName][] = [
  ['client_secret', 'postmanSecret'],
  ['clientSecret', 'postmanSecret'],
  ['CLIENT-SECRET', 'postmanSecret'],
  ['passphrase', 'postmanPassphrase'],
  ['keyPassphrase', 'postmanPassphrase'],
  ['private_key_passphrase', 'postmanPassphrase'],
  ['MY_API_TOKEN', 'postmanToken'],
  ['db_password', 'postmanToken'],
];

let credentials: Credentials;

const URLS = [
  'https://uat-api.thredd.com', 'https://api.thredd.com/core/api', 'https://uat-mtls.thredd.com:443/', 'https://mtls.thredd.com', 'https://threddid.com/oauth2/token',
  'https://threddid.com', 'http://jwks.threddid.com/org-1/jwks.json', 'https://example.com/{{path}}', '{{baseUrl}}/x', 'not a url', 'https://', 'https://user:pw@uat-api.thredd.com',
  'javascript:alert(1)', 'file:///etc/passwd', 'https://[::1]:99999',
];

/** A value for a key that holds nothing secret. */
const plainValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...URLS) },
  { weight: 2, arbitrary: anyText },
  { weight: 1, arbitrary: fc.constantFrom('0', '1', '2', '3', '', ' ', 'certs/signing.pem', '~/keys/signing.key', 'C:\\keys\\client.p12', '../../etc/x.pem', 'a.pem\nb') },
  { weight: 1, arbitrary: fc.constantFrom('{{client_id}}', '{{ client_secret }}', '{{passphrase}}', '{{missing}}', '{{', '}}', '{{{{x}}}}', '{{a}}{{b}}') },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]), fc.double()) },
  { weight: 1, arbitrary: fc.constantFrom('key', 'encrypted key', 'key with literal \\n', 'certificate', 'key and certificate', 'ec key').map((kind) => ({ material: kind })) },
  { weight: 1, arbitrary: repeated(['{{', '{{a', '}}', '\\n', '-----BEGIN ', 'x', ' ', '{'], [1_000, 40_000]) },
);

function material(kind: string): string {
  switch (kind) {
    case 'key':
      return credentials.keyPem;
    case 'encrypted key':
      return credentials.encryptedKeyPem;
    case 'key with literal \\n':
      return credentials.keyPem.replace(/\n/g, '\\n');
    case 'certificate':
      return credentials.certPem;
    case 'key and certificate':
      return `${credentials.certPem}${credentials.keyPem}`;
    default:
      return credentials.transportKeyPem;
  }
}

type Value = unknown;

interface Entry {
  key: unknown;
  value: Value;
  enabled?: unknown;
  disabled?: unknown;
  type?: unknown;
  /** The canary this entry holds, when it is a secret one. */
  canary?: CanaryName;
}

const entry: fc.Arbitrary<Entry> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      secret: fc.constantFrom(...SECRET_KEYS),
      enabled: fc.option(fc.boolean(), { nil: undefined }),
      type: fc.option(fc.constantFrom('secret', 'default', 'text'), { nil: undefined }),
    }).map(({ secret: [key, canary], enabled, type }) => ({ key, value: CANARY[canary], enabled, type, canary })),
  },
  {
    // A variable of Postman type "secret" with a name golive does not know.
    weight: 1,
    arbitrary: fc.stringMatching(/^[a-z]{1,8}$/).map((suffix) => ({ key: `custom_${suffix}`, value: CANARY.postmanToken, type: 'secret', canary: 'postmanToken' as CanaryName })),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      key: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_KEYS) }, { weight: 1, arbitrary: protoName }, { weight: 1, arbitrary: unicodeText }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null)) }),
      value: plainValue,
      enabled: fc.option(fc.oneof(fc.boolean(), fc.constant('false')), { nil: undefined }),
      disabled: fc.option(fc.boolean(), { freq: 6, nil: undefined }),
      type: fc.option(fc.constantFrom('default', 'text', 'any'), { freq: 4, nil: undefined }),
    }),
  },
);

type Shape = 'environment' | 'collection' | 'both' | 'id-keys';

interface PostmanCase {
  shape: Shape | 'arbitrary';
  name: unknown;
  entries: Entry[];
  arbitrary: unknown;
  edits: Edit[];
  /** A value nested this deep, put first in the variables (as text: far deeper than JSON.stringify goes). */
  nesting: number | undefined;
  overrides: { environment?: 'uat' | 'production'; connectivity?: 'tls' | 'mtls'; authMethod?: 'private_key_jwt' | 'client_secret_post' | 'client_secret_basic' };
}

const JSON_NOISE = fc.constantFrom('{', '}', '[', ']', ',', '"', ':', 'null', '"__proto__"', '\\', '\\u0000', '{{', '}}', '"values"', '"key"', '"value"', '\ufeff', ' ', '\n');

const postmanCase: fc.Arbitrary<PostmanCase> = fc.record({
  shape: fc.constantFrom<PostmanCase['shape']>('environment', 'environment', 'collection', 'both', 'id-keys', 'arbitrary'),
  name: fc.oneof(fc.constant('Thredd UAT'), anyText, fc.constant(undefined), fc.constant(42), fc.constantFrom('line\nbreak"quote', 'nul\u0000byte', 'line\u2028separator', '# comment', '"${THREDD_CLIENT_SECRET}"')),
  entries: fc.array(entry, { maxLength: 14 }),
  arbitrary: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom({ values: 'x' }, { values: {} }, { variable: null, values: null }, { values: [null, 1, 'x', [], { key: 5 }, { id: 'client_secret' }] }, { info: null, variable: [] }, { info: { name: {} }, variable: [{}] }, []),
  ),
  edits: fc.oneof({ weight: 4, arbitrary: fc.constant<Edit[]>([]) }, { weight: 1, arbitrary: edits(JSON_NOISE, 5) }),
  nesting: fc.option(fc.constantFrom(3, 1_000, 50_000), { freq: 8, nil: undefined }),
  overrides: fc.record(
    {
      environment: fc.constantFrom('uat' as const, 'production' as const),
      connectivity: fc.constantFrom('tls' as const, 'mtls' as const),
      authMethod: fc.constantFrom('private_key_jwt' as const, 'client_secret_post' as const, 'client_secret_basic' as const),
    },
    { requiredKeys: [] },
  ),
});

function toJson(entry: Entry, idKeys: boolean): Record<string, unknown> {
  const value = typeof entry.value === 'object' && entry.value !== null && 'material' in entry.value ? material((entry.value as { material: string }).material) : entry.value;
  const out: Record<string, unknown> = {};
  Object.defineProperty(out, idKeys ? 'id' : 'key', { value: entry.key, enumerable: true, writable: true, configurable: true });
  out['value'] = value;
  if (entry.enabled !== undefined) out['enabled'] = entry.enabled;
  if (entry.disabled !== undefined) out['disabled'] = entry.disabled;
  if (entry.type !== undefined) out['type'] = entry.type;
  return out;
}

function documentOf(input: PostmanCase): unknown {
  if (input.shape === 'arbitrary') return input.arbitrary;
  const list = input.entries.map((item) => toJson(item, input.shape === 'id-keys'));
  switch (input.shape) {
    case 'collection':
      return { info: { name: input.name }, variable: list };
    case 'both':
      return { name: input.name, values: list, variable: list.slice(0, 1) };
    default:
      return { id: 'x', name: input.name, values: list, _postman_variable_scope: 'environment' };
  }
}

/** The canaries the case placed where golive must treat them as secret. */
function placed(input: PostmanCase): CanaryName[] {
  return input.shape === 'arbitrary' ? [] : [...new Set(input.entries.flatMap((item) => (item.canary ? [item.canary] : [])))];
}

const slowestStep = new WeakMap<PostmanCase, string>();

/** Times each step of a case; remembers the slowest for the case's slow signature. */
function stepTimer(input: PostmanCase) {
  let longest = -1;
  return {
    step<R>(name: string, work: () => R): R {
      const started = performance.now();
      try {
        return work();
      } finally {
        const took = performance.now() - started;
        if (took > longest) {
          longest = took;
          slowestStep.set(input, name);
        }
      }
    },
  };
}

function checkImport(imported: PostmanImport, input: PostmanCase, text: string, timer: ReturnType<typeof stepTimer>): Problem[] {
  const problems: Problem[] = [];
  const canaries = placed(input);
  const via = text.includes('{{') ? ' (a {{reference}} in the export)' : '';
  const parsed = timer.step('parseConfigText', () => parseConfigText(imported.config, '/nonexistent/golive-fuzz/imported.yaml'));
  if (!parsed.ok) problems.push({ signature: `the imported config does not parse: ${parsed.problem.kind}`, detail: 'reason' in parsed.problem ? parsed.problem.reason : imported.config.slice(0, 200) });
  for (const hit of findCanaries(imported.config, canaries)) problems.push({ signature: `canary ${hit.canary} in the imported config${via}`, detail: hit.context });
  for (const file of imported.files) {
    const normal = path.posix.normalize(file.path);
    if (path.isAbsolute(file.path) || normal.startsWith('..')) problems.push({ signature: 'an imported file lands outside the config folder', detail: file.path });
    for (const hit of findCanaries(file.content, canaries)) problems.push({ signature: `canary ${hit.canary} in an imported key or certificate file${via}`, detail: `${file.path}: ${hit.context}` });
  }
  // Edits may have renamed a secret's key: only an intact export promises which values are secret.
  for (const canary of input.edits.length === 0 ? canaries : []) {
    if (!imported.secrets.includes(CANARY[canary])) problems.push({ signature: `a secret value (${canary}) is missing from the import's secrets` });
  }
  let described: string;
  try {
    described = timer.step('describePostmanImport', () => describePostmanImport(imported, 'export.json', 'golive.yaml'));
  } catch (error) {
    return [...problems, { signature: `describePostmanImport() threw ${errorSignature(error)}` }];
  }
  let printed: string;
  try {
    // As `golive init --from-postman` prints it.
    printed = timer.step('redaction (src/redact.ts)', () => new Redactor(imported.secrets).text(described));
  } catch (error) {
    return [...problems, { signature: `redacting with the import's secrets threw ${errorSignature(error)}` }];
  }
  for (const hit of findCanaries(printed, canaries)) problems.push({ signature: `canary ${hit.canary} in what init --from-postman prints${via}`, detail: hit.context });
  return problems;
}

describe('the Postman importer', () => {
  beforeAll(async () => {
    credentials = await makeCredentials();
  }, 120_000);

  fuzzTarget<PostmanCase>({
    name: 'postman',
    subject: 'parsePostmanJson() / importPostman() / describePostmanImport() in src/init/postman.ts',
    runs: 1500,
    slowMs: sizeBound(1000, 5, (input: PostmanCase) => textSize(input)),
    arbitrary: postmanCase,
    // A slow case names its slowest step, so the importer and the redaction are told apart.
    hangContext: (input) => `slowest step: ${slowestStep.get(input) ?? 'unknown'}`,
    run(input) {
      const timer = stepTimer(input);
      const bomb = input.nesting === undefined ? '' : `{"key": "client_id", "value": ${'{"a": ['.repeat(input.nesting)}1${']}'.repeat(input.nesting)}}, `;
      const text = mutate(JSON.stringify(documentOf(input), null, 2) ?? 'null', input.edits).replace(/"(values|variable)": \[/, (opening) => `${opening}${bomb}`);
      let document: unknown;
      try {
        document = timer.step('parsePostmanJson', () => parsePostmanJson(text));
      } catch (error) {
        if (!(error instanceof PostmanFormatError)) return [{ signature: `parsePostmanJson() threw ${errorSignature(error)}` }];
        return findCanaries(error.message).map((hit) => ({ signature: `canary ${hit.canary} in a parse error`, detail: hit.context }));
      }
      let imported: PostmanImport;
      try {
        imported = timer.step('importPostman', () => importPostman(document, input.overrides));
      } catch (error) {
        if (!(error instanceof PostmanFormatError)) return [{ signature: `importPostman() threw ${errorSignature(error)}` }];
        return findCanaries(error.message).map((hit) => ({ signature: `canary ${hit.canary} in a format error`, detail: hit.context }));
      }
      return checkImport(imported, input, text, timer);
    },
  });
});
