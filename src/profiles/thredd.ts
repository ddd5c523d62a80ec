import type { Connectivity, Endpoints, Environment } from '../config/types.js';

/**
 * Every Thredd fact golive relies on lives here: hosts, token URL, JWKS
 * template, regions and sandbox CA names. Checks ask this module; they never
 * hard-code a host.
 */
export const THREDD = {
  tokenEndpoint: 'https://threddid.com/oauth2/token',
  /** The audience as Thredd's documentation writes it: note the www and no scheme. */
  documentedAudience: 'www.threddid.com/oauth2/token',
  jwksTemplate: 'http://jwks.threddid.com/{organisationId}/jwks.json',
  jwksHost: 'jwks.threddid.com',
  apiHosts: {
    uat: { tls: 'https://uat-api.thredd.com', mtls: 'https://uat-mtls.thredd.com' },
    production: { tls: 'https://api.thredd.com', mtls: 'https://mtls.thredd.com' },
  } satisfies Record<Environment, Record<Connectivity, string>>,
  regions: { 0: 'Default', 1: 'EMEA', 2: 'APAC' } as Record<number, string>,
  /**
   * Thredd emails a renewal notice this many days before a certificate
   * expires (its public documentation): the default `expiryWarningDays`, and
   * the window after go-live a Production certificate must outlast.
   */
  renewalNoticeDays: 60,
  /** New certificates Thredd issues are valid for this many days (its public documentation). */
  certificateLifetimeDays: 350,
  /** A client certificate valid for longer than this was not issued the way Thredd issues them: a warning. */
  maxCertificateLifetimeDays: 400,
  /**
   * Issuers golive knows as Thredd's CAs, by common name, organisation or
   * whole name: the sandbox's. A config adds its deployment's under
   * `thredd.issuers`. Any other private CA may be Thredd's too: only
   * self-signed and public-CA certificates are judged.
   */
  issuers: ['Thredd Sandbox Issuing CA'],
  /** Issuer names that mark a certificate as sandbox/test material. */
  sandboxCaPatterns: [/sandbox/i, /\btest\b/i, /\buat\b/i, /golive sandbox/i],
  probe: { method: 'GET', path: '/core/api/v1/products', expectStatus: [200] },
  /** Platform limit on concurrent connections per client IP. */
  maxConnectionsPerIp: 20,
  assertionMaxLifetimeSeconds: 300,
  /** The client assertion algorithms Thredd documents (its JWKS hold RSA and EC keys). */
  assertionAlgorithms: ['RS256', 'PS256', 'ES256'],
} as const;

export function threddEndpoints(environment: Environment, connectivity: Connectivity, organisationId: string): Endpoints {
  return {
    token: THREDD.tokenEndpoint,
    jwks: THREDD.jwksTemplate.replace('{organisationId}', encodeURIComponent(organisationId)),
    api: THREDD.apiHosts[environment][connectivity],
  };
}

/** Which Thredd environment a host belongs to, if it is a Thredd API host. */
export function threddEnvironmentOfHost(url: string): { environment: Environment; connectivity: Connectivity } | undefined {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  for (const environment of ['uat', 'production'] as const) {
    for (const connectivity of ['tls', 'mtls'] as const) {
      if (THREDD.apiHosts[environment][connectivity] === origin) return { environment, connectivity };
    }
  }
  return undefined;
}

/** True when a certificate issuer names a sandbox or test CA. */
export function isSandboxIssuer(issuer: string): boolean {
  return THREDD.sandboxCaPatterns.some((pattern) => pattern.test(issuer));
}
