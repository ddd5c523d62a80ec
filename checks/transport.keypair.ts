import { defineCheck } from '../src/pipeline/check.js';
import { checkKeyPair } from './credential-checks.js';
import transportKey from './transport.key.js';
import transportCertificate from './transport.certificate.js';
import { credentialKeypairExplanation } from './docs.js';

export default defineCheck({
  id: 'transport.keypair',
  title: 'Transport key matches certificate',
  needs: [transportKey, transportCertificate],
  explain: credentialKeypairExplanation('transport'),
  run: (ctx, deps) => checkKeyPair(ctx, 'transport', deps['transport.key'], deps['transport.certificate']),
});
