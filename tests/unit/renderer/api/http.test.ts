import { describe, expect, it, vi } from 'vitest';
import { EarshotError } from '../../../../common/errors.js';
import { createHttpApi } from '../../../../renderer/api/http.js';

const user = { id: 1, username: 'alice', displayName: 'Alice', role: 'member' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('createHttpApi', () => {
  it('posts the login and validates the session', async () => {
    const fetch = vi.fn(async () => json(200, { token: 't', expiresAt: 5, user }));
    const api = createHttpApi({ baseUrl: 'http://server', fetch });
    await expect(api.login({ username: 'alice', password: 'pw' })).resolves.toEqual({ token: 't', expiresAt: 5, user });
    expect(fetch).toHaveBeenCalledWith('http://server/api/login', expect.objectContaining({ method: 'POST' }));
  });

  it('turns an error body into an EarshotError with its code', async () => {
    const api = createHttpApi({
      baseUrl: '',
      fetch: async () => json(401, { error: { code: 'INVALID_CREDENTIALS', message: 'no' } }),
    });
    await expect(api.login({ username: 'alice', password: 'pw' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('rejects a response that does not match the schema', async () => {
    const api = createHttpApi({ baseUrl: '', fetch: async () => json(200, { token: 5 }) });
    await expect(api.login({ username: 'a', password: 'b' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('validates registration input before sending it', async () => {
    const fetch = vi.fn();
    const api = createHttpApi({ baseUrl: '', fetch });
    const error = await api.register({ username: 'Alice!', displayName: 'A', password: 'longenough' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EarshotError);
    expect((error as EarshotError).message).toMatch(/^Username: /);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('sends the bearer token on logout and reports network failures as UNAVAILABLE', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    await createHttpApi({ baseUrl: '', fetch }).logout('tok');
    expect(fetch).toHaveBeenCalledWith('/api/logout', expect.objectContaining({ headers: { Authorization: 'Bearer tok' } }));
    const down = createHttpApi({ baseUrl: '', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    await expect(down.config()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  describe('guests', () => {
    it('reads a guest-enabled room\'s title, and passes NOT_FOUND on', async () => {
      const fetch = vi.fn(async () => json(200, { conversationId: 7, title: 'Support' }));
      await expect(createHttpApi({ baseUrl: 'http://server', fetch }).guestRoom(7)).resolves.toEqual({ conversationId: 7, title: 'Support' });
      expect(fetch).toHaveBeenCalledWith('http://server/api/guest/7', expect.objectContaining({ method: 'GET' }));
      const closed = createHttpApi({ baseUrl: '', fetch: async () => json(404, { error: { code: 'NOT_FOUND', message: 'no room with guest access here' } }) });
      await expect(closed.guestRoom(8)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('posts the guest\'s name for a room and returns the scoped session', async () => {
      const guest = { id: 9, username: 'guest-0a1b2c', displayName: 'Vera', role: 'guest' };
      const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => json(201, { token: 'g', expiresAt: 5, user: guest }));
      const api = createHttpApi({ baseUrl: 'http://server', fetch });
      await expect(api.guest({ conversationId: 7, displayName: ' Vera ' })).resolves.toEqual({ token: 'g', expiresAt: 5, user: guest });
      const [url, init] = fetch.mock.calls[0]!;
      expect(url).toBe('http://server/api/guest');
      expect(JSON.parse(String(init?.body))).toEqual({ conversationId: 7, displayName: 'Vera' });
    });

    it('refuses an empty name before sending it, naming the field as the form does', async () => {
      const fetch = vi.fn();
      const error = await createHttpApi({ baseUrl: '', fetch }).guest({ conversationId: 7, displayName: '   ' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect((error as EarshotError).message).toMatch(/^Your name: /);
      expect(fetch).not.toHaveBeenCalled();
    });
  });
});
