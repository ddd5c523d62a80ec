import { createPrivateKey } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { SECRET_NAME } from '../config/interpolate.js';
import type { AuthMethod, Connectivity, Environment } from '../config/types.js';
import { THREDD, threddEndpoints, threddEnvironmentOfHost } from '../profiles/thredd.js';

/**
 * `golive init --from-postman`: turns a Postman environment export (or a
 * collection export's variables) into a golive config. Every value that
 * decides something is reported as mapped, inferred or guessed; secrets
 * leave the YAML (the client secret becomes `${THREDD_CLIENT_SECRET}`, key
 * material moves into files of its own) and are never printed. A value that
 * takes a secret through a `{{reference}}` is not used outside those places.
 */

/** The golive fields a Postman variable can feed. */
type Target =
  | 'client.id'
  | 'client.secret'
  | 'client.scopes'
  | 'organisationId'
  | 'region'
  | 'signing.kid'
  | 'signing.privateKey'
  | 'signing.certificate'
  | 'signing.passphrase'
  | 'signing.audience'
  | 'transport.privateKey'
  | 'transport.certificate'
  | 'endpoints.token'
  | 'endpoints.jwks'
  | 'api'
  | 'ssa';

/** Accepted spellings, compared without case, `-`, `_`, `.` or spaces. */
const ALIASES: Record<Target, readonly string[]> = {
  'client.id': ['clientid'],
  'client.secret': ['clientsecret'],
  'client.scopes': ['scope', 'scopes'],
  organisationId: ['organisationid', 'organizationid', 'orgid'],
  region: ['xregion', 'region'],
  'signing.kid': ['kid', 'keyid', 'signingkid'],
  'signing.privateKey': ['privatekey', 'signingkey', 'signingprivatekey'],
  'signing.certificate': ['certificate', 'cert', 'signingcertificate', 'signingcert'],
  'signing.passphrase': ['passphrase', 'privatekeypassphrase', 'signingkeypassphrase', 'keypassphrase'],
  'signing.audience': ['audience', 'aud'],
  'transport.privateKey': ['transportkey', 'transportprivatekey'],
  'transport.certificate': ['transportcertificate', 'transportcert'],
  'endpoints.token': ['tokenurl', 'authurl', 'tokenendpoint', 'accesstokenurl'],
  'endpoints.jwks': ['jwksurl', 'jwksuri'],
  api: ['baseurl', 'url', 'apiurl', 'apibaseurl'],
  ssa: ['ssaid', 'softwarestatementid'],
};

const TARGET_OF = new Map<string, Target>(
  (Object.entries(ALIASES) as [Target, readonly string[]][]).flatMap(([target, names]) => names.map((name) => [name, target] as const)),
);

/** Variables whose values are secret whatever their name says. */
const SECRET_TARGETS = new Set<Target>(['client.secret', 'signing.privateKey', 'signing.passphrase', 'transport.privateKey']);

/** Written to a file of their own when they hold PEM text; a value that looks like a path goes into the config. */
const MATERIAL_TARGETS = new Set<Target>(['signing.privateKey', 'signing.certificate', 'transport.privateKey', 'transport.certificate']);

/** Written into the config as a `${VAR}` (the value stays in the environment). */
const ENVIRONMENT_TARGETS = new Set<Target>(['client.secret', 'signing.passphrase']);

/**
 * The longest value written into the config: no id, URL, scope list or path
 * comes near it, and a dozen such fields, escaped, stay far below the
 * CONFIG_FILE_LIMIT that config.parse reads.
 */
const MAX_CONFIG_VALUE_LENGTH = 4096;

/** The longest text from the export (a name) put into a comment. */
const MAX_COMMENT_TEXT_LENGTH = 120;

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

export const SECRET_VARIABLE = 'THREDD_CLIENT_SECRET';
export const PASSPHRASE_VARIABLE = 'SIGNING_KEY_PASSPHRASE';

/** A Postman export that is JSON but not an environment or collection. */
export class PostmanFormatError extends Error {
  override name = 'PostmanFormatError';
}

export interface PostmanVariable {
  key: string;
  value: string;
  enabled: boolean;
  secret: boolean;
}

/** A decision the importer made, with what it rests on: always shown to the user. */
export interface Inference {
  field: string;
  value: string;
  reason: string;
}

export interface ImportedFile {
  /** Relative to the config's folder. */
  path: string;
  content: string;
  mode: number;
  /** The Postman variable it came from. */
  from: string;
}

export interface PostmanImport {
  /** The Postman environment's name, when it has one. */
  name?: string;
  variableCount: number;
  /** The golive config (YAML). Holds no secret. */
  config: string;
  /** Key and certificate files to write next to the config. */
  files: ImportedFile[];
  mapped: { variable: string; field: string }[];
  /** Derived from the values, e.g. the environment from the API host. */
  inferred: Inference[];
  /** Not in the export: a default the user must confirm. */
  guessed: Inference[];
  /** Things to add by hand before `golive check` can pass. */
  todo: string[];
  /** Recognised variables that were not used, and why. */
  ignored: { variable: string; reason: string }[];
  /** Names of variables golive does not know (values are never shown). */
  unknown: string[];
  /** Variables to export before running golive, and the Postman variable holding each value. */
  exports: { name: string; from: string }[];
  /** Every secret value met: for redacting anything printed. */
  secrets: string[];
}

export interface PostmanOverrides {
  environment?: Environment;
  connectivity?: Connectivity;
  authMethod?: AuthMethod;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s._-]/g, '');
}

function stringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Reads the variables of an environment export (`values`) or a collection export (`variable`). */
export function postmanVariables(document: unknown): { name?: string; variables: PostmanVariable[] } {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new PostmanFormatError('is not a Postman export: expected a JSON object with "values" (environment) or "variable" (collection)');
  }
  const record = document as Record<string, unknown>;
  const list = Array.isArray(record.values) ? record.values : Array.isArray(record.variable) ? record.variable : undefined;
  if (!list) {
    throw new PostmanFormatError('is not a Postman export: it has neither "values" (an environment) nor "variable" (a collection)');
  }
  const info = record.info as Record<string, unknown> | undefined;
  const name = typeof record.name === 'string' ? record.name : typeof info?.name === 'string' ? info.name : undefined;
  const variables = list.flatMap((entry): PostmanVariable[] => {
    if (entry === null || typeof entry !== 'object') return [];
    const item = entry as Record<string, unknown>;
    const key = typeof item.key === 'string' ? item.key : typeof item.id === 'string' ? item.id : undefined;
    if (!key) return [];
    return [{ key, value: stringValue(item.value), enabled: item.enabled !== false && item.disabled !== true, secret: item.type === 'secret' }];
  });
  return { ...(name !== undefined && { name }), variables };
}

/** How deep `{{a}}` → `{{b}}` → … is followed. */
const REFERENCE_DEPTH = 5;

/**
 * The text `{{references}}` may add across one export: far more than a real
 * export uses, and a bound on references that multiply (`a` is
 * `{{b}}{{b}}…`, `b` is `{{c}}{{c}}…`), which grow exponentially per level.
 */
const REFERENCE_EXPANSION_LIMIT = 1_000_000;

interface Resolution {
  text: string;
  /** The variables it took a value from, at any depth. */
  used: Set<string>;
  /** A `{{name}}` is left: not in the export, a cycle, or deeper than REFERENCE_DEPTH. */
  unresolved: boolean;
  /** Resolving would pass REFERENCE_EXPANSION_LIMIT: `text` is the value as given. */
  overflow: boolean;
}

/**
 * One pass of `text.replace(/\{\{([^}]+)\}\}/g, …)`, as a scanner. The
 * regex retries at every `{` of a run and scans to the next `}` each time:
 * quadratic (37k `{` took 1.5 s). Here the next `}` is found once for all
 * the openings before it.
 */
function replaceReferences(text: string, replace: (name: string) => string | undefined): { text: string; found: number; replaced: number } {
  let out = '';
  let copied = 0;
  let found = 0;
  let replaced = 0;
  // The first `}` at or after open + 2: the only place a reference opened at `open` can end.
  let close = -1;
  let open = text.indexOf('{{');
  while (open !== -1) {
    if (close < open + 2) close = text.indexOf('}', open + 2);
    if (close === -1) break;
    if (close === open + 2 || text[close + 1] !== '}') {
      open = text.indexOf('{{', open + 1);
      continue;
    }
    found++;
    const value = replace(text.slice(open + 2, close).trim());
    if (value !== undefined) {
      out += text.slice(copied, open) + value;
      copied = close + 2;
      replaced++;
    }
    open = text.indexOf('{{', close + 2);
  }
  return { text: replaced === 0 ? text : out + text.slice(copied), found, replaced };
}

/** Postman's `{{name}}` references, resolved from the other enabled variables (a few levels deep, within the export's budget). */
function resolveReferences(value: string, lookup: ReadonlyMap<string, { value: string }>, budget: { left: number }): Resolution {
  const used = new Set<string>();
  let overflow = false;
  const replace = (name: string): string | undefined => {
    const found = lookup.get(name);
    if (!found || overflow) return undefined;
    if (found.value.length > budget.left) {
      overflow = true;
      return undefined;
    }
    budget.left -= found.value.length;
    used.add(name);
    return found.value;
  };
  let text = value;
  for (let depth = 0; depth < REFERENCE_DEPTH; depth++) {
    const pass = replaceReferences(text, replace);
    if (overflow) return { text: value, used, unresolved: true, overflow };
    text = pass.text;
    if (pass.replaced === 0) return { text, used, unresolved: pass.found > 0, overflow };
  }
  return { text, used, unresolved: replaceReferences(text, () => undefined).found > 0, overflow };
}

/** Whether a variable's value is secret: known fields by what they hold (a token URL is not secret whatever its name), others by name; any that Postman marks secret. */
function holdsSecret(variable: PostmanVariable, target: Target | undefined): boolean {
  if (variable.secret) return true;
  return target ? SECRET_TARGETS.has(target) : SECRET_NAME.test(variable.key);
}

/**
 * Why a value taken from the secret variable `source` cannot go where
 * `target` writes it, or undefined when it can: as a `${VAR}` (the value
 * stays in the environment), or a private key into its key file (mode 0600).
 * Anywhere else the secret would sit in clear in a file meant to be read.
 */
function refuseSecretSource(target: Target, value: string, source: string): string | undefined {
  if (ENVIRONMENT_TARGETS.has(target)) return undefined;
  if (target === 'signing.privateKey' || target === 'transport.privateKey') {
    return PEM_PRIVATE_KEY.test(value) ? undefined : `refers to ${source}, a secret that is not a private key: not written to a key file`;
  }
  return `refers to ${source}, a secret: not copied into ${target}`;
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Key or certificate material pasted into a variable: often on one line with literal `\n`. */
/** A certificate variable sometimes holds the key too (a combined PEM): then the file is the owner's only. */
function certificateMode(value: string): number {
  return /PRIVATE KEY/.test(value) ? 0o600 : 0o644;
}

function pemContent(value: string): string {
  const text = value.includes('\n') ? value : value.replace(/\\r\\n|\\n/g, '\n');
  return `${text.trim()}\n`;
}

function looksLikePath(value: string): boolean {
  return !value.includes('\n') && !value.includes('-----BEGIN') && /^(~|\.{0,2}\/|[A-Za-z]:\\)|\.(pem|key|crt|cer|der|p12|pfx)$/i.test(value.trim());
}

/** The assertion algorithm a key supports: PS256 for RSA (the starter default), ES256 for P-256. */
function algorithmFor(keyPem: string): { algorithm: string; reason: string } {
  let type: string | undefined;
  let curve: string | undefined;
  try {
    const key = createPrivateKey({ key: keyPem, format: 'pem' });
    type = key.asymmetricKeyType;
    curve = key.asymmetricKeyDetails?.namedCurve;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { algorithm: 'PS256', reason: `the key type could not be read (${code}: encrypted, or not PEM), so the default; golive check tells whether it fits` };
  }
  if (type === 'ec' && curve === 'prime256v1') return { algorithm: 'ES256', reason: 'the private key is an EC P-256 key' };
  if (type === 'ec' && curve === 'secp384r1') return { algorithm: 'ES384', reason: 'the private key is an EC P-384 key' };
  if (type === 'rsa' || type === 'rsa-pss') return { algorithm: 'PS256', reason: 'the private key is RSA (RS256 also fits: use what the portal registered)' };
  return { algorithm: 'PS256', reason: `the private key is ${type ?? 'of an unknown type'}, so the default; golive check tells whether it fits` };
}

/**
 * A YAML double-quoted scalar that reads back as `value`. JSON's escapes
 * cover C0 controls, quotes and lone surrogates; the rest YAML does not
 * count as printable or some readers take as a line break (DEL, C1 such as
 * NEL, U+2028/2029, BOM, format characters such as bidi overrides) is
 * escaped too, so the file holds nothing a reader or a reviewer misreads.
 */
function q(value: string): string {
  return JSON.stringify(value).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu, (char) => {
    const code = char.codePointAt(0)!;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Text from the export (a name) made fit for a comment: a comment ends at
 * the first line break and cannot escape anything, so controls, line and
 * paragraph separators, format characters and lone surrogates become
 * spaces (a NUL would make `golive check` refuse the file as binary), and
 * a long name is cut short.
 */
function commentText(text: string): string {
  const cut = text.length > MAX_COMMENT_TEXT_LENGTH ? `${text.slice(0, MAX_COMMENT_TEXT_LENGTH)}…` : text;
  return cut.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFE\uFFFF]/gu, ' ');
}

/** A line with its comment aligned, as in the starter config. */
function commented(text: string, comment: string): string {
  return `${text.padEnd(35)}  # ${comment}`;
}

/**
 * Maps a parsed Postman export to a golive config. Pure: no files are read
 * or written; `writePostmanImport` writes the result.
 */
export function importPostman(document: unknown, overrides: PostmanOverrides = {}): PostmanImport {
  const { name, variables } = postmanVariables(document);
  const mapped: PostmanImport['mapped'] = [];
  const inferred: Inference[] = [];
  const guessed: Inference[] = [];
  const todo: string[] = [];
  const ignored: PostmanImport['ignored'] = [];
  const unknown: string[] = [];
  const exports: PostmanImport['exports'] = [];
  const files: ImportedFile[] = [];
  const secrets = new Set<string>();

  const classified = variables.map((variable) => {
    const target = TARGET_OF.get(normalise(variable.key));
    return { variable, target, secret: holdsSecret(variable, target) };
  });
  // A `{{name}}` takes the value of the last enabled variable so named.
  const referable = new Map(classified.filter(({ variable }) => variable.enabled).map(({ variable, secret }) => [variable.key, { value: variable.value, secret }]));
  const budget = { left: REFERENCE_EXPANSION_LIMIT };
  const values = new Map<Target, { variable: string; value: string }>();
  for (const { variable, target, secret } of classified) {
    const resolution = resolveReferences(variable.value, referable, budget);
    const value = resolution.text.trim();
    if (secret) {
      if (variable.value) secrets.add(variable.value);
      if (value) secrets.add(value);
    }
    if (!target) {
      unknown.push(variable.key);
      continue;
    }
    if (!variable.enabled) {
      ignored.push({ variable: variable.key, reason: 'disabled in Postman' });
      continue;
    }
    if (value === '') {
      ignored.push({ variable: variable.key, reason: 'empty' });
      continue;
    }
    if (resolution.overflow) {
      ignored.push({ variable: variable.key, reason: `its {{references}} expand past ${REFERENCE_EXPANSION_LIMIT.toLocaleString('en')} characters: not resolved` });
      continue;
    }
    if (resolution.unresolved) {
      ignored.push({ variable: variable.key, reason: 'refers to a Postman variable that is not in this export' });
      continue;
    }
    const secretSource = [...resolution.used].find((name) => referable.get(name)!.secret);
    const refusal = secretSource === undefined ? undefined : refuseSecretSource(target, value, secretSource);
    if (refusal) {
      ignored.push({ variable: variable.key, reason: refusal });
      continue;
    }
    const inConfig = !ENVIRONMENT_TARGETS.has(target) && !(MATERIAL_TARGETS.has(target) && !looksLikePath(value));
    if (inConfig && value.length > MAX_CONFIG_VALUE_LENGTH) {
      ignored.push({ variable: variable.key, reason: `${value.length} characters: too long for ${target}` });
      continue;
    }
    const taken = values.get(target);
    if (taken) {
      ignored.push({ variable: variable.key, reason: `${taken.variable} already gives ${target}` });
      continue;
    }
    values.set(target, { variable: variable.key, value });
  }
  const take = (target: Target): { variable: string; value: string } | undefined => values.get(target);
  const use = (target: Target, field: string): string | undefined => {
    const found = take(target);
    if (found) mapped.push({ variable: found.variable, field });
    return found?.value;
  };

  // Environment and connectivity: the API host says both when it is Thredd's.
  const api = take('api');
  const apiUrl = api && parseUrl(api.value);
  if (api && !apiUrl) ignored.push({ variable: api.variable, reason: 'not a URL' });
  const threddHost = apiUrl && threddEnvironmentOfHost(apiUrl.origin);
  let environment: Environment;
  if (overrides.environment) {
    environment = overrides.environment;
    inferred.push({ field: 'environment', value: environment, reason: `from --environment${threddHost && threddHost.environment !== environment ? ` (but ${api!.variable} ${apiUrl!.origin} is Thredd's ${threddHost.environment} host)` : ''}` });
  } else if (threddHost) {
    environment = threddHost.environment;
    inferred.push({ field: 'environment', value: environment, reason: `${api!.variable} ${apiUrl!.origin} is Thredd's ${environment === 'uat' ? 'UAT' : 'Production'} host` });
  } else {
    environment = 'uat';
    guessed.push({
      field: 'environment',
      value: 'uat',
      reason: `${apiUrl ? `${api!.variable} ${apiUrl.origin} is not a Thredd API host` : 'there is no base URL'}, so nothing says UAT or Production: set environment (or rerun with --environment)`,
    });
  }

  const transportKey = take('transport.privateKey');
  const transportCertificate = take('transport.certificate');
  let connectivity: Connectivity;
  if (overrides.connectivity) {
    connectivity = overrides.connectivity;
    inferred.push({ field: 'connectivity', value: connectivity, reason: 'from --connectivity' });
  } else if (threddHost) {
    connectivity = threddHost.connectivity;
    inferred.push({ field: 'connectivity', value: connectivity, reason: `${apiUrl!.origin} is Thredd's ${connectivity === 'mtls' ? 'mTLS' : 'TLS'} host` });
  } else if (transportKey || transportCertificate) {
    connectivity = 'mtls';
    inferred.push({ field: 'connectivity', value: 'mtls', reason: `${(transportKey ?? transportCertificate)!.variable} holds a transport credential` });
  } else {
    connectivity = 'tls';
    guessed.push({ field: 'connectivity', value: 'tls', reason: 'no Thredd API host and no transport certificate say mtls' });
  }

  const privateKey = take('signing.privateKey');
  const secret = take('client.secret');
  let authMethod: AuthMethod;
  if (overrides.authMethod) {
    authMethod = overrides.authMethod;
    inferred.push({ field: 'client.authMethod', value: authMethod, reason: 'from --auth-method' });
  } else if (privateKey) {
    authMethod = 'private_key_jwt';
    inferred.push({ field: 'client.authMethod', value: authMethod, reason: `${privateKey.variable} holds a private key${secret ? ` (${secret.variable} is then not used)` : ''}` });
  } else if (secret) {
    authMethod = 'client_secret_post';
    inferred.push({
      field: 'client.authMethod',
      value: authMethod,
      reason: `${secret.variable} holds a client secret; client_secret_post sends it in the body, as Postman does by default (client_secret_basic sends it in a header)`,
    });
  } else {
    authMethod = 'private_key_jwt';
    guessed.push({ field: 'client.authMethod', value: authMethod, reason: 'neither a client secret nor a private key is in the export' });
  }
  const jwt = authMethod === 'private_key_jwt';
  const certs = `certs/${environment}`;

  const lines: string[] = [
    '# yaml-language-server: $schema=https://golive.dev/schemas/config.schema.json',
    `# Imported from the Postman environment${name ? ` "${commentText(name)}"` : ''} by \`golive init --from-postman\`.`,
    '# Secrets stay out of this file: every ${VAR} is read from the environment (or --env-file).',
    "# Relative paths resolve against this file's folder. Check it with `golive check <this file>`.",
    '',
    'profile: thredd',
  ];
  const guessedField = (field: string): boolean => guessed.some((guess) => guess.field === field);
  lines.push(guessedField('environment') ? commented(`environment: ${environment}`, 'GUESSED: uat or production? Nothing in the export said') : `environment: ${environment}`);
  lines.push(guessedField('connectivity') ? commented(`connectivity: ${connectivity}`, 'GUESSED: tls unless the client is registered for mTLS') : `connectivity: ${connectivity}`);

  const region = take('region');
  if (region && /^[012]$/.test(region.value)) {
    mapped.push({ variable: region.variable, field: 'region' });
    lines.push(`region: ${region.value}`);
  } else {
    if (region) ignored.push({ variable: region.variable, reason: `"${region.value}" is not a region (0, 1 or 2)` });
    const why = region ? `${region.variable} is not 0, 1 or 2` : 'no x-region variable';
    lines.push(commented('region: 0', `GUESSED: ${commentText(why)}; 0 Default, 1 EMEA, 2 APAC`));
    guessed.push({ field: 'region', value: '0', reason: `${why}: 0 is the Default region` });
  }

  const organisationId = use('organisationId', 'organisationId');
  if (organisationId) lines.push(`organisationId: ${q(organisationId)}`);
  else {
    lines.push(commented('organisationId: "${THREDD_ORG_ID}"', 'not in the Postman export: from the portal'));
    todo.push('organisationId: export THREDD_ORG_ID or edit the config (no organisation id variable in the export)');
  }

  lines.push('', 'client:');
  const clientId = use('client.id', 'client.id');
  if (clientId) lines.push(`  id: ${q(clientId)}`);
  else {
    lines.push(commented('  id: "${THREDD_CLIENT_ID}"', 'not in the Postman export'));
    todo.push('client.id: export THREDD_CLIENT_ID or edit the config (no usable client_id variable in the export)');
  }
  lines.push(
    guessedField('client.authMethod')
      ? commented(`  authMethod: ${authMethod}`, 'GUESSED: client_secret_post | client_secret_basic | private_key_jwt')
      : `  authMethod: ${authMethod}`,
  );
  if (!jwt) {
    lines.push(`  secret: "\${${SECRET_VARIABLE}}"`);
    if (secret) {
      mapped.push({ variable: secret.variable, field: `client.secret (as \${${SECRET_VARIABLE}})` });
      exports.push({ name: SECRET_VARIABLE, from: secret.variable });
    } else {
      todo.push(`client.secret: export ${SECRET_VARIABLE} (no client_secret variable in the export)`);
    }
  } else if (secret) {
    ignored.push({ variable: secret.variable, reason: 'private_key_jwt does not use a client secret (not written)' });
  }
  const scope = use('client.scopes', 'client.scopes');
  const scopes = scope ? scope.split(/[\s,]+/).filter(Boolean) : [];
  lines.push(`  scopes: [${scopes.map(q).join(', ')}]`);

  if (jwt) {
    lines.push('', 'signing:');
    const certificate = take('signing.certificate');
    if (certificate) {
      mapped.push({ variable: certificate.variable, field: 'signing.certificate' });
      if (looksLikePath(certificate.value)) lines.push(`  certificate: ${q(certificate.value)}`);
      else {
        files.push({ path: `${certs}/signing.pem`, content: pemContent(certificate.value), mode: certificateMode(certificate.value), from: certificate.variable });
        lines.push(`  certificate: ${certs}/signing.pem`);
      }
    } else {
      lines.push(commented(`  certificate: ${certs}/signing.pem`, 'not in the Postman export: save the signing certificate here'));
      todo.push(`signing.certificate: save the signing certificate from the portal as ${certs}/signing.pem`);
    }
    let algorithm = { algorithm: 'PS256', reason: 'no private key in the export, so the default' };
    if (privateKey) {
      if (looksLikePath(privateKey.value)) {
        mapped.push({ variable: privateKey.variable, field: 'signing.privateKey (a file path)' });
        lines.push(`  privateKey: ${q(privateKey.value)}`);
        algorithm = { algorithm: 'PS256', reason: `${privateKey.variable} names a file, so the default` };
      } else {
        const content = pemContent(privateKey.value);
        mapped.push({ variable: privateKey.variable, field: `signing.privateKey (moved to ${certs}/signing.key)` });
        files.push({ path: `${certs}/signing.key`, content, mode: 0o600, from: privateKey.variable });
        lines.push(`  privateKey: ${certs}/signing.key`);
        algorithm = algorithmFor(content);
      }
    } else {
      lines.push(commented(`  privateKey: ${certs}/signing.key`, 'not in the Postman export: save the private key here (chmod 600)'));
      todo.push(`signing.privateKey: save the signing private key as ${certs}/signing.key (chmod 600)`);
    }
    const passphrase = take('signing.passphrase');
    if (passphrase) {
      mapped.push({ variable: passphrase.variable, field: `signing.passphrase (as \${${PASSPHRASE_VARIABLE}})` });
      exports.push({ name: PASSPHRASE_VARIABLE, from: passphrase.variable });
      lines.push(`  passphrase: "\${${PASSPHRASE_VARIABLE}}"`);
    }
    lines.push(`  algorithm: ${algorithm.algorithm}`);
    inferred.push({ field: 'signing.algorithm', value: algorithm.algorithm, reason: algorithm.reason });
    const kid = use('signing.kid', 'signing.kid');
    if (kid) lines.push(`  kid: ${q(kid)}`);
    const audience = use('signing.audience', 'signing.audience');
    if (audience) lines.push(`  audience: ${q(audience)}`);
  } else {
    for (const target of ['signing.privateKey', 'signing.certificate', 'signing.kid', 'signing.passphrase', 'signing.audience'] as const) {
      const found = take(target);
      if (found) ignored.push({ variable: found.variable, reason: `${authMethod} does not sign assertions` });
    }
  }

  if (connectivity === 'mtls') {
    lines.push('', 'transport:');
    if (transportCertificate) {
      mapped.push({ variable: transportCertificate.variable, field: 'transport.certificate' });
      if (looksLikePath(transportCertificate.value)) lines.push(`  certificate: ${q(transportCertificate.value)}`);
      else {
        files.push({ path: `${certs}/transport.pem`, content: pemContent(transportCertificate.value), mode: certificateMode(transportCertificate.value), from: transportCertificate.variable });
        lines.push(`  certificate: ${certs}/transport.pem`);
      }
    } else {
      lines.push(commented(`  certificate: ${certs}/transport.pem`, 'Postman keeps it under Settings > Certificates: save it here'));
      todo.push(`transport.certificate: save the mTLS transport certificate (Postman Settings > Certificates) as ${certs}/transport.pem`);
    }
    if (transportKey) {
      if (looksLikePath(transportKey.value)) {
        mapped.push({ variable: transportKey.variable, field: 'transport.privateKey (a file path)' });
        lines.push(`  privateKey: ${q(transportKey.value)}`);
      } else {
        mapped.push({ variable: transportKey.variable, field: `transport.privateKey (moved to ${certs}/transport.key)` });
        files.push({ path: `${certs}/transport.key`, content: pemContent(transportKey.value), mode: 0o600, from: transportKey.variable });
        lines.push(`  privateKey: ${certs}/transport.key`);
      }
    } else {
      lines.push(commented(`  privateKey: ${certs}/transport.key`, 'Postman keeps it under Settings > Certificates: save it here (chmod 600)'));
      todo.push(`transport.privateKey: save the mTLS transport key as ${certs}/transport.key (chmod 600)`);
    }
  } else {
    for (const found of [transportCertificate, transportKey]) {
      if (found) ignored.push({ variable: found.variable, reason: 'connectivity is tls: no transport certificate is used' });
    }
  }

  // Endpoints: written only where they differ from what the profile derives.
  const endpoints: string[] = [];
  if (api && apiUrl) {
    if (threddHost) {
      mapped.push({ variable: api.variable, field: 'environment and connectivity (the profile derives endpoints.api)' });
      if (threddHost.environment !== environment || threddHost.connectivity !== connectivity) {
        endpoints.push(`  api: ${q(apiUrl.origin)}`);
        inferred.push({ field: 'endpoints.api', value: apiUrl.origin, reason: `kept from ${api.variable}: it disagrees with the flags, and golive check will say which is wrong` });
      }
    } else {
      mapped.push({ variable: api.variable, field: 'endpoints.api' });
      endpoints.push(`  api: ${q(apiUrl.origin)}`);
    }
    if (apiUrl.pathname !== '/' && apiUrl.pathname !== '') {
      inferred.push({ field: 'endpoints.api', value: apiUrl.origin, reason: `the path ${apiUrl.pathname} of ${api.variable} is dropped: probe.path (${THREDD.probe.path}) is the full path on the host` });
    }
  }
  const token = take('endpoints.token');
  if (token) {
    const tokenUrl = parseUrl(token.value);
    if (!tokenUrl) ignored.push({ variable: token.variable, reason: 'not a URL' });
    else if (tokenUrl.href === THREDD.tokenEndpoint) mapped.push({ variable: token.variable, field: 'endpoints.token (the profile default: not written)' });
    else if (tokenUrl.origin === new URL(THREDD.tokenEndpoint).origin && (tokenUrl.pathname === '/' || tokenUrl.pathname === '')) {
      ignored.push({ variable: token.variable, reason: `the token host, not the token URL: the profile's ${THREDD.tokenEndpoint} is used` });
    } else {
      mapped.push({ variable: token.variable, field: 'endpoints.token' });
      endpoints.push(`  token: ${q(tokenUrl.href)}`);
    }
  }
  const jwks = take('endpoints.jwks');
  if (jwks && organisationId && jwks.value === threddEndpoints(environment, connectivity, organisationId).jwks) {
    mapped.push({ variable: jwks.variable, field: 'endpoints.jwks (the profile default: not written)' });
  } else if (jwks) {
    mapped.push({ variable: jwks.variable, field: 'endpoints.jwks' });
    endpoints.push(`  jwks: ${q(jwks.value)}`);
  }
  if (endpoints.length > 0) lines.push('', '# Overrides of what the thredd profile derives:', 'endpoints:', ...endpoints);

  const ssa = take('ssa');
  if (ssa) ignored.push({ variable: ssa.variable, reason: 'the software statement id is not needed for a token; golive does not use it' });

  lines.push('', 'http:', '  timeoutMs: 10000', '', 'expiryWarningDays: 30');

  // Whatever path a known variable took, it is accounted for: nothing is dropped silently.
  const accounted = new Set([...mapped, ...ignored].map(({ variable }) => variable));
  for (const { variable } of values.values()) {
    if (!accounted.has(variable)) ignored.push({ variable, reason: 'not used by this config' });
  }

  // In the export's order, so the table reads like the Postman variables tab.
  const order = new Map(variables.map((variable, index) => [variable.key, index] as const));
  const byExportOrder = (a: { variable: string }, b: { variable: string }): number => order.get(a.variable)! - order.get(b.variable)!;
  return {
    ...(name !== undefined && { name }),
    variableCount: variables.length,
    config: lines.join('\n') + '\n',
    files,
    mapped: mapped.sort(byExportOrder),
    inferred,
    guessed,
    todo,
    ignored: ignored.sort(byExportOrder),
    unknown,
    exports,
    secrets: [...secrets],
  };
}

/**
 * Parses the text of a Postman export. A syntax error says where, never
 * what: V8's own message quotes the text around it, which may be a secret.
 */
export function parsePostmanJson(text: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(body);
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    if (body.trim() === '') throw new PostmanFormatError('is empty, not a Postman export');
    if (/end of JSON input/i.test((error as Error).message)) throw new PostmanFormatError('is not valid JSON: it ends before the document does (cut short?)');
    if (!position) throw new PostmanFormatError('is not valid JSON');
    const before = body.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    throw new PostmanFormatError(`is not valid JSON: syntax error at line ${line}, column ${column}`);
  }
}

/** Writes one file whole (the CLI passes its atomic writer). */
export type FileWriter = (file: string, content: string, mode: number) => Promise<void>;

/**
 * Writes the key and certificate files (keys mode 0600), then the config.
 * Writes nothing when any of them exists, unless `force`: returns those.
 */
export async function writePostmanImport(
  imported: PostmanImport,
  configFile: string,
  options: { force?: boolean; write: FileWriter },
): Promise<{ written: string[]; existing: string[] }> {
  const dir = path.dirname(configFile);
  const targets = [
    ...imported.files.map((file) => ({ file: path.resolve(dir, file.path), content: file.content, mode: file.mode })),
    { file: configFile, content: imported.config, mode: 0o644 },
  ];
  const exists = await Promise.all(
    targets.map(({ file }) =>
      access(file).then(
        () => true,
        () => false,
      ),
    ),
  );
  const existing = targets.filter((_, index) => exists[index]).map(({ file }) => file);
  if (existing.length > 0 && !options.force) return { written: [], existing };
  // Keys first: the config never names a key file that is not there yet.
  for (const { file, content, mode } of targets) await options.write(file, content, mode);
  return { written: targets.map(({ file }) => file), existing };
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

/**
 * What `golive init --from-postman` prints after writing: every decision,
 * and the names (never the values) of what was left out. `shown` is the
 * config file as the user named it; the files written sit in its folder.
 */
export function describePostmanImport(imported: PostmanImport, source: string, shown: string): string {
  const out: string[] = [];
  const count = imported.variableCount;
  out.push(`Imported ${count} variable${count === 1 ? '' : 's'} from ${source}${imported.name ? ` (Postman environment "${imported.name}")` : ''}.`);
  for (const file of imported.files) {
    const where = path.join(path.dirname(shown), file.path);
    out.push(`Wrote ${where} (mode ${file.mode.toString(8).padStart(4, '0')}) from ${file.from}; its content is not shown.`);
  }
  out.push(`Wrote ${shown}.`);
  if (imported.mapped.length > 0) {
    out.push('', 'Mapped:', ...table(imported.mapped.map(({ variable, field }) => [variable, `-> ${field}`])));
  }
  if (imported.inferred.length > 0) {
    out.push('', 'Inferred (review):', ...table(imported.inferred.map(({ field, value, reason }) => [`${field}: ${value}`, reason])));
  }
  if (imported.guessed.length > 0) {
    out.push('', `Guessed (not in the export: confirm or edit in ${shown}):`, ...table(imported.guessed.map(({ field, value, reason }) => [`${field}: ${value}`, reason])));
  }
  if (imported.ignored.length > 0) {
    out.push('', 'Not used:', ...table(imported.ignored.map(({ variable, reason }) => [variable, reason])));
  }
  if (imported.unknown.length > 0) {
    out.push('', `Not imported, unknown to golive (values not shown): ${imported.unknown.join(', ')}`);
  }
  if (imported.todo.length > 0) {
    out.push('', 'To do by hand:', ...imported.todo.map((item) => `  - ${item}`));
  }
  if (imported.exports.length > 0) {
    out.push('', 'Secrets are not in the config. Before golive check, export:');
    for (const { name, from } of imported.exports) out.push(`  export ${name}=...   # the value of ${from} in Postman (not shown here)`);
  }
  out.push('', `Next: golive check ${shown}`);
  return out.join('\n') + '\n';
}
