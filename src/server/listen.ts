// The entry that listens: the app behind an HTTP/2 TLS server (HTTP/1.1 by ALPN), the certificate
// reloader, and a graceful shutdown: stop accepting, answer what is in flight, close idle connections,
// release the namespace cache. Nothing here is served over plain HTTP.
import http2, { type Http2SecureServer, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import type { NetworkContextSource, PodLister, PolicyLabelAuthorizer } from '../admission/index.js';
import type { PolicyConfig } from '../rules/index.js';
import { buildApp, type NamespaceSource } from './app.js';
import { watchExceptionExpiry } from './exception-expiry.js';
import { createMetrics, type Metrics } from './metrics.js';
import { readTlsMaterial, secureServerOptions, TlsReloader, type TlsFiles } from './tls.js';

export interface StartOptions {
  config: PolicyConfig;
  namespaces?: NamespaceSource;
  /** With a cluster, beside the namespace cache: pods judged when a Namespace tightens its enforce level. */
  pods?: PodLister;
  /** With a cluster: RBAC's answer on who may change a namespace's guarded labels. */
  policyLabels?: PolicyLabelAuthorizer;
  /** With a cluster: the Namespaces and NetworkPolicies network-isolation judges a policy among. */
  network?: NetworkContextSource;
  /** Told each time /readyz answers ready. */
  onReady?: () => void;
  logger: Logger;
  metrics?: Metrics;
  tls: TlsFiles;
  /** Default `::` (every address, IPv4 too), falling back to 0.0.0.0 where IPv6 is off. */
  host?: string | undefined;
  port: number;
  /** How often the TLS files are re-read besides change events. Default 10 s. */
  reloadIntervalMs?: number;
  /**
   * How long a shutdown waits for requests in flight before closing what is left. Default 25 s: less
   * than Kubernetes' 30 s termination grace period, more than the API server's 10 s default webhook timeout.
   */
  shutdownTimeoutMs?: number;
  /** The clock exceptions expire against, in milliseconds since the epoch. Default Date.now. */
  now?: () => number;
  /** The most bytes of request bodies held at once (heavy-bodies.ts); tests lower it. */
  maxHeldBodyBytes?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  port: number;
  /** e.g. https://[::]:8443 */
  url: string;
  metrics: Metrics;
  /** Graceful: stops accepting, answers requests in flight, then releases everything. Idempotent. */
  shutdown(): Promise<void>;
  /** Closes every open connection now (a second signal during shutdown). */
  forceClose(): void;
}

/** HTTP/1.1 connections idle longer than this are closed. Longer than common client idle timeouts is safer, but not forever. */
const KEEP_ALIVE_TIMEOUT_MS = 75_000;
/** An HTTP/2 session with no stream for this long is closed (GOAWAY). */
const HTTP2_IDLE_TIMEOUT_MS = 120_000;

/**
 * With `allowHTTP1`, the HTTP/2 server also carries http.Server's settings for HTTP/1.1, and
 * closeIdleConnections; not closeAllConnections, which is why listen.ts keeps its own sockets.
 */
interface Http1Fallback {
  keepAliveTimeout: number;
  headersTimeout: number;
  requestTimeout: number;
  closeIdleConnections(): void;
}

function http1Of(server: Http2SecureServer): Http1Fallback {
  return server as unknown as Http1Fallback;
}

function configureServer(server: Http2SecureServer, sessions: Set<Http2Session>, sockets: Set<TLSSocket>): void {
  const http1 = http1Of(server);
  http1.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  http1.headersTimeout = 15_000;
  // The API server gives up on a webhook after at most 30 s.
  http1.requestTimeout = 30_000;
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.setTimeout(HTTP2_IDLE_TIMEOUT_MS, () => session.close());
  });
  // Every connection, HTTP/1.1 or HTTP/2, so that a shutdown can close what is left when its grace ends.
  server.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client that sends garbage instead of TLS, or resets mid-handshake, is not worth a log line each.
  server.on('tlsClientError', () => {});
}

async function listenWithFallback(app: FastifyInstance, host: string | undefined, port: number): Promise<void> {
  if (host !== undefined) {
    await app.listen({ host, port });
    return;
  }
  try {
    await app.listen({ host: '::', port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') throw error;
    await app.listen({ host: '0.0.0.0', port });
  }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { logger } = options;
  const material = await readTlsMaterial(options.tls);
  const namespaces = options.namespaces;
  const metrics = options.metrics ?? createMetrics({ processMetrics: true, namespaceCacheSize: () => namespaces?.size?.(), exceptions: options.config.exceptions, ...(options.now ? { now: options.now } : {}) });
  metrics.setCertificateExpiry(material.notAfter);

  let server: Http2SecureServer | undefined;
  const sessions = new Set<Http2Session>();
  const sockets = new Set<TLSSocket>();
  const serverFactory = ((handler: Parameters<typeof http2.createSecureServer>[1]) => {
    server = http2.createSecureServer(secureServerOptions(material), handler);
    configureServer(server, sessions, sockets);
    return server;
  }) as unknown as FastifyServerFactory;

  const app = buildApp({
    config: options.config,
    logger,
    metrics,
    serverFactory,
    ...(namespaces ? { namespaces } : {}),
    ...(options.pods ? { pods: options.pods } : {}),
    ...(options.policyLabels ? { policyLabels: options.policyLabels } : {}),
    ...(options.network ? { network: options.network } : {}),
    ...(options.onReady ? { onReady: options.onReady } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.maxHeldBodyBytes !== undefined ? { maxHeldBodyBytes: options.maxHeldBodyBytes } : {}),
    requireClientCertificates: material.clientCa !== undefined,
  });
  await listenWithFallback(app, options.host, options.port);
  if (!server) throw new Error('the TLS server was not created');
  const tlsServer = server;

  const reloader = new TlsReloader(tlsServer, options.tls, material, {
    logger,
    ...(options.reloadIntervalMs !== undefined ? { intervalMs: options.reloadIntervalMs } : {}),
    onReload: (loaded) => {
      metrics.setCertificateExpiry(loaded.notAfter);
      metrics.recordCertificateReload('success');
    },
    onFailure: () => metrics.recordCertificateReload('failure'),
  }).start();

  const expiry = watchExceptionExpiry(options.config.exceptions, logger, options.now);

  const address = tlsServer.address() as AddressInfo;
  const url = `https://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  function closeAll(): void {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  }

  let shutdown: Promise<void> | undefined;
  async function stop(): Promise<void> {
    const started = Date.now();
    logger.info('shutting down: no new connections; answering requests in flight');
    reloader.close();
    expiry.stop();
    // server.close() (inside app.close) stops accepting and sends HTTP/2 sessions a GOAWAY; HTTP/1.1
    // connections are closed as they fall idle, and answers on them say `Connection: close`.
    const reaper = setInterval(() => http1Of(tlsServer).closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      logger.warn({ sessions: sessions.size }, 'shutdown timeout: closing the connections still open');
      closeAll();
    }, options.shutdownTimeoutMs ?? 25_000);
    try {
      await app.close();
    } finally {
      clearInterval(reaper);
      clearTimeout(deadline);
    }
    logger.info({ durationMs: Date.now() - started }, 'shut down');
  }

  return {
    app,
    port: address.port,
    url,
    metrics,
    shutdown() {
      shutdown ??= stop();
      return shutdown;
    },
    forceClose: closeAll,
  };
}
