import { THREDD, threddEndpoints } from '../../profiles/thredd.js';
import { configVariables, type ConfigVariables } from '../variables.js';
import { commented, commentText, SCHEMA_COMMENT, SECRETS_COMMENT, yamlString } from '../yaml.js';
import { inferSetup, parseUrl, type Setup } from './infer.js';
import { algorithmFor, certificateMode, looksLikePath, pemContent } from './material.js';
import { postmanVariables } from './read.js';
import { assignTargets, type Assigned, type Target } from './targets.js';
import type { PostmanImport, PostmanOverrides } from './types.js';

/** The config's lines so far, and the lists of the import that each field drafted adds to. */
interface Draft extends Pick<PostmanImport, 'files' | 'mapped' | 'inferred' | 'guessed' | 'todo' | 'ignored' | 'exports'> {
  lines: string[];
  values: ReadonlyMap<Target, Assigned>;
  setup: Setup;
  /** The variables the config reads ids and secrets from: Production's are its own. */
  variables: ConfigVariables;
  /** The folder for key and certificate files, relative to the config. */
  certs: string;
}

/** What to do by hand about a field the export does not give: the comment beside its placeholder, and the to-do. */
interface Missing {
  comment: string;
  todo: string;
}

/** The value of `target`, recorded as mapped to `field`. */
function use(draft: Draft, target: Target, field: string): string | undefined {
  const found = draft.values.get(target);
  if (found) draft.mapped.push({ variable: found.variable, field });
  return found?.value;
}

function wasGuessed(draft: Draft, field: string): boolean {
  return draft.guessed.some((guess) => guess.field === field);
}

function placeholder(draft: Draft, line: string, missing: Missing): void {
  draft.lines.push(commented(line, missing.comment));
  draft.todo.push(missing.todo);
}

/** `key: "value"` when the export gives `target`; else `key: "${variable}"` with what to do by hand. */
function valueOrPlaceholder(draft: Draft, target: Target, key: string, variable: string, missing: Missing): void {
  const value = use(draft, target, target);
  if (value) draft.lines.push(`${key}: ${yamlString(value)}`);
  else placeholder(draft, `${key}: "\${${variable}}"`, missing);
}

function draftTopLevel(draft: Draft, name: string | undefined): void {
  const { lines, setup } = draft;
  lines.push(
    SCHEMA_COMMENT,
    `# Imported from the Postman environment${name ? ` "${commentText(name)}"` : ''} by \`golive init --from-postman\`.`,
    SECRETS_COMMENT,
    "# Relative paths resolve against this file's folder. Check it with `golive check <this file>`.",
    '',
    'profile: thredd',
  );
  lines.push(wasGuessed(draft, 'environment') ? commented(`environment: ${setup.environment}`, 'GUESSED: uat or production? Nothing in the export said') : `environment: ${setup.environment}`);
  lines.push(wasGuessed(draft, 'connectivity') ? commented(`connectivity: ${setup.connectivity}`, 'GUESSED: tls unless the client is registered for mTLS') : `connectivity: ${setup.connectivity}`);

  const region = draft.values.get('region');
  if (region && /^[012]$/.test(region.value)) {
    draft.mapped.push({ variable: region.variable, field: 'region' });
    lines.push(`region: ${region.value}`);
  } else {
    if (region) draft.ignored.push({ variable: region.variable, reason: `"${region.value}" is not a region (0, 1 or 2)` });
    const why = region ? `${region.variable} is not 0, 1 or 2` : 'no x-region variable';
    lines.push(commented('region: 0', `GUESSED: ${commentText(why)}; 0 Default, 1 EMEA, 2 APAC`));
    draft.guessed.push({ field: 'region', value: '0', reason: `${why}: 0 is the Default region` });
  }

  const { organisationId } = draft.variables;
  valueOrPlaceholder(draft, 'organisationId', 'organisationId', organisationId, {
    comment: 'not in the Postman export: from the portal',
    todo: `organisationId: export ${organisationId} or edit the config (no organisation id variable in the export)`,
  });
}

function draftClient(draft: Draft): void {
  const { lines, setup } = draft;
  const { clientId, clientSecret } = draft.variables;
  lines.push('', 'client:');
  valueOrPlaceholder(draft, 'client.id', '  id', clientId, {
    comment: 'not in the Postman export',
    todo: `client.id: export ${clientId} or edit the config (no usable client_id variable in the export)`,
  });
  lines.push(
    wasGuessed(draft, 'client.authMethod')
      ? commented(`  authMethod: ${setup.authMethod}`, 'GUESSED: client_secret_post | client_secret_basic | private_key_jwt')
      : `  authMethod: ${setup.authMethod}`,
  );
  const secret = draft.values.get('client.secret');
  if (setup.authMethod !== 'private_key_jwt') {
    lines.push(`  secret: "\${${clientSecret}}"`);
    if (secret) {
      draft.mapped.push({ variable: secret.variable, field: `client.secret (as \${${clientSecret}})` });
      draft.exports.push({ name: clientSecret, from: secret.variable });
    } else {
      draft.todo.push(`client.secret: export ${clientSecret} (no client_secret variable in the export)`);
    }
  } else if (secret) {
    draft.ignored.push({ variable: secret.variable, reason: 'private_key_jwt does not use a client secret (not written)' });
  }
  const scope = use(draft, 'client.scopes', 'client.scopes');
  const scopes = scope ? scope.split(/[\s,]+/).filter(Boolean) : [];
  lines.push(`  scopes: [${scopes.map(yamlString).join(', ')}]`);
}

/** A key or certificate: a path stays in the config; PEM text moves into `file`, which the config names instead. */
function placeMaterial(draft: Draft, key: 'certificate' | 'privateKey', found: Assigned, file: string, mode: number): void {
  if (looksLikePath(found.value)) draft.lines.push(`  ${key}: ${yamlString(found.value)}`);
  else {
    draft.files.push({ path: file, content: pemContent(found.value), mode, from: found.variable });
    draft.lines.push(`  ${key}: ${file}`);
  }
}

/**
 * The certificate and private key of the signing or transport section.
 * Returns the key's variable, with the key file's content when PEM text
 * moved into it; undefined when the export has no key.
 */
function draftKeyPair(
  draft: Draft,
  section: 'signing' | 'transport',
  missing: Record<'certificate' | 'privateKey', Missing>,
): { variable: string; content?: string } | undefined {
  const certificate = draft.values.get(`${section}.certificate`);
  const certificateFile = `${draft.certs}/${section}.pem`;
  if (certificate) {
    draft.mapped.push({ variable: certificate.variable, field: `${section}.certificate` });
    placeMaterial(draft, 'certificate', certificate, certificateFile, certificateMode(certificate.value));
  } else placeholder(draft, `  certificate: ${certificateFile}`, missing.certificate);

  const key = draft.values.get(`${section}.privateKey`);
  const keyFile = `${draft.certs}/${section}.key`;
  if (!key) {
    placeholder(draft, `  privateKey: ${keyFile}`, missing.privateKey);
    return undefined;
  }
  const named = looksLikePath(key.value);
  draft.mapped.push({ variable: key.variable, field: named ? `${section}.privateKey (a file path)` : `${section}.privateKey (moved to ${keyFile})` });
  placeMaterial(draft, 'privateKey', key, keyFile, 0o600);
  return named ? { variable: key.variable } : { variable: key.variable, content: pemContent(key.value) };
}

function draftSigning(draft: Draft): void {
  const { lines, certs } = draft;
  lines.push('', 'signing:');
  const key = draftKeyPair(draft, 'signing', {
    certificate: {
      comment: 'not in the Postman export: save the signing certificate here',
      todo: `signing.certificate: save the signing certificate from the portal as ${certs}/signing.pem`,
    },
    privateKey: {
      comment: 'not in the Postman export: save the private key here (chmod 600)',
      todo: `signing.privateKey: save the signing private key as ${certs}/signing.key (chmod 600)`,
    },
  });
  const passphrase = draft.values.get('signing.passphrase');
  if (passphrase) {
    const { signingPassphrase } = draft.variables;
    draft.mapped.push({ variable: passphrase.variable, field: `signing.passphrase (as \${${signingPassphrase}})` });
    draft.exports.push({ name: signingPassphrase, from: passphrase.variable });
    lines.push(`  passphrase: "\${${signingPassphrase}}"`);
  }
  const algorithm = !key
    ? { algorithm: 'PS256', reason: 'no private key in the export, so the default' }
    : key.content === undefined
      ? { algorithm: 'PS256', reason: `${key.variable} names a file, so the default` }
      : algorithmFor(key.content);
  lines.push(`  algorithm: ${algorithm.algorithm}`);
  draft.inferred.push({ field: 'signing.algorithm', value: algorithm.algorithm, reason: algorithm.reason });
  const kid = use(draft, 'signing.kid', 'signing.kid');
  if (kid) lines.push(`  kid: ${yamlString(kid)}`);
  const audience = use(draft, 'signing.audience', 'signing.audience');
  if (audience) lines.push(`  audience: ${yamlString(audience)}`);
}

function draftTransport(draft: Draft): void {
  const { certs } = draft;
  draft.lines.push('', 'transport:');
  draftKeyPair(draft, 'transport', {
    certificate: {
      comment: 'Postman keeps it under Settings > Certificates: save it here',
      todo: `transport.certificate: save the mTLS transport certificate (Postman Settings > Certificates) as ${certs}/transport.pem`,
    },
    privateKey: {
      comment: 'Postman keeps it under Settings > Certificates: save it here (chmod 600)',
      todo: `transport.privateKey: save the mTLS transport key as ${certs}/transport.key (chmod 600)`,
    },
  });
}

/** Variables for a section the config does not have, recorded as not used. */
function ignoreAll(draft: Draft, targets: readonly Target[], reason: string): void {
  for (const target of targets) {
    const found = draft.values.get(target);
    if (found) draft.ignored.push({ variable: found.variable, reason });
  }
}

/** Endpoints: written only where they differ from what the profile derives. */
function draftEndpoints(draft: Draft): void {
  const { setup, mapped, inferred, ignored } = draft;
  const endpoints: string[] = [];
  if (setup.api) {
    const { variable, url, thredd } = setup.api;
    if (thredd) {
      mapped.push({ variable, field: 'environment and connectivity (the profile derives endpoints.api)' });
      if (thredd.environment !== setup.environment || thredd.connectivity !== setup.connectivity) {
        endpoints.push(`  api: ${yamlString(url.origin)}`);
        inferred.push({ field: 'endpoints.api', value: url.origin, reason: `kept from ${variable}: it disagrees with the flags, and golive check will say which is wrong` });
      }
    } else {
      mapped.push({ variable, field: 'endpoints.api' });
      endpoints.push(`  api: ${yamlString(url.origin)}`);
    }
    if (url.pathname !== '/' && url.pathname !== '') {
      inferred.push({ field: 'endpoints.api', value: url.origin, reason: `the path ${url.pathname} of ${variable} is dropped: probe.path (${THREDD.probe.path}) is the full path on the host` });
    }
  }
  const token = draft.values.get('endpoints.token');
  if (token) {
    const tokenUrl = parseUrl(token.value);
    if (!tokenUrl) ignored.push({ variable: token.variable, reason: 'not a URL' });
    else if (tokenUrl.href === THREDD.tokenEndpoint) mapped.push({ variable: token.variable, field: 'endpoints.token (the profile default: not written)' });
    else if (tokenUrl.origin === new URL(THREDD.tokenEndpoint).origin && (tokenUrl.pathname === '/' || tokenUrl.pathname === '')) {
      ignored.push({ variable: token.variable, reason: `the token host, not the token URL: the profile's ${THREDD.tokenEndpoint} is used` });
    } else {
      mapped.push({ variable: token.variable, field: 'endpoints.token' });
      endpoints.push(`  token: ${yamlString(tokenUrl.href)}`);
    }
  }
  const jwks = draft.values.get('endpoints.jwks');
  const organisationId = draft.values.get('organisationId')?.value;
  if (jwks && organisationId && jwks.value === threddEndpoints(setup.environment, setup.connectivity, organisationId).jwks) {
    mapped.push({ variable: jwks.variable, field: 'endpoints.jwks (the profile default: not written)' });
  } else if (jwks) {
    mapped.push({ variable: jwks.variable, field: 'endpoints.jwks' });
    endpoints.push(`  jwks: ${yamlString(jwks.value)}`);
  }
  if (endpoints.length > 0) draft.lines.push('', '# Overrides of what the thredd profile derives:', 'endpoints:', ...endpoints);
}

/**
 * Maps a parsed Postman export to a golive config. Pure: no files are read
 * or written; `writePostmanImport` writes the result.
 */
export function importPostman(document: unknown, overrides: PostmanOverrides = {}): PostmanImport {
  const { name, variables } = postmanVariables(document);
  const assignment = assignTargets(variables);
  const setup = inferSetup(assignment.values, overrides);
  const draft: Draft = {
    lines: [],
    values: assignment.values,
    setup,
    variables: configVariables(setup.environment),
    certs: `certs/${setup.environment}`,
    files: [],
    mapped: [],
    inferred: [...setup.inferred],
    guessed: [...setup.guessed],
    todo: [],
    ignored: [...assignment.ignored, ...setup.ignored],
    exports: [],
  };

  draftTopLevel(draft, name);
  draftClient(draft);
  if (setup.authMethod === 'private_key_jwt') draftSigning(draft);
  else ignoreAll(draft, ['signing.privateKey', 'signing.certificate', 'signing.kid', 'signing.passphrase', 'signing.audience'], `${setup.authMethod} does not sign assertions`);
  if (setup.connectivity === 'mtls') draftTransport(draft);
  else ignoreAll(draft, ['transport.certificate', 'transport.privateKey'], 'connectivity is tls: no transport certificate is used');
  draftEndpoints(draft);
  ignoreAll(draft, ['ssa'], 'the software statement id is not needed for a token; golive does not use it');
  draft.lines.push('', 'http:', '  timeoutMs: 10000', '', 'expiryWarningDays: 60');

  // Whatever path a known variable took, it is accounted for: nothing is dropped silently.
  const { mapped, ignored } = draft;
  const accounted = new Set([...mapped, ...ignored].map(({ variable }) => variable));
  for (const { variable } of assignment.values.values()) {
    if (!accounted.has(variable)) ignored.push({ variable, reason: 'not used by this config' });
  }

  // In the export's order, so the table reads like the Postman variables tab.
  const order = new Map(variables.map((variable, index) => [variable.key, index] as const));
  const byExportOrder = (a: { variable: string }, b: { variable: string }): number => order.get(a.variable)! - order.get(b.variable)!;
  return {
    ...(name !== undefined && { name }),
    variableCount: variables.length,
    config: draft.lines.join('\n') + '\n',
    files: draft.files,
    mapped: mapped.sort(byExportOrder),
    inferred: draft.inferred,
    guessed: draft.guessed,
    todo: draft.todo,
    ignored: ignored.sort(byExportOrder),
    unknown: assignment.unknown,
    exports: draft.exports,
    secrets: [...assignment.secrets],
  };
}
