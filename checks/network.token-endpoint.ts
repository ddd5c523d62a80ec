import { defineCheck } from '../src/pipeline/check.js';
import { checkEndpoint } from './network-checks.js';

export default defineCheck({
  id: 'network.token-endpoint',
  title: 'Token host reachable over TLS',
  needs: ['config.consistency'],
  online: true,
  run: (ctx, deps) => checkEndpoint(ctx, 'token', deps['config.consistency']),
});
