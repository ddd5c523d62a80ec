import { defineCheck } from '../src/pipeline/check.js';
import configConsistency from './config.consistency.js';
import transportKeypair from './transport.keypair.js';
import { networkCauses, networkFixes } from './docs.js';
import { THREDD } from '../src/profiles/thredd.js';

const UAT_API_HOST = new URL(THREDD.apiHosts.uat.tls).host;
const UAT_MTLS_API_HOST = new URL(THREDD.apiHosts.uat.mtls).host;

export default defineCheck({
  id: 'network.api-endpoint',
  title: 'API host reachable over TLS',
  needs: [configConsistency],
  optionalNeeds: [transportKeypair],
  online: true,
  explain: {
    verifies: `The same as network.token-endpoint, for the API host: DNS, TCP and TLS succeed, the server certificate is trusted and matches, and with mTLS the server requests the client certificate (a warning when it does not) and accepts it. The thredd profile derives the host from environment and connectivity (uat+tls ${THREDD.apiHosts.uat.tls}, production+tls ${THREDD.apiHosts.production.tls}, uat+mtls ${THREDD.apiHosts.uat.mtls}, production+mtls ${THREDD.apiHosts.production.mtls}).`,
    causes: [
      ...networkCauses('the API host'),
      'An mTLS client connects to the TLS host, or a TLS client to the mTLS host, through an endpoint override.',
    ],
    fixes: networkFixes(UAT_API_HOST, UAT_MTLS_API_HOST),
    seeAlso: ['network.token-endpoint', 'config.consistency', 'probe.call'],
  },
  // The probe loads when it runs: an offline run never loads the network code.
  async run(ctx, deps, optional) {
    const { checkEndpoint } = await import('./network-checks.js');
    return checkEndpoint(ctx, 'api', deps['config.consistency'], optional['transport.keypair']);
  },
});
