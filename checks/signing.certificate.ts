import { defineCheck } from '../src/pipeline/check.js';
import { checkCertificate } from './credential-checks.js';

export default defineCheck({
  id: 'signing.certificate',
  title: 'Signing certificate valid',
  needs: ['config.references'],
  run: (ctx, deps) => checkCertificate(ctx, 'signing', deps['config.references']),
});
