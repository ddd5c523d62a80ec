import { defineCheck } from '../src/pipeline/check.js';
import configConsistency from './config.consistency.js';
import transportKeypair from './transport.keypair.js';
import { TOKEN_URL, networkCauses, networkFixes } from './docs.js';

const TOKEN_HOST = new URL(TOKEN_URL).host;

export default defineCheck({
  id: 'network.token-endpoint',
  title: 'Token host reachable over TLS',
  needs: [configConsistency],
  optionalNeeds: [transportKeypair],
  online: true,
  explain: {
    verifies: `DNS, TCP and TLS to the token host (default ${TOKEN_URL}) succeed; the server certificate is trusted and matches the host name; with mTLS the server requests the client certificate (a warning when it does not: not the mTLS host, or a TLS-terminating proxy in front of it) and accepts it. Whether the server requested one is in the message and evidence (\`clientCertificateRequested\`) on TLS configs too. A failure names the failing layer (dns, tcp, tls, client certificate) with the error code or TLS alert.`,
    causes: networkCauses(TOKEN_HOST),
    fixes: networkFixes(TOKEN_HOST, TOKEN_HOST),
    seeAlso: ['network.api-endpoint', 'transport.certificate', 'clock.skew'],
  },
  // The probe loads when it runs: an offline run never loads the network code.
  async run(ctx, deps, optional) {
    const { checkEndpoint } = await import('./network-checks.js');
    return checkEndpoint(ctx, 'token', deps['config.consistency'], optional['transport.keypair']);
  },
});
