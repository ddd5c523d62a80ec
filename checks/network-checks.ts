import { pass, fail, type CheckOutcome, type Evidence, type Settled } from '../src/pipeline/check.js';
import { stepTimeout, type RunContext } from '../src/pipeline/context.js';
import { findingsOf, type FindingTable } from '../src/pipeline/findings.js';
import type { ResolvedConfig } from '../src/config/types.js';
import type { KeyPair } from '../src/credentials/types.js';
import { describeNetworkFailure } from '../src/net/describe.js';
import { tlsMaterialFor } from '../src/net/material.js';
import type { ProbeResult, TlsMaterial } from '../src/net/probe.js';
import { describeProxy } from '../src/net/proxy.js';
import { threddEndpoints } from '../src/profiles/thredd.js';
import type { ReachableEndpoint } from '../src/online/types.js';

export type EndpointRole = 'token' | 'api';

const NAMES: Record<EndpointRole, string> = { token: 'token host', api: 'API host' };

/** What a config field names for each role, in words that follow "the platform's mTLS". */
const TARGETS: Record<EndpointRole, string> = { token: 'token endpoint', api: 'API host' };

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/** An mTLS host that never asked for the client certificate, and where the config should point instead. */
interface NotRequested {
  role: string;
  /** `host:port` */
  where: string;
  field: string;
  target: string;
  /** The profile's mTLS endpoint for this role, when the profile derives one. */
  expected?: string;
}

/** What a host that answered is still warned about (a failure to connect is described by describeNetworkFailure). */
function findings() {
  return {
    'no-client-certificate': {
      message: ({ role, host, problem }: { role: string; host: string; problem: string }) =>
        `${role} ${host} accepted the connection, but without a client certificate: ${problem}.`,
      hint: () => 'Fix the transport credentials first; mTLS calls will fail without them.',
    },
    'client-certificate-not-requested': {
      message: ({ role, where }: NotRequested) =>
        `mTLS: ${role} ${where} completed the TLS handshake without requesting a client certificate, so the transport certificate was not sent.`,
      hint: ({ role, field, target, expected }: NotRequested) =>
        `Either this is not the platform's mTLS ${role}, or a TLS-terminating proxy or load balancer sits in front of it: tokens cannot be bound to the transport certificate, and the mTLS API will refuse them. ` +
        `Point ${field} at the platform's mTLS ${target}${expected ? ` (${expected})` : ''}; if it already does, have the proxy or load balancer pass TLS through to it.`,
    },
    'obsolete-tls': {
      message: ({ role, host, protocol }: { role: string; host: string; protocol: string }) => `${role} ${host} negotiated ${protocol}, which is obsolete.`,
      hint: () => 'Check for a middlebox downgrading the connection; the platform offers TLS 1.2 and later.',
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

const OBSOLETE_PROTOCOLS = ['TLSv1', 'TLSv1.1', 'SSLv3'];

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
    ...(probe.tls && {
      clientCertificateRequested: probe.tls.clientCertificateRequested,
      tlsVersion: probe.tls.protocol,
      cipher: probe.tls.cipher,
      serverCertificate: probe.tls.serverCertificate,
    }),
    ...(probe.http && { httpStatus: probe.http.status, serverDate: probe.http.date ?? null }),
    timings: probe.timings,
    timeline: [probe.timeline],
  };
}

/**
 * What connections to the platform trust and present: on mTLS, the key pair
 * transport.keypair loaded. When it did not, the connection goes without a
 * client certificate, and `problem` says why (transport.* report the cause).
 */
async function connectionMaterial(config: ResolvedConfig, transport: Settled<KeyPair | undefined>): Promise<{ material: TlsMaterial; problem?: string }> {
  const keyPair = transport.status === 'pass' || transport.status === 'warn' ? transport.output : undefined;
  const material = await tlsMaterialFor(config, keyPair);
  if (config.connectivity !== 'mtls' || keyPair) return { material };
  // A pair that loads but does not match fails transport.keypair; one that does not load stops it.
  const problem =
    transport.status === 'fail'
      ? 'the transport key does not belong to the transport certificate (see transport.keypair)'
      : transport.skipReason === 'not-selected'
        ? 'the transport checks were skipped (--skip), so none was loaded'
        : 'the transport certificate or key does not load (see transport.key and transport.certificate)';
  return { material, problem };
}

/**
 * network.token-endpoint and network.api-endpoint: DNS, TCP, TLS and HTTP to
 * one host, the failing layer named; on mTLS with the certificate
 * transport.keypair loaded (its optional need).
 */
export async function checkEndpoint(
  ctx: RunContext,
  role: EndpointRole,
  config: ResolvedConfig,
  transport: Settled<KeyPair | undefined>,
): Promise<CheckOutcome<ReachableEndpoint>> {
  const url = config.endpoints[role];
  const { material, problem } = await connectionMaterial(config, transport);
  const probe = await ctx.http.probe(url, { timeoutMs: stepTimeout(ctx, config), material, lookup: ctx.lookup });
  const evidence = evidenceOf(probe, config, ctx.env);
  if (probe.failure) {
    const described = describeNetworkFailure({
      failure: probe.failure,
      role: NAMES[role],
      url,
      field: `endpoints.${role}`,
      env: ctx.env,
      attempt: { kind: 'probe', connectivity: config.connectivity, presented: probe.untrustedCertificate, problem },
    });
    return fail({ ...described, evidence });
  }
  const output: ReachableEndpoint = { config, url, probe, material };
  if (problem) return finding.warn('no-client-certificate', { role: NAMES[role], host: probe.host, problem }, evidence, output);
  const requested = probe.tls?.clientCertificateRequested === true;
  if (config.connectivity === 'mtls' && !requested) {
    // The profile's mTLS endpoint, when it derives one; a custom profile's is only in the config.
    const expected = config.profile === 'thredd' ? threddEndpoints(config.environment, 'mtls', config.organisationId)[role] : undefined;
    const args = { role: NAMES[role], where: `${probe.host}:${probe.port}`, field: `endpoints.${role}`, target: TARGETS[role], expected };
    return finding.warn('client-certificate-not-requested', args, evidence, output);
  }
  const protocol = probe.tls?.protocol;
  if (protocol && OBSOLETE_PROTOCOLS.includes(protocol)) return finding.warn('obsolete-tls', { role: NAMES[role], host: probe.host, protocol }, evidence, output);
  const via = probe.proxy ? ` via proxy ${describeProxy(probe.proxy)}` : '';
  const asked = requested ? 'requested' : 'did not request';
  return pass(output, evidence, `${probe.host}:${probe.port} answered over ${probe.tls?.protocol ?? 'TLS'}${via} (HTTP ${probe.http?.status}) and ${asked} a client certificate.`);
}
