import { describe, expect, it } from 'vitest';
import { audienceDifferences, describeDifferences } from '../../src/oauth/audience.js';

describe('audienceDifferences', () => {
  it.each([
    ['the documented audience vs the token URL', 'www.threddid.com/oauth2/token', 'https://threddid.com/oauth2/token', 'scheme none vs https, host www.threddid.com vs threddid.com'],
    ['a trailing slash', 'https://threddid.com/oauth2/token/', 'https://threddid.com/oauth2/token', 'path /oauth2/token/ vs /oauth2/token'],
    ['another port', 'https://127.0.0.1:8443/oauth2/token', 'https://127.0.0.1:9443/oauth2/token', 'port 8443 vs 9443'],
    ['http vs https', 'http://threddid.com/oauth2/token', 'https://threddid.com/oauth2/token', 'scheme http vs https'],
    ['the issuer instead of the token URL', 'https://threddid.com', 'https://threddid.com/oauth2/token', 'path / vs /oauth2/token'],
    ['the host only', 'threddid.com', 'https://threddid.com/oauth2/token', 'scheme none vs https, path / vs /oauth2/token'],
    ['letter case only', 'https://Threddid.com/oauth2/token', 'https://threddid.com/oauth2/token', '"https://Threddid.com/oauth2/token" vs "https://threddid.com/oauth2/token" as text'],
    ['no URL at all', 'not a url at all', 'https://threddid.com/oauth2/token', '"not a url at all" vs "https://threddid.com/oauth2/token" as text'],
  ])('%s', (_name, sent, url, described) => {
    expect(describeDifferences(audienceDifferences(sent, url))).toBe(described);
  });

  it('finds no difference in identical strings', () => {
    expect(audienceDifferences('https://threddid.com/oauth2/token', 'https://threddid.com/oauth2/token')).toEqual([]);
  });
});
