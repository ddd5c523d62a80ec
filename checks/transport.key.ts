import { defineCheck } from '../src/pipeline/check.js';
import { checkKey } from './credential-checks.js';
import configReferences from './config.references.js';
import { credentialKeyExplanation } from './docs.js';

export default defineCheck({
  id: 'transport.key',
  title: 'Transport private key loads',
  needs: [configReferences],
  explain: credentialKeyExplanation('transport'),
  run: (ctx, deps) => checkKey(ctx, 'transport', deps['config.references']),
});
