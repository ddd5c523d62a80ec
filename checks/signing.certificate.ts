import { defineCheck } from '../src/pipeline/check.js';
import { checkCertificate } from './credential-checks.js';
import configReferences from './config.references.js';
import { credentialCertificateExplanation } from './docs.js';

export default defineCheck({
  id: 'signing.certificate',
  title: 'Signing certificate valid',
  needs: [configReferences],
  explain: credentialCertificateExplanation('signing'),
  run: (ctx, deps) => checkCertificate(ctx, 'signing', deps['config.references']),
});
