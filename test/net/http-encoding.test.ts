import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants, createBrotliCompress, createGzip, deflateSync, gzipSync } from 'node:zlib';
import type { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCEPT_ENCODING, createHttpSession, HttpFailure, type HttpSession } from '../../src/net/http.js';

// golive asks for gzip, deflate and br and decodes them; the size cap counts
// decoded bytes, and a bomb is cut there without being inflated whole.

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'x'.repeat(400), e: 'AQAB' }] });
const CAP = 1_048_576;
/** Decoded size of the bombs: 256 times the cap. */
const BOMB_BYTES = 256 * CAP;

/** Compresses BOMB_BYTES of zeros as a stream, never holding them. */
async function bomb(compressor: Transform): Promise<Buffer> {
  const zeros = Buffer.alloc(CAP);
  const out: Buffer[] = [];
  compressor.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => compressor.on('end', resolve));
  for (let i = 0; i < BOMB_BYTES / CAP; i++) {
    if (!compressor.write(zeros)) await new Promise((resolve) => compressor.once('drain', resolve));
  }
  compressor.end();
  await done;
  return Buffer.concat(out);
}

function gzipN(body: Buffer, times: number): Buffer {
  let out = body;
  for (let i = 0; i < times; i++) out = gzipSync(out);
  return out;
}
/** A real body gzipped 1600 times over, labelled so: each layer is a decoder golive would run. */
const deepGzip = gzipN(Buffer.from(JWKS), 1600);

let server: Server;
let origin = '';
let session: HttpSession;
const bombs = new Map<string, Buffer>();
let lastAcceptEncoding: string | undefined;

function answer(req: IncomingMessage, res: ServerResponse): void {
  lastAcceptEncoding = req.headers['accept-encoding'];
  const send = (body: Buffer, headers: Record<string, string>, status = 200): void =>
    void res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length), ...headers }).end(body);
  const gzipJwks = gzipSync(JWKS);
  switch (req.url) {
    case '/plain':
      return send(Buffer.from(JWKS), {});
    case '/gzip':
      return send(gzipJwks, { 'content-encoding': 'gzip' });
    case '/x-gzip':
      return send(gzipJwks, { 'content-encoding': 'X-GZIP' });
    case '/deflate':
      return send(deflateSync(JWKS), { 'content-encoding': 'deflate' });
    case '/br':
      return send(brotliCompressSync(JWKS), { 'content-encoding': 'br' });
    case '/gzip-then-br':
      return send(brotliCompressSync(gzipJwks), { 'content-encoding': 'gzip, br' });
    case '/identity':
      return send(Buffer.from(JWKS), { 'content-encoding': 'identity' });
    case '/gzip-bomb':
      return send(bombs.get('gzip')!, { 'content-encoding': 'gzip' });
    case '/br-bomb':
      return send(bombs.get('br')!, { 'content-encoding': 'br' });
    case '/garbage-gzip':
      return send(Buffer.from('this is not gzip at all'), { 'content-encoding': 'gzip' });
    case '/truncated-gzip':
      return send(gzipJwks.subarray(0, gzipJwks.length - 12), { 'content-encoding': 'gzip' });
    case '/zstd':
      return send(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]), { 'content-encoding': 'zstd' });
    case '/gzip-1600-deep':
      return send(deepGzip, { 'content-encoding': Array.from({ length: 1600 }, () => 'gzip').join(', ') });
    case '/gzip-4-deep':
      return send(gzipN(Buffer.from(JWKS), 4), { 'content-encoding': 'gzip, gzip, gzip, gzip' });
    case '/empty-401':
      return send(Buffer.alloc(0), { 'content-encoding': 'gzip', 'www-authenticate': 'Basic realm="x"' }, 401);
    case '/stalled-gzip':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(gzipJwks.length) });
      res.write(gzipJwks.subarray(0, 10));
      return;
    default:
      void res.writeHead(404).end();
  }
}

beforeAll(async () => {
  const [gzip, br] = await Promise.all([bomb(createGzip({ level: 9 })), bomb(createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }))]);
  bombs.set('gzip', gzip).set('br', br);
  server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  session = createHttpSession({});
});

afterAll(async () => {
  await session?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const get = (path: string, options: { maxBytes?: number; timeoutMs?: number; headers?: Record<string, string> } = {}) =>
  session.request({ url: `${origin}${path}`, material: {}, timeoutMs: options.timeoutMs ?? 5_000, maxBytes: options.maxBytes ?? CAP, ...(options.headers && { headers: options.headers }) });

describe('the HTTP session and Content-Encoding', () => {
  it('asks for gzip, deflate and br, unless the request names its own Accept-Encoding', async () => {
    await get('/plain');
    expect(lastAcceptEncoding).toBe(ACCEPT_ENCODING);
    expect(ACCEPT_ENCODING).toBe('gzip, deflate, br');
    await get('/plain', { headers: { 'Accept-Encoding': 'identity' } });
    expect(lastAcceptEncoding).toBe('identity');
  });

  it.each(['/plain', '/identity', '/gzip', '/x-gzip', '/deflate', '/br', '/gzip-then-br'])('%s decodes to the JSON sent', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.body.toString('utf8')).toBe(JWKS);
    expect(response).toMatchObject({ truncated: false, bytesRead: JWKS.length });
    expect(response.undecodable).toBeUndefined();
    if (!['/plain', '/identity'].includes(path)) expect(response.encodedBytes).toBeLessThan(JWKS.length);
  });

  it.each(['gzip', 'br'])('a %s bomb is cut at the cap, counted after decoding, without inflating it whole', async (kind) => {
    const compressed = bombs.get(kind)!.length;
    expect(compressed).toBeLessThan(CAP);
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const response = await get(`/${kind}-bomb`);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(response).toMatchObject({ status: 200, truncated: true });
    expect(response.body.length).toBe(CAP);
    expect(response.bytesRead).toBeGreaterThan(CAP);
    expect(response.bytesRead).toBeLessThan(CAP + 256 * 1024);
    expect(response.encodedBytes).toBeLessThanOrEqual(compressed);
    expect(response.undecodable).toBeUndefined();
    // 256 MiB never exist in memory: what grew is the capped body and zlib's buffers.
    expect(grown).toBeLessThan(32 * CAP);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a body that is not the encoding it is labelled with is undecodable, with zlib\'s reason', async () => {
    const response = await get('/garbage-gzip');
    expect(response.status).toBe(200);
    expect(response.undecodable).toEqual({ encoding: 'gzip', problem: 'corrupt', reason: 'incorrect header check', code: 'Z_DATA_ERROR' });
  });

  it('a gzip body cut short is undecodable', async () => {
    const response = await get('/truncated-gzip');
    expect(response.undecodable).toMatchObject({ encoding: 'gzip', problem: 'corrupt', reason: 'unexpected end of file', code: 'Z_BUF_ERROR' });
  });

  it('an encoding golive does not decode is named, the bytes kept as received', async () => {
    const response = await get('/zstd');
    expect(response.undecodable).toEqual({ encoding: 'zstd', problem: 'unsupported' });
    expect(response.body).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]));
  });

  it('four codings one after another decode', async () => {
    const response = await get('/gzip-4-deep');
    expect(response.body.toString('utf8')).toBe(JWKS);
    expect(response.undecodable).toBeUndefined();
  });

  it('a chain of 1600 codings is not decoded: named at once, the bytes kept as received, well within the timeout', async () => {
    const started = performance.now();
    const response = await get('/gzip-1600-deep', { timeoutMs: 3_000 });
    expect(response.undecodable).toEqual({ encoding: 'gzip, gzip, gzip, gzip, …', problem: 'too-many', count: 1600 });
    expect(response.body).toEqual(deepGzip);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('an empty body labelled gzip is an empty body', async () => {
    const response = await get('/empty-401');
    expect(response).toMatchObject({ status: 401, bytesRead: 0, truncated: false });
    expect(response.undecodable).toBeUndefined();
  });

  it('a compressed body that stalls ends at the timeout, naming the body step', async () => {
    const failure = await get('/stalled-gzip', { timeoutMs: 400 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpFailure);
    expect((failure as HttpFailure).failure).toMatchObject({ layer: 'timeout', step: 'body' });
  });
});
