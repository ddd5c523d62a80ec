import { defineCheck } from '../src/pipeline/check.js';
import { checkKeyPair } from './credential-checks.js';
import signingKey from './signing.key.js';
import signingCertificate from './signing.certificate.js';
import { credentialKeypairExplanation } from './docs.js';

export default defineCheck({
  id: 'signing.keypair',
  title: 'Signing key matches certificate',
  needs: [signingKey, signingCertificate],
  explain: credentialKeypairExplanation('signing'),
  run: (ctx, deps) => checkKeyPair(ctx, 'signing', deps['signing.key'], deps['signing.certificate']),
});
