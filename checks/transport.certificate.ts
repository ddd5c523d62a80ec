import { defineCheck } from '../src/pipeline/check.js';
import { checkCertificate } from './credential-checks.js';

export default defineCheck({
  id: 'transport.certificate',
  title: 'Transport certificate valid',
  needs: ['config.references'],
  run: (ctx, deps) => checkCertificate(ctx, 'transport', deps['config.references']),
});
