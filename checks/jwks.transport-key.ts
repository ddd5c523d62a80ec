import { analyseRegistration, localEvidence, otherCertificateFinding, otherCertificateFindings, registrationEvidence } from '../src/jwks/analysis.js';
import type { LocalKeyMaterial } from '../src/jwks/match.js';
import { describeMatchedBy, kidList } from '../src/jwks/registration.js';
import type { RegisteredKey } from '../src/online/types.js';
import { defineCheck, notApplicable, pass, type CheckOutcome, type Evidence } from '../src/pipeline/check.js';
import { combine, findingsOf, type Finding, type FindingTable } from '../src/pipeline/findings.js';
import jwksFetch from './jwks.fetch.js';
import transportKeypair from './transport.keypair.js';

function findings() {
  return {
    'key-not-registered': {
      message: ({ local, kids }: { local: LocalKeyMaterial; kids: readonly string[] }) =>
        `The transport certificate (x5t#S256 ${local.x5tS256}, key thumbprint ${local.thumbprint}) is not in the JWKS; it holds ${kidList(kids)}.`,
      hint: () =>
        'Some platforms do not publish transport certificates, so this can be expected; if yours does (Thredd lists them with use "tls"), register the transport certificate in the portal.',
    },
    'registered-as-signing-key': {
      message: ({ kid }: { kid: string }) => `The transport key is registered only as a signing key (${kid}, use "sig"), not as a transport certificate.`,
      hint: () => 'Use separate keys for signing and transport, and register the transport certificate in the portal.',
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
  run(ctx, deps): CheckOutcome<RegisteredKey | undefined> {
    const jwks = deps['jwks.fetch'];
    const keyPair = deps['transport.keypair'];
    if (!keyPair) return notApplicable('TLS connectivity presents no client certificate');

    const analysis = analyseRegistration(keyPair, jwks.keys, 'transport', { now: ctx.now() });
    const { local } = analysis;
    const evidence = localEvidence(local, jwks);
    // Without a configured kid the analysis always chooses an entry when the key is registered.
    if (analysis.found !== 'registered') return finding.warn('key-not-registered', { local, kids: jwks.kids }, evidence, undefined);

    const { registration } = analysis;
    const { key: registered, kidLabel: kid } = registration;
    const facts: Evidence = { ...evidence, ...registrationEvidence(registration) };
    const other = otherCertificateFinding('transport', registration, local);
    const warnings: Finding[] = [
      ...(registered.use === 'sig' ? [finding.text('registered-as-signing-key', { kid })] : []),
      ...(other === undefined ? [] : [finding.text(other.code, other.args)]),
    ];
    const [first, ...rest] = warnings;
    if (first !== undefined) return combine('warn', [first, ...rest], facts, registered);
    return pass(
      registered,
      facts,
      `The transport certificate is registered under ${kid} (use ${registered.use ?? 'not set'}), matched ${describeMatchedBy(registered.matchedBy, local)}.`,
    );
  },
});
