import { defineCheck } from '../src/pipeline/check.js';
import { checkKey } from './credential-checks.js';

export default defineCheck({
  id: 'signing.key',
  title: 'Signing private key loads',
  needs: ['config.references'],
  run: (ctx, deps) => checkKey(ctx, 'signing', deps['config.references']),
});
