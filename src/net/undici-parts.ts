// The two parts of undici golive uses, Agent and request(), without the rest
// of its index (fetch, WebSocket, caches, mocks): 25 of its 110 modules.
// src/net/undici.ts loads this file; the build gives it to any other import
// of undici too, with a warning (scripts/bundle-plugins.ts).
import type { Dispatcher } from 'undici';
import Agent from 'undici/lib/dispatcher/agent.js';
import dispatchRequest from 'undici/lib/api/api-request.js';

export { Agent };

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher };

/** undici's `request(url, options)` with the dispatcher given: its origin and path come from the URL. */
export function request(url: string | URL, { dispatcher, ...options }: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  return dispatchRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
}
