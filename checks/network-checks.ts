import { fail, pass, warn, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import type { ResolvedConfig } from '../src/config/types.js';
import { probeEndpoint, type ProbeResult } from '../src/net/probe.js';
import { describeProxy, proxyAdvice, proxyFor, proxyVariable } from '../src/net/proxy.js';
import { connectionMaterial } from '../src/net/transport-material.js';
import type { ReachableEndpoint } from '../src/online/types.js';

export type EndpointRole = 'token' | 'api';

const NAMES: Record<EndpointRole, string> = { token: 'token host', api: 'API host' };

const STEP_NAMES: Record<NonNullable<ProbeResult['failure']>['step'], string> = { dns: 'DNS', tcp: 'TCP', proxy: 'Proxy', tls: 'TLS', http: 'HTTP' };

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

function evidenceOf(probe: ProbeResult, config: ResolvedConfig, env: RunContext['env']): Evidence {
  const proxyVariables = PROXY_VARIABLES.filter((name) => env[name]);
  // The failure's own facts first: text reports show only the first few.
  return {
    ...(probe.failure && { layer: probe.failure.layer, code: probe.failure.code, step: probe.failure.step }),
    ...(probe.failure?.alert !== undefined && { tlsAlert: probe.failure.alert }),
    ...(probe.untrustedCertificate && { presentedCertificate: probe.untrustedCertificate }),
    url: probe.url,
    host: probe.host,
    port: probe.port,
    sni: probe.servername ?? null,
    ...(probe.addresses && { addresses: probe.addresses }),
    ...(probe.proxy && { proxy: probe.proxy }),
    // Names only: a proxy URL may carry credentials.
    ...(proxyVariables.length > 0 && { proxyVariables }),
    clientCertificate: config.connectivity === 'mtls',
    ...(probe.tls && { tlsVersion: probe.tls.protocol, cipher: probe.tls.cipher, serverCertificate: probe.tls.serverCertificate }),
    ...(probe.http && { httpStatus: probe.http.status, serverDate: probe.http.date ?? null }),
    timings: probe.timings,
  };
}

/** What to check when the way to a host goes through a proxy: the variables that chose it, and NO_PROXY to bypass it. */
function proxyHint(probe: ProbeResult, ctx: RunContext, timedOut: boolean): string {
  const advice = proxyAdvice(new URL(probe.url), ctx.env) ?? `Check the proxy ${probe.proxy ?? ''}.`;
  return `${advice}${timedOut ? ' Raise --timeout only if the proxy is known to be slow.' : ''}`;
}

function diagnose(role: EndpointRole, probe: ProbeResult, config: ResolvedConfig, ctx: RunContext, problem?: string): { message: string; hint: string } {
  const failure = probe.failure!;
  const where = `${NAMES[role]} ${probe.host}:${probe.port}`;
  const field = `endpoints.${role}`;
  const proxyNote = probe.proxy ? ` A proxy is set (${proxyVariable(new URL(probe.url), ctx.env)} ${probe.proxy}).` : '';
  const presented = probe.untrustedCertificate;
  switch (failure.layer) {
    case 'dns':
      return {
        message: `DNS: ${probe.host} does not resolve (${failure.code}); the ${NAMES[role]} cannot be reached.`,
        hint: `Check the spelling of ${field}, and that this machine's DNS (or VPN) can resolve the platform's hosts.`,
      };
    case 'tcp':
    case 'timeout':
      return {
        // A timeout names the step that hung: no TCP answer, no answer to CONNECT, no TLS handshake, or no HTTP response.
        message: `${STEP_NAMES[failure.step]}: ${where}: ${failure.reason} (${failure.code}).`,
        hint: probe.proxy
          ? proxyHint(probe, ctx, failure.layer === 'timeout')
          : `Check that outbound HTTPS to ${probe.host}:${probe.port} is allowed by your firewall (your egress IP may need allow-listing). If you must go through a proxy, set HTTPS_PROXY.`,
      };
    case 'proxy':
      return {
        message: `Proxy: ${failure.reason}, so the ${where} cannot be reached (${failure.code}).`,
        hint: proxyHint(probe, ctx, false),
      };
    case 'tls-trust': {
      const cert = presented ? ` The server presented "${presented.subject}" issued by "${presented.issuer}" (SHA-256 ${presented.fingerprintSha256}).` : '';
      return {
        message: `TLS: ${where}: ${failure.reason} (${failure.code}).${cert}`,
        hint: probe.proxy || ctx.env.HTTPS_PROXY || ctx.env.https_proxy
          ? `A TLS-intercepting proxy is the likely cause: add its CA certificate (PEM) to http.ca. Never turn certificate verification off.`
          : `If this issuer is one you trust (a corporate proxy, a test platform), add its CA certificate (PEM) to http.ca. Never turn certificate verification off.`,
      };
    }
    case 'tls-expired':
      return {
        message: `TLS: ${where}: ${failure.reason} (${failure.code})${presented ? `; it is valid from ${presented.validFrom} to ${presented.validTo}` : ''}.`,
        hint: 'Check this machine\'s clock; if it is right, the server certificate is the platform\'s to renew: report it to Thredd support with this report.',
      };
    case 'tls-hostname': {
      const names = presented?.subjectAltNames.join(', ') || 'none';
      return {
        message: `TLS: ${where}: the certificate does not name ${probe.host}; it names ${names}.`,
        hint: `Check ${field}: use the host name the platform documents (the certificate is for ${names}), not an IP address or an alias.`,
      };
    }
    case 'tls-client-certificate':
      return {
        message: `mTLS: ${where} refused the client certificate: ${failure.reason.replace(/^the TLS handshake failed: /, '')}.${problem ? ` Note: ${problem}.` : ''}`,
        hint:
          config.connectivity === 'mtls'
            ? 'Check that transport.certificate is the certificate registered for mTLS, issued by a CA the platform trusts, not expired, and sent with its intermediates.'
            : `This host requires a client certificate: set connectivity: mtls and add the transport section, or use the TLS host for ${field}.`,
      };
    default:
      return {
        message: `TLS: ${where}: ${failure.reason} (${failure.code}).`,
        hint: `Check that ${field} is an https URL of the platform${proxyNote}`,
      };
  }
}

/** network.token-endpoint and network.api-endpoint: DNS, TCP, TLS and HTTP to one host, the failing layer named. */
export async function checkEndpoint(ctx: RunContext, role: EndpointRole, config: ResolvedConfig): Promise<CheckOutcome<ReachableEndpoint>> {
  const url = config.endpoints[role];
  const { material, problem } = await connectionMaterial(config);
  const proxy = proxyFor(new URL(url), ctx.env);
  const probe = await probeEndpoint(url, { timeoutMs: stepTimeout(ctx, config), material, proxy, lookup: ctx.lookup });
  const evidence = evidenceOf(probe, config, ctx.env);
  if (probe.failure) return fail({ ...diagnose(role, probe, config, ctx, problem), evidence });
  const output: ReachableEndpoint = { config, url, probe, material };
  if (problem) {
    return warn(
      {
        message: `${NAMES[role]} ${probe.host} accepted the connection, but without a client certificate: ${problem}.`,
        hint: 'Fix the transport credentials first; mTLS calls will fail without them.',
        evidence,
      },
      output,
    );
  }
  if (probe.tls?.protocol && ['TLSv1', 'TLSv1.1', 'SSLv3'].includes(probe.tls.protocol)) {
    return warn(
      {
        message: `${NAMES[role]} ${probe.host} negotiated ${probe.tls.protocol}, which is obsolete.`,
        hint: 'Check for a middlebox downgrading the connection; the platform offers TLS 1.2 and later.',
        evidence,
      },
      output,
    );
  }
  const via = probe.proxy ? ` via proxy ${describeProxy(probe.proxy)}` : '';
  return pass(output, evidence, `${probe.host}:${probe.port} answered over ${probe.tls?.protocol ?? 'TLS'}${via} (HTTP ${probe.http?.status}).`);
}
