import { localKeyMaterial, matchKeyToJwks } from '../src/jwks/match.js';
import { describeMatchedBy, kidLabel, kidList, rankMatches, registeredCertificate, registeredKeyOf } from '../src/jwks/registration.js';
import type { RegisteredKey } from '../src/online/types.js';
import { defineCheck, notApplicable, pass, warn, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import jwksFetch from './jwks.fetch.js';
import transportKeypair from './transport.keypair.js';

/** Thredd publishes transport certificates with this `use`. */
const TRANSPORT_USE = 'tls';

export default defineCheck({
  id: 'jwks.transport-key',
  title: 'Transport certificate registered in JWKS',
  needs: [jwksFetch, transportKeypair],
  online: true,
  explain: {
    verifies:
      'The mTLS transport certificate is registered in the organisation JWKS, matched by key material or `x5t#S256`. A warning, not a failure, when absent: some platforms do not publish transport keys. Not applicable with `connectivity: tls`.',
    causes: [
      'The transport certificate was not uploaded in the portal, or was uploaded for another environment.',
      'The platform does not publish transport certificates in the JWKS (then the warning is expected).',
      'A renewed transport certificate is in use but the old one is registered.',
    ],
    fixes: [
      "Compare fingerprints: `openssl x509 -in transport.pem -noout -fingerprint -sha256` against the JWKS keys' `x5t#S256` (base64url of the same hash).",
      'Register the transport certificate in the portal if the mTLS handshake (network.token-endpoint) is also rejected.',
    ],
    seeAlso: ['jwks.fetch', 'transport.keypair', 'network.token-endpoint'],
  },
  run(_ctx, deps): CheckOutcome<RegisteredKey | undefined> {
    const jwks = deps['jwks.fetch'];
    const keyPair = deps['transport.keypair'];
    if (!keyPair) return notApplicable('TLS connectivity presents no client certificate');

    const local = localKeyMaterial(keyPair);
    const evidence: Evidence = {
      thumbprint: local.thumbprint,
      x5tS256: local.x5tS256,
      fingerprintSha256: local.fingerprintSha256,
      jwksUrl: jwks.url,
      jwksKids: jwks.kids,
    };
    const matches = matchKeyToJwks(keyPair, jwks.keys);
    if (matches.length === 0) {
      return warn(
        {
          message: `The transport certificate (x5t#S256 ${local.x5tS256}, key thumbprint ${local.thumbprint}) is not in the JWKS; it holds ${kidList(jwks.kids)}.`,
          hint: 'Some platforms do not publish transport certificates, so this can be expected; if yours does (Thredd lists them with use "tls"), register the transport certificate in the portal.',
          evidence,
        },
        undefined,
      );
    }

    const chosen = rankMatches(matches, local, TRANSPORT_USE)[0]!;
    const registered = registeredKeyOf(chosen);
    const kid = kidLabel(chosen.jwk);
    const facts: Evidence = { ...evidence, kid: registered.kid, use: registered.use, matchedBy: chosen.matchedBy };

    const warnings: Array<{ message: string; hint: string }> = [];
    if (registered.use === 'sig') {
      warnings.push({
        message: `The transport key is registered only as a signing key (${kid}, use "sig"), not as a transport certificate.`,
        hint: 'Use separate keys for signing and transport, and register the transport certificate in the portal.',
      });
    }
    if (chosen.registeredX5tS256 !== undefined && chosen.registeredX5tS256 !== local.x5tS256) {
      const theirs = registeredCertificate(chosen.jwk, chosen.registeredX5tS256);
      warnings.push({
        message: `The JWKS registers this transport key (${kid}) with another certificate: registered SHA-256 ${theirs.fingerprintSha256}, local transport.certificate SHA-256 ${local.fingerprintSha256}.`,
        hint: 'mTLS compares certificates, not keys: upload the current transport certificate in the portal (after a renewal the registration must follow), or set transport.certificate to the registered one.',
      });
      facts.registeredCertificate = theirs;
    }
    if (warnings.length > 0) {
      return warn({ message: warnings.map((w) => w.message).join(' '), hint: warnings.map((w) => w.hint).join(' '), evidence: facts }, registered);
    }
    return pass(
      registered,
      facts,
      `The transport certificate is registered under ${kid} (use ${registered.use ?? 'not set'}), matched ${describeMatchedBy(chosen.matchedBy, local)}.`,
    );
  },
});
