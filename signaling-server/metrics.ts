import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (own registry, so tests can run several servers). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'earshot_' });
  return {
    registry,
    connections: new Gauge({ name: 'earshot_ws_connections', help: 'Open authenticated WebSocket connections', registers: [registry] }),
    onlineUsers: new Gauge({ name: 'earshot_online_users', help: 'Users with at least one connected device', registers: [registry] }),
    messagesIn: new Counter({
      name: 'earshot_ws_messages_received_total',
      help: 'Frames received from clients, by method',
      labelNames: ['method'],
      registers: [registry],
    }),
    messagesOut: new Counter({ name: 'earshot_ws_messages_sent_total', help: 'Frames sent to clients', registers: [registry] }),
    errors: new Counter({ name: 'earshot_errors_total', help: 'Errors returned to clients, by code', labelNames: ['code'], registers: [registry] }),
    shed: new Counter({
      name: 'earshot_ws_shed_total',
      help: 'Non-essential updates dropped or sockets closed because a client could not keep up',
      labelNames: ['action'],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'earshot_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    chatMessages: new Counter({ name: 'earshot_chat_messages_total', help: 'Chat messages stored', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
