// GET /metrics: Prometheus text from the app's own registry.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';

export function metricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async function scrape(_request, reply) {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
