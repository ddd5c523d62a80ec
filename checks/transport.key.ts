import { defineCheck } from '../src/pipeline/check.js';
import { checkKey } from './credential-checks.js';

export default defineCheck({
  id: 'transport.key',
  title: 'Transport private key loads',
  needs: ['config.references'],
  run: (_ctx, deps) => checkKey('transport', deps['config.references']),
});
