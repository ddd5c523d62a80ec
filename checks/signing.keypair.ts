import { defineCheck } from '../src/pipeline/check.js';
import { checkKeyPair } from './credential-checks.js';

export default defineCheck({
  id: 'signing.keypair',
  title: 'Signing key matches certificate',
  needs: ['signing.key', 'signing.certificate'],
  run: (_ctx, deps) => checkKeyPair('signing', deps['signing.key'], deps['signing.certificate']),
});
