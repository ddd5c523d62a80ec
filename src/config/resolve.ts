import path from 'node:path';
import { THREDD, threddEndpoints } from '../profiles/thredd.js';
import type {
  AuthMethod,
  Connectivity,
  CredentialFiles,
  Endpoints,
  Environment,
  ParsedConfig,
  Profile,
  Region,
  ResolvedConfig,
} from './types.js';

/** The schema-valid, interpolated document, as plain data. */
interface ConfigData {
  profile?: Profile;
  environment: Environment;
  connectivity: Connectivity;
  region?: number | string;
  organisationId?: string;
  client: { id: string; authMethod: AuthMethod; secret?: string; scopes?: string[] };
  signing?: { certificate?: string; privateKey: string; passphrase?: string; kid?: string; algorithm?: string; audience?: string };
  transport?: { certificate?: string; privateKey: string; passphrase?: string };
  endpoints?: Partial<Endpoints>;
  probe?: { method?: string; path?: string; expectStatus?: number[] };
  http?: { timeoutMs?: number; ca?: string; jwksMaxBytes?: number };
  expiryWarningDays?: number;
  thredd?: { issuers?: string[] };
}

const emptyToUndefined = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

function credentialFiles(
  section: { certificate?: string; privateKey: string; passphrase?: string },
  dir: string,
): CredentialFiles {
  return {
    certificate: section.certificate ? path.resolve(dir, section.certificate) : undefined,
    privateKey: path.resolve(dir, section.privateKey),
    passphrase: emptyToUndefined(section.passphrase),
  };
}

/**
 * Builds the resolved config from interpolated data: defaults applied,
 * relative paths resolved against the config's folder, endpoints derived
 * from the profile. Returns the region as written when it is not 0, 1 or 2.
 */
export function resolveConfig(data: unknown, parsed: ParsedConfig): ResolvedConfig | { badRegion: string } {
  const config = data as ConfigData;
  const region = Number(config.region ?? 0);
  if (![0, 1, 2].includes(region) || String(config.region ?? 0).trim() === '') {
    return { badRegion: String(config.region) };
  }
  const profile = config.profile ?? 'thredd';
  const organisationId = config.organisationId ?? '';
  const derived: Endpoints =
    profile === 'thredd'
      ? threddEndpoints(config.environment, config.connectivity, organisationId)
      : { token: '', jwks: '', api: '' };
  const overrides = config.endpoints ?? {};
  const endpoints: Endpoints = {
    token: overrides.token ?? derived.token,
    jwks: (overrides.jwks ?? derived.jwks).replace('{organisationId}', encodeURIComponent(organisationId)),
    api: (overrides.api ?? derived.api).replace(/\/+$/, ''),
  };
  return {
    parsed,
    profile,
    environment: config.environment,
    connectivity: config.connectivity,
    region: region as Region,
    organisationId,
    client: {
      id: config.client.id,
      authMethod: config.client.authMethod,
      secret: emptyToUndefined(config.client.secret),
      scopes: config.client.scopes ?? [],
    },
    signing: config.signing && {
      ...credentialFiles(config.signing, parsed.dir),
      kid: emptyToUndefined(config.signing.kid),
      algorithm: config.signing.algorithm ?? 'PS256',
      audience: emptyToUndefined(config.signing.audience),
    },
    transport: config.transport && credentialFiles(config.transport, parsed.dir),
    endpoints,
    endpointsOverridden: {
      token: overrides.token !== undefined,
      jwks: overrides.jwks !== undefined,
      api: overrides.api !== undefined,
    },
    probe: {
      method: config.probe?.method ?? THREDD.probe.method,
      path: config.probe?.path ?? THREDD.probe.path,
      expectStatus: config.probe?.expectStatus ?? [...THREDD.probe.expectStatus],
    },
    http: {
      timeoutMs: config.http?.timeoutMs ?? 10_000,
      ca: config.http?.ca ? path.resolve(parsed.dir, config.http.ca) : undefined,
      jwksMaxBytes: config.http?.jwksMaxBytes ?? 1_048_576,
    },
    expiryWarningDays: config.expiryWarningDays ?? THREDD.renewalNoticeDays,
    thredd: { issuers: config.thredd?.issuers ?? [] },
  };
}
