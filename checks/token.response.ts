import { defineCheck, fail, pass, warn, type Evidence } from '../src/pipeline/check.js';
import type { CheckedToken } from '../src/online/types.js';
import { boundThumbprint, certificateThumbprint, grantedScopes, viewAccessToken } from '../src/oauth/access-token.js';
import tokenRequest from './token.request.js';

/** The platform issues tokens for an hour; outside this range a client's refresh plan is likely wrong. */
const EXPECTED_EXPIRES_IN = 3600;
const MIN_SANE_EXPIRES_IN = 300;
const MAX_SANE_EXPIRES_IN = 86_400;

interface Problem {
  severity: 'warn' | 'fail';
  message: string;
  hint: string;
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
  run(_ctx, deps) {
    const token = deps['token.request'];
    const problems: Problem[] = [];
    const notes: string[] = [];
    const view = viewAccessToken(token.accessToken);
    const claims = view.format === 'JWT' ? view.claims : undefined;

    const tokenType = token.tokenType;
    if (tokenType === undefined) {
      problems.push({
        severity: 'fail',
        message: 'The token response has no token_type.',
        hint: 'RFC 6749 requires token_type: check that endpoints.token is the platform\'s token endpoint and nothing in between rewrites the response.',
      });
    } else if (tokenType.toLowerCase() !== 'bearer') {
      problems.push({
        severity: 'fail',
        message: `token_type is "${tokenType}", not Bearer: the APIs take "Authorization: Bearer" tokens.`,
        hint: tokenType.toLowerCase() === 'dpop'
          ? 'The client is registered for DPoP-bound tokens: ask for it to be registered for Bearer tokens.'
          : 'Check that endpoints.token is the platform\'s OAuth2 token endpoint.',
      });
    }

    const expiresIn = token.expiresIn;
    const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
    if (expiresIn === undefined) {
      problems.push({
        severity: 'warn',
        message: 'The token response has no expires_in, so a client cannot plan when to renew the token.',
        hint: `Renew before the token's exp${view.format === 'JWT' ? ' (shown in the evidence)' : ''}, or ask the platform for expires_in; Thredd tokens live ${EXPECTED_EXPIRES_IN} s.`,
      });
    } else if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
      problems.push({
        severity: 'fail',
        message: `expires_in is ${JSON.stringify(expiresIn)}, not a positive number of seconds.`,
        hint: 'Check that endpoints.token is the platform\'s token endpoint and nothing in between rewrites the response.',
      });
    } else {
      if (typeof expiresIn === 'string') {
        problems.push({
          severity: 'warn',
          message: `expires_in is the string "${expiresIn}" rather than a JSON number.`,
          hint: 'Parse expires_in leniently in the client; RFC 6749 makes it a number.',
        });
      }
      if (seconds < MIN_SANE_EXPIRES_IN || seconds > MAX_SANE_EXPIRES_IN) {
        problems.push({
          severity: 'warn',
          message: `expires_in is ${seconds} s, far from the ${EXPECTED_EXPIRES_IN} s the platform issues${seconds < MIN_SANE_EXPIRES_IN ? ': the client will renew very often' : ': a leaked token stays usable long'}.`,
          hint: 'Check that endpoints.token is the platform\'s token endpoint; cache the token and renew it shortly before it expires.',
        });
      }
    }

    const granted = grantedScopes(token.scope, claims);
    const missing = granted ? token.requestedScopes.filter((scope) => !granted.includes(scope)) : [];
    if (missing.length > 0) {
      problems.push({
        severity: 'fail',
        message: `The token lacks requested scope${missing.length > 1 ? 's' : ''} ${missing.map((scope) => `"${scope}"`).join(', ')}; it grants ${granted!.length > 0 ? granted!.map((scope) => `"${scope}"`).join(', ') : 'none'}.`,
        hint: 'Ask for the missing scopes to be granted to the client in the portal, or remove them from client.scopes.',
      });
    } else if (!granted && token.requestedScopes.length > 0) {
      notes.push('the response does not list the granted scopes; RFC 6749 §5.1 reads that as all requested scopes granted');
    }

    const transportThumbprint = token.material.clientCertificate ? certificateThumbprint(token.material.clientCertificate.cert) : undefined;
    const bound = claims ? boundThumbprint(claims) : undefined;
    if (token.material.clientCertificate) {
      if (view.format === 'opaque') {
        notes.push('the token is opaque: its certificate binding cannot be checked locally (probe.call uses it with the same certificate)');
      } else if (bound === undefined) {
        problems.push({
          severity: 'warn',
          message: 'The token was issued over mTLS but is not certificate-bound (no cnf.x5t#S256 claim).',
          hint: 'Check that the client is registered for certificate-bound tokens and that endpoints.token is the mTLS token host.',
        });
      } else if (bound !== transportThumbprint) {
        problems.push({
          severity: 'fail',
          message: `The token is bound to certificate ${bound} (cnf.x5t#S256), not to the transport certificate ${transportThumbprint ?? '(unreadable)'}: the mTLS API will refuse it.`,
          hint: 'Something between golive and the token host presented another client certificate (a TLS-intercepting proxy): exclude the token and mTLS hosts from interception.',
        });
      }
    } else if (bound !== undefined) {
      problems.push({
        severity: 'warn',
        message: `The token is bound to a client certificate (cnf.x5t#S256 ${bound}), but this config presents none: API calls with it will be refused.`,
        hint: 'Set connectivity: mtls with the transport certificate the platform bound the token to.',
      });
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
    const failures = problems.filter((problem) => problem.severity === 'fail');
    const shown = failures.length > 0 ? failures : problems;
    if (shown.length > 0) {
      const finding = {
        message: shown.map((problem) => problem.message).join(' '),
        hint: [...new Set(shown.map((problem) => problem.hint))].join(' '),
        evidence: { ...evidence, ...(failures.length > 0 && problems.length > failures.length && { warnings: problems.filter((p) => p.severity === 'warn').map((p) => p.message) }) },
      };
      return failures.length > 0 ? fail(finding) : warn(finding, output);
    }
    const binding = bound !== undefined ? `, bound to the transport certificate` : '';
    const lifetime = seconds !== undefined ? `, expires in ${seconds} s` : '';
    return pass(output, evidence, `${tokenType} ${view.format === 'JWT' ? 'JWT' : 'opaque'} token${lifetime}${binding}${notes.length > 0 ? `; note: ${notes.join('; ')}` : ''}`);
  },
});
