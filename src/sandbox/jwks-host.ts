import { createServer, type Server } from 'node:http';
import { HUGE_JWKS_BYTES } from './faults.js';
import { pathOf, sendJson, setDateHeader, type FaultState } from './http.js';
import { clientCertificates, publishedJwk, type Material, type PublishedJwk } from './material.js';

/** The organisation JWKS as the platform publishes it under the current faults. */
export function organisationJwks(material: Material, faults: FaultState): { keys: PublishedJwk[] } {
  const keys: PublishedJwk[] = [];
  const { leaves } = clientCertificates(material, faults);
  if (faults.has('key-not-in-jwks')) {
    keys.push(publishedJwk(material.decoy.cert, material.kids.decoy, 'sig'));
  } else {
    const renamed = faults.has('kid-mismatch');
    keys.push(publishedJwk(leaves.signing, renamed ? material.kids.signingRenamed : material.kids.signing, 'sig'));
    keys.push(
      publishedJwk(
        material.signingEs256.cert,
        renamed ? material.kids.signingEs256Renamed : material.kids.signingEs256,
        'sig',
      ),
    );
  }
  keys.push(publishedJwk(leaves.transport, material.kids.transport, 'tls'));
  return { keys };
}

function hugeJwks(material: Material): string {
  const key = publishedJwk(material.decoy.cert, material.kids.decoy, 'sig');
  const one = JSON.stringify(key);
  const count = Math.ceil(HUGE_JWKS_BYTES / (one.length + 1));
  return `{"keys":[${Array.from({ length: count }, () => one).join(',')}]}`;
}

/** Plain-http host serving `GET /{organisationId}/jwks.json`, as jwks.threddid.com does. */
export function createJwksHost(material: Material, faults: FaultState): Server {
  let huge: string | undefined;
  return createServer((req, res) => {
    setDateHeader(res, faults);
    const path = pathOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
      return;
    }
    if (path !== `/${material.organisationId}/jwks.json`) {
      sendJson(res, 404, { error: 'not found', path });
      return;
    }
    if (faults.has('jwks-hang')) return;
    if (faults.has('jwks-500')) {
      sendJson(res, 500, { error: 'internal_server_error', message: 'The key store is unavailable.' });
      return;
    }
    if (faults.has('jwks-html')) {
      const page = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><h1>Please sign in</h1></body></html>';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(page)) });
      res.end(page);
      return;
    }
    if (faults.has('jwks-huge')) {
      huge ??= hugeJwks(material);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(huge)) });
      res.end(huge);
      return;
    }
    sendJson(res, 200, organisationJwks(material, faults), { 'cache-control': 'max-age=60' });
  });
}
