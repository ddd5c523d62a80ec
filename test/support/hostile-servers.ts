import { createServer, type Server, type Socket } from 'node:net';

/**
 * One raw TCP server on 127.0.0.1 that misbehaves per request path, the way
 * real JWKS hosts, proxies and broken middleboxes do. Raw sockets, not
 * node:http, so it can also send what HTTP forbids: garbage, a reset in the
 * middle of a body, headers one byte at a time.
 *
 *   /hang           reads the request, never answers
 *   /slow-headers   sends the status line and headers one byte every 200 ms
 *   /slow-body      sends the headers at once, then a 40-byte body one byte every 250 ms
 *   /huge           200 application/json, 20 MB streamed as produced (never held in memory)
 *   /reset          200 with Content-Length 100000, 1,000 bytes, then a TCP reset
 *   /garbage        bytes that are not HTTP at all
 *   /binary         200 application/octet-stream, random bytes
 *   /redirect       302 to another host's JWKS
 *   /https-upgrade  301 to the same host over https
 *   /reply?…        200 with the body and content type of `replies` registered under that name
 */
export interface HostileServer {
  origin: string;
  url(path: string): string;
  /** Registers a canned 200 answer served at `/reply/<name>` (null: no content type); returns its URL. */
  reply(name: string, body: string, contentType?: string | null): string;
  /** Body bytes /huge pushed into the socket before the client went away. */
  hugeBytesWritten(): number;
  close(): Promise<void>;
}

export const HUGE_BODY_BYTES = 20 * 1024 * 1024;
const HUGE_CHUNK = Buffer.alloc(64 * 1024, 0x20);

function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}

function streamHuge(socket: Socket, counter: { bytes: number }): void {
  socket.write(head('200 OK', { 'content-type': 'application/json', 'content-length': HUGE_BODY_BYTES }));
  socket.write('{"keys":[');
  counter.bytes += 9;
  const pump = (): void => {
    while (counter.bytes < HUGE_BODY_BYTES && !socket.destroyed) {
      const chunk = HUGE_CHUNK.subarray(0, Math.min(HUGE_CHUNK.length, HUGE_BODY_BYTES - counter.bytes));
      counter.bytes += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

function trickle(socket: Socket, text: string, everyMs: number): void {
  let index = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || index >= text.length) {
      clearInterval(timer);
      return;
    }
    socket.write(text[index++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

export async function startHostileServer(): Promise<HostileServer> {
  const replies = new Map<string, { body: string; contentType: string | null }>();
  const sockets = new Set<Socket>();
  let huge = { bytes: 0 };
  let origin = '';

  const answer = (socket: Socket, path: string): void => {
    if (path === '/hang') return;
    if (path === '/slow-headers') {
      trickle(socket, head('200 OK', { 'content-type': 'application/json', 'content-length': 11, 'x-padding': 'x'.repeat(40) }), 200);
      return;
    }
    if (path === '/slow-body') {
      socket.write(head('200 OK', { 'content-type': 'application/json', 'content-length': 40 }));
      trickle(socket, `{"keys":[]${' '.repeat(29)}}`, 250);
      return;
    }
    if (path === '/huge') {
      huge = { bytes: 0 };
      return streamHuge(socket, huge);
    }
    if (path === '/reset') {
      socket.write(head('200 OK', { 'content-type': 'application/json', 'content-length': 100_000 }));
      socket.write(`{"keys":[${' '.repeat(991)}`, () => setTimeout(() => socket.resetAndDestroy(), 20));
      return;
    }
    if (path === '/garbage') {
      socket.end('\x16\x03\x01\x02\x00garbage that is not HTTP\r\n\r\n');
      return;
    }
    if (path === '/binary') {
      const body = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256));
      socket.end(Buffer.concat([Buffer.from(head('200 OK', { 'content-type': 'application/octet-stream', 'content-length': body.length })), body]));
      return;
    }
    if (path === '/redirect') {
      socket.end(head('302 Found', { location: 'http://jwks.elsewhere.example/org/jwks.json', 'content-length': 0 }));
      return;
    }
    if (path === '/https-upgrade') {
      socket.end(head('301 Moved Permanently', { location: `${origin.replace('http:', 'https:')}/https-upgrade`, 'content-length': 0 }));
      return;
    }
    const canned = path.startsWith('/reply/') ? replies.get(path.slice('/reply/'.length)) : undefined;
    if (canned) {
      const body = Buffer.from(canned.body);
      const type: Record<string, string> = canned.contentType === null ? {} : { 'content-type': canned.contentType };
      socket.end(Buffer.concat([Buffer.from(head('200 OK', { ...type, 'content-length': body.length, connection: 'close' })), body]));
      return;
    }
    socket.end(head('404 Not Found', { 'content-length': 0 }));
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let request = '';
    const onData = (data: Buffer): void => {
      request += data.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const path = /^[A-Z]+ (\S+) HTTP/.exec(request)?.[1] ?? '/';
      answer(socket, path);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('hostile server has no port');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    url: (path) => `${origin}${path}`,
    reply(name, body, contentType = 'application/json') {
      replies.set(name, { body, contentType });
      return `${origin}/reply/${name}`;
    },
    hugeBytesWritten: () => huge.bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
