import { defineCheck } from '../src/pipeline/check.js';
import { checkCertificate } from './credential-checks.js';

export default defineCheck({
  id: 'transport.certificate',
  title: 'Transport certificate',
  needs: ['config.references'],
  run: (ctx, deps) => checkCertificate(ctx, 'transport', deps['config.references']),
});
