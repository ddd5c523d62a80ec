import { defineCheck } from '../src/pipeline/check.js';
import { checkKeyPair } from './credential-checks.js';

export default defineCheck({
  id: 'transport.keypair',
  title: 'Transport key matches certificate',
  needs: ['transport.key', 'transport.certificate'],
  run: (_ctx, deps) => checkKeyPair('transport', deps['transport.key'], deps['transport.certificate']),
});
