import { defineCheck } from '../src/pipeline/check.js';
import { checkEndpoint } from './network-checks.js';

export default defineCheck({
  id: 'network.api-endpoint',
  title: 'API host reachable over TLS',
  needs: ['config.consistency'],
  online: true,
  run: (ctx, deps) => checkEndpoint(ctx, 'api', deps['config.consistency']),
});
