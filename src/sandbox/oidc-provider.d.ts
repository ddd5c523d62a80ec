// oidc-provider ships no type declarations; this covers what the sandbox uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderContext {
    socket: import('node:net').Socket;
    method: string;
    path: string;
    oidc: {
      issuer: string;
      urlFor(name: string): string;
      route: string;
      params?: Record<string, unknown>;
      client?: { clientId: string };
    };
  }

  export interface ClientInstance {
    clientId: string;
    asymmetricKeyStore: { clear(): void; freshUntil?: number };
  }

  export class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    readonly Client: { find(id: string): Promise<ClientInstance | undefined> };
    readonly OIDCContext: { prototype: { clientJwtAuthExpectedAudience(): Set<string> } };
  }

  export const errors: {
    InvalidClientAuth: new (detail: string) => Error;
  };

  export default Provider;
}
