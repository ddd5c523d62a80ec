import { defineCheck } from '../src/pipeline/check.js';
import { checkCertificate } from './credential-checks.js';
import configReferences from './config.references.js';
import { credentialCertificateExplanation } from './docs.js';

export default defineCheck({
  id: 'transport.certificate',
  title: 'Transport certificate valid',
  needs: [configReferences],
  explain: credentialCertificateExplanation('transport'),
  run: (ctx, deps) => checkCertificate(ctx, 'transport', deps['config.references']),
});
