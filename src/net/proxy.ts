/** The proxy a request to `url` goes through, per HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). */
export function proxyFor(url: URL, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const proxy = url.protocol === 'https:' ? pick('https_proxy') ?? pick('http_proxy') : pick('http_proxy');
  if (!proxy) return undefined;
  const noProxy = pick('no_proxy');
  if (noProxy && bypasses(url, noProxy)) return undefined;
  return proxy;
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

/** A proxy URL without its credentials, for evidence. */
export function describeProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(unparsable proxy URL)';
  }
}
