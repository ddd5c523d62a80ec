import { SECRET_NAME } from '../../config/interpolate.js';
import { looksLikePath, PEM_PRIVATE_KEY } from './material.js';
import type { PostmanVariable } from './read.js';
import { REFERENCE_EXPANSION_LIMIT, resolveReferences } from './references.js';
import type { PostmanImport } from './types.js';

/** The golive fields a Postman variable can feed. */
export type Target =
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

/** The variable that gives a target, and its value with `{{references}}` resolved. */
export interface Assigned {
  variable: string;
  value: string;
}

export interface Assignment {
  values: ReadonlyMap<Target, Assigned>;
  ignored: PostmanImport['ignored'];
  unknown: string[];
  /** Every secret value met, as given and as resolved. */
  secrets: Set<string>;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[\s._-]/g, '');
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

/**
 * Which golive field each variable feeds, by its name, with its references
 * resolved; the first usable variable for a field wins. Every variable not
 * used is named in `ignored` or `unknown`, with why.
 */
export function assignTargets(variables: readonly PostmanVariable[]): Assignment {
  const ignored: Assignment['ignored'] = [];
  const unknown: string[] = [];
  const secrets = new Set<string>();
  const classified = variables.map((variable) => {
    const target = TARGET_OF.get(normalise(variable.key));
    return { variable, target, secret: holdsSecret(variable, target) };
  });
  // A `{{name}}` takes the value of the last enabled variable so named.
  const referable = new Map(classified.filter(({ variable }) => variable.enabled).map(({ variable, secret }) => [variable.key, { value: variable.value, secret }]));
  const budget = { left: REFERENCE_EXPANSION_LIMIT };
  const values = new Map<Target, Assigned>();
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
  return { values, ignored, unknown, secrets };
}
