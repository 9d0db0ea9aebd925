import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, effectiveServerUrl, serverUrlOverride } from '../../../main/serverUrl.js';

describe('serverUrl', () => {
  it('prefers the hosted server, then the launcher override, then the setting, then the default', () => {
    expect(effectiveServerUrl({ hosted: 'http://127.0.0.1:9000', override: 'http://a:1', stored: 'http://b:2' })).toBe('http://127.0.0.1:9000');
    expect(effectiveServerUrl({ hosted: null, override: 'http://a:1/', stored: 'http://b:2' })).toBe('http://a:1');
    expect(effectiveServerUrl({ hosted: null, override: null, stored: 'https://talk.example.com/' })).toBe('https://talk.example.com');
    expect(effectiveServerUrl({ hosted: null, override: null, stored: '' })).toBe(DEFAULT_SERVER_URL);
    expect(effectiveServerUrl({ hosted: null, override: null, stored: 'ftp://nope' })).toBe(DEFAULT_SERVER_URL);
  });

  it('reads --server-url= before EARSHOT_SERVER_URL and ignores invalid ones', () => {
    expect(serverUrlOverride(['--server-url=http://x:1'], { EARSHOT_SERVER_URL: 'http://y:2' })).toBe('http://x:1');
    expect(serverUrlOverride([], { EARSHOT_SERVER_URL: 'http://y:2' })).toBe('http://y:2');
    expect(serverUrlOverride([], { EARSHOT_SERVER_URL: 'javascript:1' })).toBeNull();
    expect(serverUrlOverride([], {})).toBeNull();
  });
});
