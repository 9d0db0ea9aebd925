import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** One request the proxy saw: a CONNECT tunnel or a plain-http forward (`GET http://…`). */
export interface ProxyRequest {
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** Whether the proxy let it through (`allowConnect` refused it with 403 otherwise). */
  allowed: boolean;
}

export interface ConnectProxy {
  host: string;
  port: number;
  /** `http://host:port`, for Chromium's `--proxy-server`. */
  url: string;
  /** Every request so far, oldest first. */
  requests: ProxyRequest[];
  stop(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** Address to listen on (e.g. the host side of a test network's veth). */
  host: string;
  /**
   * Which CONNECT targets to tunnel, like a corporate proxy that allows only port 443. Refused
   * ones get `403 Forbidden`. Default: all.
   */
  allowConnect?: (host: string, port: number) => boolean;
}

/**
 * A minimal HTTP proxy as a restrictive network has one: `CONNECT host:port` opens a TCP tunnel
 * (what browsers use for https, wss and — Chromium — TURN over TCP/TLS), and absolute-URI
 * requests (`GET http://host/…`) are forwarded. No caching, no authentication, no TLS
 * interception. Only for tests: it tunnels to wherever `allowConnect` permits.
 */
export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const requests: ProxyRequest[] = [];
  const sockets = new Set<net.Socket>();
  const allow = options.allowConnect ?? (() => true);

  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      requests.push({ method: req.method ?? '?', target, allowed: false });
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    requests.push({ method: req.method ?? '?', target, allowed: true });
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = http.request({ host: url.hostname, port: url.port || 80, path: `${url.pathname}${url.search}`, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const target = req.url ?? '';
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(target);
    const allowed = match !== null && allow(match[1]!, Number(match[2]));
    requests.push({ method: 'CONNECT', target, allowed });
    if (!match || !allowed) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), match[1]!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
    client.on('close', () => upstream.destroy());
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: options.host,
    port,
    url: `http://${options.host}:${port}`,
    requests,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
