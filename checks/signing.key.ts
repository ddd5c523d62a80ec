import { defineCheck } from '../src/pipeline/check.js';
import { checkKey } from './credential-checks.js';
import configReferences from './config.references.js';
import { credentialKeyExplanation } from './docs.js';

export default defineCheck({
  id: 'signing.key',
  title: 'Signing private key loads',
  needs: [configReferences],
  explain: credentialKeyExplanation('signing'),
  run: (ctx, deps) => checkKey(ctx, 'signing', deps['config.references']),
});
