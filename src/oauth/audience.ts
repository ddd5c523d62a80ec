/**
 * Where an assertion `aud` differs from the URL it was posted to, part by
 * part, so `www.threddid.com/oauth2/token` beside
 * `https://threddid.com/oauth2/token` reads "scheme none vs https, host
 * www.threddid.com vs threddid.com" rather than two long strings to compare.
 */
export interface UrlPartDifference {
  part: 'scheme' | 'host' | 'port' | 'path' | 'query' | 'text';
  sent: string;
  url: string;
}

interface Parts {
  scheme: string;
  host: string;
  port: string;
  path: string;
  query: string;
}

function partsOf(value: string): Parts | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  let url: URL;
  try {
    url = new URL(scheme ? value : `https://${value}`);
  } catch {
    return undefined;
  }
  return {
    scheme: scheme ?? 'none',
    host: url.hostname,
    // Explicit ports only: the URL parser drops a scheme's default port.
    port: url.port,
    path: url.pathname,
    query: url.search,
  };
}

/** The parts in which `sent` differs from `url`; empty when they are the same string. */
export function audienceDifferences(sent: string, url: string): UrlPartDifference[] {
  if (sent === url) return [];
  const a = partsOf(sent);
  const b = partsOf(url);
  if (!a || !b) return [{ part: 'text', sent, url }];
  // A case-only difference in the scheme or host is still a different string to an exact comparison.
  const differences = (['scheme', 'host', 'port', 'path', 'query'] as const)
    .filter((part) => a[part] !== b[part])
    .map((part) => ({ part, sent: a[part] || '(none)', url: b[part] || '(none)' }));
  if (differences.length === 0 && a.scheme === 'none') return [{ part: 'scheme', sent: 'none', url: b.scheme }];
  return differences.length > 0 ? differences : [{ part: 'text', sent, url }];
}

export function describeDifferences(differences: readonly UrlPartDifference[]): string {
  return differences
    .map(({ part, sent, url }) => (part === 'text' ? `"${sent}" vs "${url}" as text` : `${part} ${sent} vs ${url}`))
    .join(', ');
}
