import { X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientInstance, Provider as ProviderType, ProviderContext } from 'oidc-provider';
import { DOCUMENTED_AUDIENCE } from './faults.js';
import { pathOf, sandboxNow, setDateHeader, type FaultState } from './http.js';
import { organisationJwks } from './jwks-host.js';
import { importOidcProvider } from './stack.js';
import { CLIENT_KEYS, type Material } from './material.js';

export const TOKEN_PATH = '/oauth2/token';
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const ACCESS_TOKEN_ALG = 'ES256';
/** The realm of the token endpoint's challenge under `token-401-challenge`. */
export const CHALLENGE_REALM = 'golive-sandbox';

type OidcModule = typeof import('oidc-provider');
let oidcModule: Promise<OidcModule> | undefined;

/**
 * oidc-provider warns on import that Node 20 is not an LTS it supports, and on
 * construction about development defaults; both are noise for sandbox users.
 */
async function quietly<T>(work: () => Promise<T> | T): Promise<T> {
  const { warn, info } = console;
  const filter =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider')) return;
      original.apply(console, args);
    };
  console.warn = filter(warn);
  console.info = filter(info);
  try {
    return await work();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

export function loadOidcProvider(): Promise<OidcModule> {
  oidcModule ??= quietly(importOidcProvider);
  return oidcModule;
}

export interface AuthServerOptions {
  material: Material;
  faults: FaultState;
  issuer: string;
  /** The resource (audience) access tokens are issued for. */
  resource: string;
  jwksUri: string;
  log: (line: string) => void;
}

export interface AuthServer {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Forgets the organisation keys the provider cached, so JWKS faults apply at once. */
  forgetClientKeys(): void;
}

function clientMetadata(material: Material, jwksUri: string) {
  return CLIENT_KEYS.map((key) => {
    const [method, connectivity] = key.split('-') as [string, string];
    return {
      client_id: material.clients[key],
      ...(method === 'private_key_jwt' ? { jwks_uri: jwksUri } : { client_secret: material.clientSecret }),
      token_endpoint_auth_method: method,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      tls_client_certificate_bound_access_tokens: connectivity === 'mtls',
      // The provider signs with its one EC key; its RS256 default would not validate.
      id_token_signed_response_alg: ACCESS_TOKEN_ALG,
    };
  });
}

function certificateOf(ctx: ProviderContext): X509Certificate | undefined {
  const socket = ctx.socket as Partial<import('node:tls').TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  return peer?.raw?.length ? new X509Certificate(peer.raw) : undefined;
}

/** The authorization server: oidc-provider with the client_credentials grant only. */
export async function createAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const { material, faults, log } = options;
  const { Provider, errors } = await loadOidcProvider();

  // Checks oidc-provider has no switch for: the sandbox clock and registered certificates.
  const assertJwtClientAuthClaimsAndHeader = async (
    _ctx: unknown,
    claims: { exp?: number },
    header: { kid?: string },
  ): Promise<void> => {
    const now = Math.floor(sandboxNow(faults) / 1000);
    if (faults.has('clock-offset') && typeof claims.exp === 'number' && claims.exp <= now) {
      throw new errors.InvalidClientAuth(
        `client assertion expired: exp ${claims.exp} is before the server time ${now} (${new Date(now * 1000).toISOString()})`,
      );
    }
    const registered = organisationJwks(material, faults).keys.find((key) => key.kid === header.kid);
    const leaf = registered?.x5c[0];
    if (leaf) {
      const cert = new X509Certificate(Buffer.from(leaf, 'base64'));
      if (Date.parse(cert.validTo) <= Date.now()) {
        throw new errors.InvalidClientAuth(
          `the certificate registered for kid ${header.kid} expired on ${new Date(cert.validTo).toISOString()}`,
        );
      }
    }
  };

  const provider: ProviderType = await quietly(
    () =>
      new Provider(options.issuer, {
        clients: clientMetadata(material, options.jwksUri),
        jwks: { keys: [{ ...material.providerKey, use: 'sig', alg: ACCESS_TOKEN_ALG }] },
        routes: { token: TOKEN_PATH, jwks: '/oauth2/jwks' },
        clientAuthMethods: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
        enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256'] },
        assertJwtClientAuthClaimsAndHeader,
        features: {
          devInteractions: { enabled: false },
          clientCredentials: { enabled: true },
          introspection: { enabled: false },
          revocation: { enabled: false },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => options.resource,
            useGrantedResource: () => true,
            getResourceServerInfo: () => ({
              scope: '',
              audience: options.resource,
              accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
            }),
          },
          mTLS: {
            enabled: true,
            certificateBoundAccessTokens: true,
            getCertificate: certificateOf,
          },
        },
        ttl: { ClientCredentials: ACCESS_TOKEN_TTL_SECONDS },
        // The provider refuses loopback addresses in its own fetch (SSRF protection); the
        // organisation JWKS lives on 127.0.0.1 here, so fetch without that dispatcher.
        fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
          const { dispatcher: _ssrfGuard, ...rest } = init;
          return fetch(url, rest);
        },
      }),
  );

  const defaultAudiences = provider.OIDCContext.prototype.clientJwtAuthExpectedAudience;
  provider.OIDCContext.prototype.clientJwtAuthExpectedAudience = function (this: unknown) {
    if (faults.has('audience-mismatch')) return new Set([DOCUMENTED_AUDIENCE]);
    return defaultAudiences.call(this);
  };

  provider.on('error', (error) => log(`sandbox token endpoint error: ${String(error)}`));
  // Token errors tell the client little (as on the real platform); the sandbox operator sees why.
  provider.on('grant.error', (_ctx, error) => {
    const { error: code, error_description: description, error_detail: detail } = error as Record<string, unknown>;
    log(`sandbox token request refused: ${String(code)}: ${String(detail ?? description)}`);
  });
  provider.on('server_error', (_ctx, error) => log(`sandbox token endpoint error: ${String(error)}`));

  const keyClients: ClientInstance[] = [];
  for (const key of CLIENT_KEYS.filter((k) => k.startsWith('private_key_jwt'))) {
    const client = await provider.Client.find(material.clients[key]);
    if (client) keyClients.push(client);
  }

  const callback = provider.callback();
  return {
    handle(req, res) {
      setDateHeader(res, faults);
      if (faults.has('token-garbage') && req.method === 'POST' && pathOf(req) === TOKEN_PATH) {
        req.resume();
        const garbage = '<html><body>upstream connect error or disconnect/reset before headers</body></html>';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(garbage.length) });
        res.end(garbage);
        return;
      }
      // RFC 6749 §5.2: failed client authentication over the Authorization header may be a bare 401 challenge.
      if (faults.has('token-401-challenge') && req.method === 'POST' && pathOf(req) === TOKEN_PATH) {
        req.resume();
        res.writeHead(401, { 'www-authenticate': `Basic realm="${CHALLENGE_REALM}"`, 'content-length': '0' });
        res.end();
        return;
      }
      callback(req, res);
    },
    forgetClientKeys() {
      for (const client of keyClients) {
        client.asymmetricKeyStore.clear();
        client.asymmetricKeyStore.freshUntil = 0;
      }
    },
  };
}
