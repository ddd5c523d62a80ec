import { defineCheck, pass, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import type { CheckedToken } from '../src/online/types.js';
import tokenRequest from './token.request.js';

/** The platform issues tokens for an hour; outside this range a client's refresh plan is likely wrong. */
const EXPECTED_EXPIRES_IN = 3600;
const MIN_SANE_EXPIRES_IN = 300;
const MAX_SANE_EXPIRES_IN = 86_400;

function findings() {
  return {
    'no-token-type': {
      message: () => 'The token response has no token_type.',
      hint: () => "RFC 6749 requires token_type: check that endpoints.token is the platform's token endpoint and nothing in between rewrites the response.",
    },
    'not-bearer': {
      message: ({ tokenType }: { tokenType: string }) => `token_type is "${tokenType}", not Bearer: the APIs take "Authorization: Bearer" tokens.`,
      hint: ({ tokenType }: { tokenType: string }) =>
        tokenType.toLowerCase() === 'dpop'
          ? 'The client is registered for DPoP-bound tokens: ask for it to be registered for Bearer tokens.'
          : "Check that endpoints.token is the platform's OAuth2 token endpoint.",
    },
    'no-expires-in': {
      message: (_: { jwt: boolean }) => 'The token response has no expires_in, so a client cannot plan when to renew the token.',
      hint: ({ jwt }: { jwt: boolean }) =>
        `Renew before the token's exp${jwt ? ' (shown in the evidence)' : ''}, or ask the platform for expires_in; Thredd tokens live ${EXPECTED_EXPIRES_IN} s.`,
    },
    'invalid-expires-in': {
      message: ({ expiresIn }: { expiresIn: unknown }) => `expires_in is ${JSON.stringify(expiresIn)}, not a positive number of seconds.`,
      hint: () => "Check that endpoints.token is the platform's token endpoint and nothing in between rewrites the response.",
    },
    'expires-in-string': {
      message: ({ expiresIn }: { expiresIn: string }) => `expires_in is the string "${expiresIn}" rather than a JSON number.`,
      hint: () => 'Parse expires_in leniently in the client; RFC 6749 makes it a number.',
    },
    'unusual-expires-in': {
      message: ({ seconds }: { seconds: number }) =>
        `expires_in is ${seconds} s, far from the ${EXPECTED_EXPIRES_IN} s the platform issues${seconds < MIN_SANE_EXPIRES_IN ? ': the client will renew very often' : ': a leaked token stays usable long'}.`,
      hint: () => "Check that endpoints.token is the platform's token endpoint; cache the token and renew it shortly before it expires.",
    },
    'missing-scopes': {
      message: ({ missing, granted }: { missing: string[]; granted: string[] }) =>
        `The token lacks requested scope${missing.length > 1 ? 's' : ''} ${quoted(missing)}; it grants ${granted.length > 0 ? quoted(granted) : 'none'}.`,
      hint: () => 'Ask for the missing scopes to be granted to the client in the portal, or remove them from client.scopes.',
    },
    'not-certificate-bound': {
      message: () => 'The token was issued over mTLS but is not certificate-bound (no cnf.x5t#S256 claim).',
      hint: () => 'Check that the client is registered for certificate-bound tokens and that endpoints.token is the mTLS token host.',
    },
    'bound-to-other-certificate': {
      message: ({ bound, transport }: { bound: string; transport: string | undefined }) =>
        `The token is bound to certificate ${bound} (cnf.x5t#S256), not to the transport certificate ${transport ?? '(unreadable)'}: the mTLS API will refuse it.`,
      hint: () =>
        'Something between golive and the token host presented another client certificate (a TLS-intercepting proxy): exclude the token and mTLS hosts from interception.',
    },
    'bound-without-client-certificate': {
      message: ({ bound }: { bound: string }) =>
        `The token is bound to a client certificate (cnf.x5t#S256 ${bound}), but this config presents none: API calls with it will be refused.`,
      hint: () => 'Set connectivity: mtls with the transport certificate the platform bound the token to.',
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

function quoted(scopes: string[]): string {
  return scopes.map((scope) => `"${scope}"`).join(', ');
}

export default defineCheck({
  id: 'token.response',
  title: 'Token response valid',
  needs: [tokenRequest],
  online: true,
  explain: {
    verifies:
      '`token_type` is Bearer; `expires_in` is present and sane; the granted scopes cover the requested ones; a JWT access token\'s claims are shown (never the token); with mTLS a certificate-bound token\'s `cnf.x5t#S256` matches the transport certificate.',
    causes: [
      'The client is granted fewer scopes than `client.scopes` requests.',
      'A gateway or proxy in between returns its own token format or rewrites the response.',
      'The token is bound (`cnf.x5t#S256`) to another certificate than the transport certificate, e.g. a TLS-intercepting proxy presented its own client certificate.',
      '`expires_in` missing or very long: the client cannot plan its refresh.',
    ],
    fixes: [
      'Ask for the missing scopes to be granted in the portal, or drop them from `client.scopes`.',
      "Compare the transport certificate's hash (`openssl x509 -in transport.pem -noout -fingerprint -sha256`) with the `cnf.x5t#S256` shown in the evidence.",
      'Exclude the token and mTLS hosts from TLS interception.',
    ],
    seeAlso: ['token.request', 'probe.call'],
  },
  async run(_ctx, deps) {
    // Loaded when it runs: an offline run never loads the token code.
    const { boundThumbprint, certificateThumbprint, grantedScopes, viewAccessToken } = await import('../src/oauth/access-token.js');
    const token = deps['token.request'];
    // Failures and warnings apart: a failure hides the warnings from message and hint.
    const failures: Finding[] = [];
    const warnings: Finding[] = [];
    const notes: string[] = [];
    const view = viewAccessToken(token.accessToken);
    const claims = view.format === 'JWT' ? view.claims : undefined;

    const tokenType = token.tokenType;
    if (tokenType === undefined) {
      failures.push(finding.text('no-token-type', {}));
    } else if (tokenType.toLowerCase() !== 'bearer') {
      failures.push(finding.text('not-bearer', { tokenType }));
    }

    const expiresIn = token.expiresIn;
    const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
    if (expiresIn === undefined) {
      warnings.push(finding.text('no-expires-in', { jwt: view.format === 'JWT' }));
    } else if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
      failures.push(finding.text('invalid-expires-in', { expiresIn }));
    } else {
      if (typeof expiresIn === 'string') {
        warnings.push(finding.text('expires-in-string', { expiresIn }));
      }
      if (seconds < MIN_SANE_EXPIRES_IN || seconds > MAX_SANE_EXPIRES_IN) {
        warnings.push(finding.text('unusual-expires-in', { seconds }));
      }
    }

    const granted = grantedScopes(token.scope, claims);
    const missing = granted ? token.requestedScopes.filter((scope) => !granted.includes(scope)) : [];
    if (missing.length > 0) {
      failures.push(finding.text('missing-scopes', { missing, granted: granted! }));
    } else if (!granted && token.requestedScopes.length > 0) {
      notes.push('the response does not list the granted scopes; RFC 6749 §5.1 reads that as all requested scopes granted');
    }

    const transportThumbprint = token.material.clientCertificate ? certificateThumbprint(token.material.clientCertificate.cert) : undefined;
    const bound = claims ? boundThumbprint(claims) : undefined;
    if (token.material.clientCertificate) {
      if (view.format === 'opaque') {
        notes.push('the token is opaque: its certificate binding cannot be checked locally (probe.call uses it with the same certificate)');
      } else if (bound === undefined) {
        warnings.push(finding.text('not-certificate-bound', {}));
      } else if (bound !== transportThumbprint) {
        failures.push(finding.text('bound-to-other-certificate', { bound, transport: transportThumbprint }));
      }
    } else if (bound !== undefined) {
      warnings.push(finding.text('bound-without-client-certificate', { bound }));
    }
    if (view.format === 'opaque') notes.push('the access token is opaque (not a JWT): there are no claims to show');

    const evidence: Evidence = {
      tokenType: tokenType ?? null,
      expiresIn: expiresIn ?? null,
      requestedScopes: token.requestedScopes,
      grantedScopes: granted ?? null,
      ...(missing.length > 0 && { missingScopes: missing }),
      accessToken: view,
      ...(token.material.clientCertificate && { transportCertificateX5tS256: transportThumbprint ?? null }),
      ...(bound !== undefined && { boundTo: bound, bindingMatches: bound === transportThumbprint }),
      ...(token.serverDate && { serverDate: token.serverDate }),
      ...(notes.length > 0 && { notes }),
    };
    const output: CheckedToken = { token, ...(claims && { claims }) };
    const [first, ...rest] = failures.length > 0 ? failures : warnings;
    if (first) {
      const shown = { ...evidence, ...(failures.length > 0 && warnings.length > 0 && { warnings: warnings.map((found) => found.message) }) };
      return combine(failures.length > 0 ? 'fail' : 'warn', [first, ...rest], shown, output);
    }
    const binding = bound !== undefined ? `, bound to the transport certificate` : '';
    const lifetime = seconds !== undefined ? `, expires in ${seconds} s` : '';
    return pass(output, evidence, `${tokenType} ${view.format === 'JWT' ? 'JWT' : 'opaque'} token${lifetime}${binding}${notes.length > 0 ? `; note: ${notes.join('; ')}` : ''}`);
  },
});
