import { defineCheck } from '../src/pipeline/check.js';
import { checkKey } from './credential-checks.js';

export default defineCheck({
  id: 'signing.key',
  title: 'Signing private key loads',
  needs: ['config.references'],
  run: (_ctx, deps) => checkKey('signing', deps['config.references']),
});
