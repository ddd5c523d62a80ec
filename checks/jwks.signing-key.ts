import { jwkThumbprintIfComplete } from '../src/credentials/jwk.js';
import { localKeyMaterial, matchKeyToJwks, type JwksMatch, type LocalKeyMaterial } from '../src/jwks/match.js';
import { describeMatchedBy, kidLabel, kidList, rankMatches, registeredCertificate, registeredKeyOf } from '../src/jwks/registration.js';
import type { FetchedJwks, RegisteredKey } from '../src/online/types.js';
import { defineCheck, fail, notApplicable, pass, warn, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import jwksFetch from './jwks.fetch.js';
import signingKeypair from './signing.keypair.js';
import { X5T_COMMAND } from './docs.js';

const REGISTER_HINT = 'Register the signing certificate in the portal, or point signing.privateKey (and signing.certificate) at the registered key.';

function notRegistered(local: LocalKeyMaterial, jwks: FetchedJwks, configuredKid: string | undefined, evidence: Evidence): CheckOutcome<never> {
  const sameKid = configuredKid === undefined ? undefined : jwks.keys.find((jwk) => jwk.kid === configuredKid);
  const other = sameKid && jwkThumbprintIfComplete(sameKid);
  const kidNote =
    sameKid === undefined
      ? ''
      : ` The kid "${configuredKid}" of signing.kid is there, but for another key${other === undefined ? '' : ` (thumbprint ${other})`}.`;
  return fail({
    message: `The signing key (thumbprint ${local.thumbprint}, certificate x5t#S256 ${local.x5tS256}) is not registered in the JWKS; it holds ${kidList(jwks.kids)}.${kidNote}`,
    hint: REGISTER_HINT,
    evidence: { ...evidence, ...(other !== undefined && { configuredKidThumbprint: other }) },
  });
}

export default defineCheck({
  id: 'jwks.signing-key',
  title: 'Signing key registered in JWKS',
  needs: [jwksFetch, signingKeypair],
  online: true,
  explain: {
    verifies:
      'The signing public key is registered in the organisation JWKS, matched by key material (modulus and exponent, or `x5t#S256`), not only by `kid`. Reports the registered `kid`, `use` and `alg`. A `signing.kid` in the config that differs from the registered kid fails: the platform looks the key up by the assertion\'s `kid`.',
    causes: [
      'The signing certificate was never uploaded in the portal, or was uploaded for another organisation or environment (UAT instead of Production).',
      'A renewed certificate (new key) is in use but the old one is still the registered one.',
      '`signing.kid` was invented (a thumbprint, a file name) or copied from UAT: kids are opaque values assigned on registration.',
      'The upload was minutes ago and the JWKS has not been republished yet.',
    ],
    fixes: [
      `Compute the certificate's \`x5t#S256\` and look for it in the JWKS: \`${X5T_COMMAND}\`; \`openssl x509 -in signing.pem -noout -fingerprint -sha256\` shows the same hash in hex.`,
      'Upload the certificate in the portal for this organisation and environment if no JWKS key matches.',
      'Remove `signing.kid` so golive uses the registered kid, or copy the kid shown in the report evidence.',
      'Rerun with `golive check --only jwks`.',
    ],
    seeAlso: ['jwks.fetch', 'signing.keypair', 'token.request'],
  },
  run(ctx, deps): CheckOutcome<RegisteredKey | undefined> {
    const jwks = deps['jwks.fetch'];
    const keyPair = deps['signing.keypair'];
    const { config } = jwks;
    if (!keyPair) return notApplicable(`${config.client.authMethod} clients do not sign`);

    const local = localKeyMaterial(keyPair);
    const configuredKid = config.signing?.kid || undefined;
    const algorithm = config.signing?.algorithm;
    const matches = matchKeyToJwks(keyPair, jwks.keys);
    const evidence: Evidence = {
      thumbprint: local.thumbprint,
      x5tS256: local.x5tS256,
      fingerprintSha256: local.fingerprintSha256,
      jwksUrl: jwks.url,
      jwksKids: jwks.kids,
      ...(configuredKid !== undefined && { configuredKid }),
    };
    if (matches.length === 0) return notRegistered(local, jwks, configuredKid, evidence);

    const registeredKids = [...new Set(matches.flatMap((match) => (typeof match.jwk.kid === 'string' ? [match.jwk.kid] : [])))];
    let chosen: JwksMatch;
    if (configuredKid !== undefined) {
      const named = matches.find((match) => match.jwk.kid === configuredKid);
      if (!named) {
        const registered = registeredKids.length > 0 ? kidList(registeredKids) : 'an entry with no kid';
        return fail({
          message: `signing.kid is "${configuredKid}", but the JWKS registers this signing key under ${registered}.`,
          hint:
            registeredKids.length > 0
              ? `Set signing.kid to "${registeredKids[0]}" (the KID the portal shows for this certificate), or remove signing.kid so golive uses the registered kid.`
              : 'Re-register the signing certificate in the portal so it gets a kid, then set signing.kid to it or remove signing.kid.',
          evidence: { ...evidence, registeredKids, matchedBy: matches[0]!.matchedBy },
        });
      }
      chosen = named;
    } else {
      chosen = rankMatches(matches, local, 'sig')[0]!;
    }

    const { jwk } = chosen;
    const registered = registeredKeyOf(chosen);
    const kid = kidLabel(jwk);
    const otherKids = registeredKids.filter((other) => other !== registered.kid);
    const facts: Evidence = {
      ...evidence,
      kid: registered.kid,
      use: registered.use,
      alg: registered.alg,
      matchedBy: chosen.matchedBy,
      ...(otherKids.length > 0 && { alsoRegisteredAs: otherKids }),
    };

    const keyOps = Array.isArray(jwk.key_ops) ? (jwk.key_ops as unknown[]) : undefined;
    if ((registered.use !== undefined && registered.use !== 'sig') || (keyOps !== undefined && !keyOps.includes('verify'))) {
      const declared = registered.use !== undefined && registered.use !== 'sig' ? `use "${registered.use}"` : `key_ops ${JSON.stringify(keyOps)}`;
      return fail({
        message: `The signing key is registered under ${kid} with ${declared}, not for signatures: the platform will not verify assertions with it.`,
        hint:
          registered.use === 'tls'
            ? 'This entry registers a transport (TLS) certificate: register the signing certificate as a signing key in the portal, or use separate keys for signing and transport.'
            : 'Register the signing certificate as a signing key (use "sig") in the portal.',
        evidence: { ...facts, ...(keyOps !== undefined && { keyOps }) },
      });
    }

    const warnings: Array<{ message: string; hint: string }> = [];
    if (registered.kid === undefined) {
      warnings.push({
        message: 'The signing key is registered without a kid, so the assertion header cannot name it.',
        hint: 'Re-register the signing certificate in the portal so the JWKS lists it under a kid.',
      });
    }
    if (chosen.registeredX5tS256 !== undefined && chosen.registeredX5tS256 !== local.x5tS256) {
      const theirs = registeredCertificate(jwk, chosen.registeredX5tS256);
      const expired = theirs.notAfter !== undefined && Date.parse(theirs.notAfter) < ctx.now() ? `, expired ${theirs.notAfter.slice(0, 10)}` : '';
      warnings.push({
        message: `The JWKS registers this key (${kid}) with another certificate: registered SHA-256 ${theirs.fingerprintSha256}${expired}, local signing.certificate SHA-256 ${local.fingerprintSha256}.`,
        hint: 'The key is the same, so signatures verify; upload the current certificate in the portal (after a renewal the registration must follow), or set signing.certificate to the registered one.',
      });
      facts.registeredCertificate = theirs;
    }
    if (registered.alg !== undefined && algorithm !== undefined && registered.alg !== algorithm) {
      warnings.push({
        message: `The JWKS registers this key (${kid}) for alg ${registered.alg}, but signing.algorithm is ${algorithm}.`,
        hint: `Set signing.algorithm to ${registered.alg}, or register the key for ${algorithm} in the portal.`,
      });
    }
    if (warnings.length > 0) {
      return warn(
        { message: warnings.map((w) => w.message).join(' '), hint: warnings.map((w) => w.hint).join(' '), evidence: facts },
        registered,
      );
    }

    const also = otherKids.length > 0 ? ` It is also registered under ${kidList(otherKids)}.` : '';
    return pass(
      registered,
      facts,
      `The signing key is registered under ${kid} (use ${registered.use ?? 'not set'}, alg ${registered.alg ?? 'not set'}), matched ${describeMatchedBy(chosen.matchedBy, local)}.${also}`,
    );
  },
});
