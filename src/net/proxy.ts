type Env = Readonly<Record<string, string | undefined>>;

/** The variable that names the proxy for `url` (lower case wins, as in curl), bypass aside. */
export function proxyVariable(url: URL, env: Env): string | undefined {
  const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  return names.find((name) => env[name]);
}

/** The proxy a request to `url` goes through, per HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
export function proxyFor(url: URL, env: Env): string | undefined {
  const variable = proxyVariable(url, env);
  if (!variable) return undefined;
  const noProxy = env.no_proxy || env.NO_PROXY;
  if (noProxy && bypasses(url, noProxy)) return undefined;
  return env[variable];
}

function bypasses(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [name, entryPort] = entry.toLowerCase().split(/:(?=\d+$)/);
      if (entryPort && entryPort !== port) return false;
      const bare = name!.replace(/^\*?\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/**
 * What to check when a connection to `url` went through a proxy: the
 * variable that chose it, CONNECT to the host, and NO_PROXY to bypass it.
 * Undefined when no proxy is in the path.
 */
export function proxyAdvice(url: URL, env: Env): string | undefined {
  const proxy = proxyFor(url, env);
  if (proxy === undefined) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return (
    `Check ${proxyVariable(url, env)} (${describeProxy(proxy)}): the proxy must be up and allow CONNECT to ${url.hostname}:${port}; ` +
    `if this host should be reached directly, add ${url.hostname} to NO_PROXY.`
  );
}

/** A proxy URL without its credentials, for evidence. */
export function describeProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparsable proxy URL)';
  }
}
