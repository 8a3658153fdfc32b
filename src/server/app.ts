// The webhook as a fastify app that never listens: tests drive it with app.inject(), and listen.ts puts
// it behind the TLS server. Every server option that matters is set here, in one place.
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { pino, type Logger } from 'pino';
import { NO_CLUSTER, type NamespaceLookup, type NetworkContextSource, type PodLister, type PolicyLabelAuthorizer } from '../admission/index.js';
import type { PolicyConfig } from '../rules/index.js';
import { HeavyBodies } from './heavy-bodies.js';
import { jsonBodyReader, RefusedBody } from './json-body-reader.js';
import { createMetrics, type Metrics } from './metrics.js';
import { requireClientCertificates } from './client-certificates.js';
import { admissionRoutes } from './routes/admission.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';

/**
 * The API server sends objects of up to 3 MiB (its request limit), and an AdmissionReview carries
 * `object` and `oldObject` plus the envelope: 3 MiB and a margin for the envelope. Above: 413.
 */
export const BODY_LIMIT = 3 * 1024 * 1024 + 64 * 1024;

/** Where pods' namespaces come from, and what the server needs to know about it. */
export interface NamespaceSource extends NamespaceLookup {
  /** False until a watch-backed cache has listed every namespace once; absent without a cluster. */
  synced?(): boolean;
  size?(): number;
  close?(): Promise<void> | void;
}

export interface AppDeps {
  config: PolicyConfig;
  /** Default: no cluster, so pods are judged by the configured defaults. Closed with the app. */
  namespaces?: NamespaceSource;
  /** With a cluster: a namespace's pods, for the warnings when a Namespace UPDATE tightens its enforce level. */
  pods?: PodLister;
  /** With a cluster: whether RBAC lets a user change a namespace's guarded labels (policy-label-guard). */
  policyLabels?: PolicyLabelAuthorizer;
  /**
   * With a cluster: the Namespaces and NetworkPolicies network-isolation judges a policy among. Absent:
   * the checks that need them find nothing.
   */
  network?: NetworkContextSource;
  /** With --client-ca: /validate and /mutate answer 401 to a caller without a client certificate the CA signed. */
  requireClientCertificates?: boolean;
  /** Told each time /readyz answers ready (the kubelet's readiness probe): `serve` registers the webhooks after the first. */
  onReady?: () => void;
  /** Default: silent. One line per decision at `info`. */
  logger?: Logger;
  /** Default: a fresh registry without process metrics. */
  metrics?: Metrics;
  /** The TLS server (listen.ts); without it fastify makes a plain server that is never listened on. */
  serverFactory?: FastifyServerFactory;
  /** The clock exceptions expire against, in milliseconds since the epoch. Default: Date.now. */
  now?: () => number;
  /** The most bytes of request bodies held at once (heavy-bodies.ts); tests lower it. */
  maxHeldBodyBytes?: number;
}

function oneLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

function webhookOf(url: string | undefined): string {
  return url === '/validate' || url === '/mutate' ? url.slice(1) : 'other';
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const namespaces: NamespaceSource = deps.namespaces ?? NO_CLUSTER;
  const metrics = deps.metrics ?? createMetrics({ namespaceCacheSize: () => namespaces.size?.(), exceptions: deps.config.exceptions, ...(deps.now ? { now: deps.now } : {}) });

  // fastify gets no logger: the admission routes write one line per decision and the error handler
  // one per refused request, through `logger`. Handing fastify the logger would only add its two
  // lines per request (which we would switch off) and its per-request logging set-up, about 3 µs of
  // server CPU per request in `npm run bench -- webhook`.
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // While shutting down, requests that still arrive on open connections are answered (with
    // `Connection: close`) rather than refused with 503: a 503 would fail the user's request.
    return503OnClosing: false,
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
  });

  // JSON only: fastify's default text/plain parser would turn a wrong content type into a 400 instead
  // of a 415. JSON is read as fastify reads it, with its nesting checked as the bytes arrive, and
  // parsed as `policygate review` parses it (json-body-reader.ts): nesting deeper than the limit is
  // refused before parsing, `__proto__` and `constructor.prototype` keys after, each with a 400 that
  // says so. No secure-json-parse: its two regular-expression scans are not needed.
  app.removeContentTypeParser('text/plain');
  const fastifyJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', jsonBodyReader(BODY_LIMIT, fastifyJson, new HeavyBodies(deps.maxHeldBodyBytes)));

  app.setErrorHandler(function onError(error: FastifyError, request, reply) {
    // A RefusedBody is said to the caller whatever its status (503: the server holds too many bodies).
    const statusCode = error instanceof RefusedBody ? error.statusCode : typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (statusCode < 500 || error instanceof RefusedBody) {
      // Malformed JSON, a wrong content type, a body over the limit: the caller's fault, said in one line.
      // A body refused before its end (too large, nested too deep) is not read on: on HTTP/1.1 the
      // connection closes behind the answer (HTTP/2 has no such header; its stream ends with the answer).
      if ((error instanceof RefusedBody ? error.closeConnection : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') && request.raw.httpVersionMajor === 1) {
        reply.header('connection', 'close');
      }
      metrics.recordBadRequest(webhookOf(request.routeOptions.url), statusCode);
      logger.info({ url: request.url, status: statusCode, reason: oneLine(error.message) }, 'refused a request');
      return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message: oneLine(error.message) });
    }
    // Ours: the detail goes to the log, never to the caller.
    logger.error({ err: error, url: request.url, method: request.method }, 'request failed');
    return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the webhook log' });
  });

  if (deps.requireClientCertificates) requireClientCertificates(app);
  admissionRoutes(app, { admission: { config: deps.config, namespaces, pods: deps.pods, policyLabels: deps.policyLabels, now: deps.now, network: deps.network }, metrics, logger });
  healthRoutes(app, { namespaceCacheSynced: namespaces.synced?.bind(namespaces), onReady: deps.onReady });
  metricsRoutes(app, metrics);

  app.addHook('onClose', async function releaseNamespaceCache() {
    await namespaces.close?.();
  });
  return app;
}
