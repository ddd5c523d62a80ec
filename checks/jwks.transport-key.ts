import type { LocalKeyMaterial } from '../src/jwks/match.js';
import { isUnread, unreadSkip } from '../src/jwks/unread.js';
import { kidList, otherCertificateFindings } from '../src/jwks/wording.js';
import type { RegisteredKey } from '../src/online/types.js';
import { defineCheck, notApplicable, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import jwksFetch from './jwks.fetch.js';
import signingKeypair from './signing.keypair.js';
import transportKeypair from './transport.keypair.js';

function findings() {
  return {
    'transport-key-is-signing-key': {
      message: ({ thumbprint, registered }: { thumbprint: string; registered?: { kid: string; use: string } }) =>
        `transport.privateKey holds the same key as signing.privateKey (key thumbprint ${thumbprint})${registered === undefined ? '' : `; the JWKS registers it under ${registered.kid} (use ${registered.use})`}.`,
      hint: () =>
        'Use a separate key for the transport certificate: a certificate presented on every mTLS connection must not carry the key that signs client assertions. Request a transport certificate for a new key, register it in the portal, and set transport.certificate and transport.privateKey to it.',
    },
    'key-not-registered': {
      message: ({ local, kids }: { local: LocalKeyMaterial; kids: readonly string[] }) =>
        `The transport certificate (x5t#S256 ${local.x5tS256}, key thumbprint ${local.thumbprint}) is not in the JWKS; it holds ${kidList(kids)}.`,
      hint: () =>
        'Some platforms do not publish transport certificates, so this can be expected; if yours does, register the transport certificate in the portal.',
    },
    ...otherCertificateFindings(
      'mTLS compares certificates, not keys: upload the current transport certificate in the portal (after a renewal the registration must follow), or set transport.certificate to the registered one.',
    ),
  } satisfies FindingTable;
}

const finding = findingsOf(findings);

export default defineCheck({
  id: 'jwks.transport-key',
  title: 'Transport certificate registered in JWKS',
  needs: [jwksFetch, transportKeypair],
  // To tell a transport key that is the signing key.
  optionalNeeds: [signingKeypair],
  online: true,
  explain: {
    verifies:
      'The mTLS transport certificate is registered in the organisation JWKS, matched by key material or `x5t#S256`, and reports the `use` it is published with (platforms differ: `tls`, `sig` or none). A warning, not a failure, when absent: some platforms do not publish transport keys. Warns when the transport key is the signing key, or the JWKS registers it with another or an expired certificate. Not applicable with `connectivity: tls`.',
    causes: [
      'The transport certificate was not uploaded in the portal, or was uploaded for another environment.',
      'The platform does not publish transport certificates in the JWKS (then the warning is expected).',
      'A renewed transport certificate is in use but the old one is registered.',
      'The signing key was reused for the transport certificate.',
    ],
    fixes: [
      "Compare fingerprints: `openssl x509 -in transport.pem -noout -fingerprint -sha256` against the JWKS keys' `x5t#S256` (base64url of the same hash).",
      'Register the transport certificate in the portal if the mTLS handshake (network.token-endpoint) is also rejected.',
    ],
    seeAlso: ['jwks.fetch', 'transport.keypair', 'network.token-endpoint'],
  },
  async run(ctx, deps, optional): Promise<CheckOutcome<RegisteredKey | undefined>> {
    const jwks = deps['jwks.fetch'];
    const keyPair = deps['transport.keypair'];
    if (!keyPair) return notApplicable('TLS connectivity presents no client certificate');
    if (isUnread(jwks)) return unreadSkip(jwks, 'whether the transport certificate is registered');
    const [{ analyseRegistration, localEvidence, otherCertificateFinding, registrationEvidence }, { localKeyMaterial }, { describeMatchedBy }] = await Promise.all([
      import('../src/jwks/analysis.js'),
      import('../src/jwks/match.js'),
      import('../src/jwks/registration.js'),
    ]);

    const analysis = analyseRegistration(keyPair, jwks.keys, 'transport', { now: ctx.now() });
    const { local } = analysis;
    const signing = optional['signing.keypair'].output;
    const signingThumbprint = signing === undefined ? undefined : localKeyMaterial(signing).thumbprint;
    const sameKey = signingThumbprint === local.thumbprint;
    const evidence: Evidence = { ...localEvidence(local, jwks), ...(sameKey && { signingThumbprint }) };
    // Without a configured kid the analysis always chooses an entry when the key is registered.
    if (analysis.found !== 'registered') {
      const missing = finding.text('key-not-registered', { local, kids: jwks.kids });
      return combine('warn', sameKey ? [finding.text('transport-key-is-signing-key', { thumbprint: local.thumbprint }), missing] : [missing], evidence, undefined);
    }

    const { registration } = analysis;
    const { key: registered, kidLabel: kid } = registration;
    const use = registered.use ?? 'not set';
    const facts: Evidence = { ...evidence, ...registrationEvidence(registration) };
    const other = otherCertificateFinding('transport', registration, local);
    // The use an entry is published with is reported, not judged: Thredd's documentation does not say which use a transport certificate gets.
    const warnings: Finding[] = [
      ...(sameKey ? [finding.text('transport-key-is-signing-key', { thumbprint: local.thumbprint, registered: { kid, use } })] : []),
      ...(other === undefined ? [] : [finding.text(other.code, other.args)]),
    ];
    const [first, ...rest] = warnings;
    if (first !== undefined) return combine('warn', [first, ...rest], facts, registered);
    return pass(registered, facts, `The transport certificate is registered under ${kid} (use ${use}), matched ${describeMatchedBy(registered.matchedBy, local)}.`);
  },
});
