import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './appOrigin.js';

/**
 * The `app://earshot/` protocol: serves the built renderer (dist/renderer) to the app's windows.
 * Only GET/HEAD of files inside the root; `..`, encoded separators and NUL bytes cannot leave it.
 * Every response carries the CSP (built from the configured server URL) and `nosniff`.
 */

/** Registered before `app.ready` with `protocol.registerSchemesAsPrivileged`. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  // standard: a real origin (app://earshot), relative URLs and localStorage work; secure: getUserMedia
  // is allowed; corsEnabled: vite's `<script type="module" crossorigin>` loads in CORS mode.
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true, codeCache: true },
} as const;

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** MIME type by extension; unknown files are served as bytes (with nosniff, the page cannot run them). */
export function mimeTypeOf(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Map a request URL to a file under `root`, or null when it is not ours or would escape `root`.
 * `app://earshot/` → `<root>/index.html`; query and hash are ignored.
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null; // Malformed percent-encoding.
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  // The URL parser already removed literal dot segments; a `..` that appears only after decoding
  // (%2e%2e, %2f) was encoded on purpose and is refused outright.
  if (pathname.split('/').includes('..')) return null;
  const relative = path.posix.normalize(pathname).replace(/^\/+/, '');
  const file = path.resolve(root, relative === '' || relative.endsWith('/') ? path.join(relative, 'index.html') : relative);
  const rootResolved = path.resolve(root);
  if (file !== rootResolved && !file.startsWith(rootResolved + path.sep)) return null;
  return file;
}

export interface AppProtocolOptions {
  /** Folder of the built renderer. */
  root: string;
  /** Reads a file (Electron's patched fs reads inside app.asar too). Rejects with ENOENT etc. */
  readFile: (file: string) => Promise<Uint8Array>;
  /** The CSP to send, computed per request so a changed server URL applies on the next load. */
  contentSecurityPolicy: () => string;
}

/** The handler for `protocol.handle('app', handler)`. */
export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const headers = { 'Content-Security-Policy': options.contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('method not allowed', { status: 405, headers: { ...headers, Allow: 'GET, HEAD' } });
    }
    const file = resolveAppFile(options.root, request.url);
    if (!file) return new Response('forbidden', { status: 403, headers });
    let body: Uint8Array;
    try {
      body = await options.readFile(file);
    } catch {
      return new Response('not found', { status: 404, headers });
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: { ...headers, 'Content-Type': mimeTypeOf(file), 'Cache-Control': 'no-cache' },
    });
  };
}
