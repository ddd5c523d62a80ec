import { jwkThumbprintIfComplete } from '../src/credentials/jwk.js';
import type { LocalKeyMaterial } from '../src/jwks/match.js';
import { isUnread, unreadSkip } from '../src/jwks/unread.js';
import { kidList, otherCertificateFindings } from '../src/jwks/wording.js';
import { escaped, removeUnseenFrom, unseenCharacters, withoutUnseen } from '../src/config/pasted.js';
import type { PublishedJwk, RegisteredKey } from '../src/online/types.js';
import { defineCheck, notApplicable, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import jwksFetch from './jwks.fetch.js';
import signingKeypair from './signing.keypair.js';

/** The x5t#S256 of a certificate, as the JWKS lists it. */
const X5T_COMMAND =
  "openssl x509 -in signing.pem -outform DER | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='";

/** The message of an entry that registers the key, but not for signatures. */
const notForSignatures = (kid: string, declared: string) =>
  `The signing key is registered under ${kid} with ${declared}, not for signatures: the platform will not verify assertions with it.`;

const REGISTER_AS_SIGNING_KEY = 'Register the signing certificate as a signing key (use "sig") in the portal.';

interface NotRegistered {
  local: LocalKeyMaterial;
  kids: readonly string[];
  /** signing.kid, when the JWKS has it for another key, and that key's thumbprint if complete. */
  kidOfOtherKey?: { kid: string; thumbprint?: string };
}

function findings() {
  return {
    'key-not-registered': {
      message: ({ local, kids, kidOfOtherKey: other }: NotRegistered) => {
        const kidNote =
          other === undefined
            ? ''
            : ` The kid ${escaped(other.kid)} of signing.kid is there, but for another key${other.thumbprint === undefined ? '' : ` (thumbprint ${other.thumbprint})`}.`;
        return `The signing key (thumbprint ${local.thumbprint}, certificate x5t#S256 ${local.x5tS256}) is not registered in the JWKS; it holds ${kidList(kids)}.${kidNote}`;
      },
      hint: () => 'Register the signing certificate in the portal, or point signing.privateKey (and signing.certificate) at the registered key.',
    },
    'kid-mismatch': {
      message: ({ configuredKid, registeredKids }: { configuredKid: string; registeredKids: string[] }) => {
        const unseen = unseenCharacters(configuredKid);
        return `signing.kid is ${escaped(configuredKid)}${unseen === undefined ? '' : ` (it ${unseen})`}, but the JWKS registers this signing key under ${registeredKids.length > 0 ? kidList(registeredKids) : 'an entry with no kid'}.`;
      },
      hint: ({ configuredKid, registeredKids }: { configuredKid: string; registeredKids: string[] }) => {
        if (unseenCharacters(configuredKid) !== undefined) {
          const meant = withoutUnseen(configuredKid);
          return `${removeUnseenFrom('signing.kid')}${registeredKids.includes(meant) ? `: without them it is ${escaped(meant)}, the kid the JWKS registers this key under` : ''}.`;
        }
        return registeredKids.length > 0
          ? `Set signing.kid to ${escaped(registeredKids[0]!)} (the KID the portal shows for this certificate), or remove signing.kid so golive uses the registered kid.`
          : 'Re-register the signing certificate in the portal so it gets a kid, then set signing.kid to it or remove signing.kid.';
      },
    },
    'use-not-sig': {
      message: ({ kid, use }: { kid: string; use: string }) => notForSignatures(kid, `use "${use}"`),
      hint: ({ use }: { use: string }) =>
        use === 'tls'
          ? 'This entry registers a transport (TLS) certificate: register the signing certificate as a signing key in the portal, or use separate keys for signing and transport.'
          : REGISTER_AS_SIGNING_KEY,
    },
    'key-ops-without-verify': {
      message: ({ kid, keyOps }: { kid: string; keyOps: unknown[] }) => notForSignatures(kid, `key_ops ${JSON.stringify(keyOps)}`),
      hint: () => REGISTER_AS_SIGNING_KEY,
    },
    'no-kid': {
      message: () => 'The signing key is registered without a kid, so the assertion header cannot name it.',
      hint: () => 'Re-register the signing certificate in the portal so the JWKS lists it under a kid.',
    },
    ...otherCertificateFindings(
      'The key is the same, so signatures verify; upload the current certificate in the portal (after a renewal the registration must follow), or set signing.certificate to the registered one.',
    ),
    'alg-mismatch': {
      message: ({ kid, registered, configured }: { kid: string; registered: string; configured: string }) =>
        `The JWKS registers this key (${kid}) for alg ${registered}, but signing.algorithm is ${configured}.`,
      hint: ({ registered, configured }: { registered: string; configured: string }) =>
        `Set signing.algorithm to ${registered}, or register the key for ${configured} in the portal.`,
    },
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

/** signing.kid when the JWKS uses it for another key (the key itself is not registered). */
function kidOfOtherKey(keys: readonly PublishedJwk[], kid: string | undefined): NotRegistered['kidOfOtherKey'] {
  if (kid === undefined) return undefined;
  const jwk = keys.find((key) => key.kid === kid);
  if (jwk === undefined) return undefined;
  const thumbprint = jwkThumbprintIfComplete(jwk);
  return { kid, ...(thumbprint !== undefined && { thumbprint }) };
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
  async run(ctx, deps): Promise<CheckOutcome<RegisteredKey | undefined>> {
    const jwks = deps['jwks.fetch'];
    const keyPair = deps['signing.keypair'];
    const { config } = jwks;
    if (!keyPair) return notApplicable(`${config.client.authMethod} clients do not sign`);
    if (isUnread(jwks)) return unreadSkip(jwks, 'whether the signing key is registered');
    const [{ analyseRegistration, localEvidence, otherCertificateFinding, registrationEvidence }, { describeMatchedBy }] = await Promise.all([
      import('../src/jwks/analysis.js'),
      import('../src/jwks/registration.js'),
    ]);

    const configuredKid = config.signing?.kid || undefined;
    const algorithm = config.signing?.algorithm;
    const analysis = analyseRegistration(keyPair, jwks.keys, 'signing', { now: ctx.now(), kid: configuredKid });
    const { local } = analysis;
    const evidence: Evidence = { ...localEvidence(local, jwks), ...(configuredKid !== undefined && { configuredKid }) };

    if (analysis.found === 'none') {
      const other = kidOfOtherKey(jwks.keys, configuredKid);
      return finding.fail(
        'key-not-registered',
        { local, kids: jwks.kids, ...(other !== undefined && { kidOfOtherKey: other }) },
        { ...evidence, ...(other?.thumbprint !== undefined && { configuredKidThumbprint: other.thumbprint }) },
      );
    }
    if (analysis.found === 'under-other-kids') {
      const { kid, registeredKids, matchedBy } = analysis;
      return finding.fail('kid-mismatch', { configuredKid: kid, registeredKids }, { ...evidence, registeredKids, matchedBy });
    }

    const { registration } = analysis;
    const { key: registered, kidLabel: kid, keyOps } = registration;
    const facts: Evidence = { ...evidence, ...registrationEvidence(registration) };

    if (registered.use !== undefined && registered.use !== 'sig') {
      return finding.fail('use-not-sig', { kid, use: registered.use }, facts);
    }
    if (keyOps !== undefined && !keyOps.includes('verify')) {
      return finding.fail('key-ops-without-verify', { kid, keyOps }, facts);
    }

    const other = otherCertificateFinding('signing', registration, local);
    const warnings: Finding[] = [
      ...(registered.kid === undefined ? [finding.text('no-kid', {})] : []),
      ...(other === undefined ? [] : [finding.text(other.code, other.args)]),
      ...(registered.alg !== undefined && algorithm !== undefined && registered.alg !== algorithm
        ? [finding.text('alg-mismatch', { kid, registered: registered.alg, configured: algorithm })]
        : []),
    ];
    const [first, ...rest] = warnings;
    if (first !== undefined) return combine('warn', [first, ...rest], facts, registered);

    const also = registration.otherKids.length > 0 ? ` It is also registered under ${kidList(registration.otherKids)}.` : '';
    return pass(
      registered,
      facts,
      `The signing key is registered under ${kid} (use ${registered.use ?? 'not set'}, alg ${registered.alg ?? 'not set'}), matched ${describeMatchedBy(registered.matchedBy, local)}.${also}`,
    );
  },
});
