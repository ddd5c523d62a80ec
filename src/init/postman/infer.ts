import type { AuthMethod, Connectivity, Environment } from '../../config/types.js';
import { threddEnvironmentOfHost } from '../../profiles/thredd.js';
import type { Assigned, Target } from './targets.js';
import type { Inference, PostmanImport, PostmanOverrides } from './types.js';

/** The API base URL the export gives, and the Thredd environment and connectivity its host is for, if it is Thredd's. */
export interface ApiBase {
  variable: string;
  url: URL;
  thredd: { environment: Environment; connectivity: Connectivity } | undefined;
}

/** The settings no single variable gives, each inferred from the export or the flags, or guessed. */
export interface Setup {
  environment: Environment;
  connectivity: Connectivity;
  authMethod: AuthMethod;
  /** Absent when the export has no base URL, or one that is not a URL. */
  api?: ApiBase;
  inferred: Inference[];
  guessed: Inference[];
  ignored: PostmanImport['ignored'];
}

/** A setting's value and why; `guessed` when neither the export nor a flag says it. */
interface Decision<T extends string> {
  value: T;
  reason: string;
  guessed?: true;
}

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function decideEnvironment(api: ApiBase | undefined, override: Environment | undefined): Decision<Environment> {
  if (override) {
    const disagreement = api?.thredd && api.thredd.environment !== override ? ` (but ${api.variable} ${api.url.origin} is Thredd's ${api.thredd.environment} host)` : '';
    return { value: override, reason: `from --environment${disagreement}` };
  }
  if (api?.thredd) return { value: api.thredd.environment, reason: `${api.variable} ${api.url.origin} is Thredd's ${api.thredd.environment === 'uat' ? 'UAT' : 'Production'} host` };
  return {
    value: 'uat',
    reason: `${api ? `${api.variable} ${api.url.origin} is not a Thredd API host` : 'there is no base URL'}, so nothing says UAT or Production: set environment (or rerun with --environment)`,
    guessed: true,
  };
}

function decideConnectivity(api: ApiBase | undefined, values: ReadonlyMap<Target, Assigned>, override: Connectivity | undefined): Decision<Connectivity> {
  if (override) return { value: override, reason: 'from --connectivity' };
  if (api?.thredd) return { value: api.thredd.connectivity, reason: `${api.url.origin} is Thredd's ${api.thredd.connectivity === 'mtls' ? 'mTLS' : 'TLS'} host` };
  const transport = values.get('transport.privateKey') ?? values.get('transport.certificate');
  if (transport) return { value: 'mtls', reason: `${transport.variable} holds a transport credential` };
  return { value: 'tls', reason: 'no Thredd API host and no transport certificate say mtls', guessed: true };
}

function decideAuthMethod(values: ReadonlyMap<Target, Assigned>, override: AuthMethod | undefined): Decision<AuthMethod> {
  if (override) return { value: override, reason: 'from --auth-method' };
  const privateKey = values.get('signing.privateKey');
  const secret = values.get('client.secret');
  if (privateKey) return { value: 'private_key_jwt', reason: `${privateKey.variable} holds a private key${secret ? ` (${secret.variable} is then not used)` : ''}` };
  if (secret) {
    return {
      value: 'client_secret_post',
      reason: `${secret.variable} holds a client secret; client_secret_post sends it in the body, as Postman does by default (client_secret_basic sends it in a header)`,
    };
  }
  return { value: 'private_key_jwt', reason: 'neither a client secret nor a private key is in the export', guessed: true };
}

/** Environment and connectivity: the API host says both when it is Thredd's. The auth method: the credentials the export holds. */
export function inferSetup(values: ReadonlyMap<Target, Assigned>, overrides: PostmanOverrides): Setup {
  const ignored: Setup['ignored'] = [];
  const base = values.get('api');
  const url = base && parseUrl(base.value);
  if (base && !url) ignored.push({ variable: base.variable, reason: 'not a URL' });
  const api = base && url && { variable: base.variable, url, thredd: threddEnvironmentOfHost(url.origin) };

  const environment = decideEnvironment(api, overrides.environment);
  const connectivity = decideConnectivity(api, values, overrides.connectivity);
  const authMethod = decideAuthMethod(values, overrides.authMethod);
  const inferred: Inference[] = [];
  const guessed: Inference[] = [];
  for (const [field, decision] of [
    ['environment', environment],
    ['connectivity', connectivity],
    ['client.authMethod', authMethod],
  ] as const) {
    (decision.guessed ? guessed : inferred).push({ field, value: decision.value, reason: decision.reason });
  }
  return {
    environment: environment.value,
    connectivity: connectivity.value,
    authMethod: authMethod.value,
    ...(api && { api }),
    inferred,
    guessed,
    ignored,
  };
}
