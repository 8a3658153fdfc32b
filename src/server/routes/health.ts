// GET /healthz (the process answers) and GET /readyz (it can judge requests: the configuration is
// loaded, which it is once the app exists, and with a cluster the namespace cache has synced).
import type { FastifyInstance } from 'fastify';

export interface HealthRouteDeps {
  /** Undefined when there is no cluster (nothing to wait for). */
  namespaceCacheSynced?: (() => boolean) | undefined;
  /** Told each time /readyz answers ready: the kubelet's probe has found this replica ready. */
  onReady?: (() => void) | undefined;
}

export function healthRoutes(app: FastifyInstance, deps: HealthRouteDeps): void {
  app.get('/healthz', async function healthz(_request, reply) {
    return reply.type('text/plain; charset=utf-8').send('ok\n');
  });

  app.get('/readyz', async function readyz(_request, reply) {
    if (deps.namespaceCacheSynced && !deps.namespaceCacheSynced()) {
      return reply.code(503).type('text/plain; charset=utf-8').send('not ready: the namespace cache has not synced yet\n');
    }
    deps.onReady?.();
    return reply.type('text/plain; charset=utf-8').send('ok\n');
  });
}
