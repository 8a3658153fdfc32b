// With `--client-ca`, who may call /validate and /mutate: only a client that presented a certificate
// signed by that CA (the API server, through its admission-control kubeconfig). The TLS handshake asks
// every client for a certificate but lets one without through, so that the kubelet's probes (which
// present none) still reach /healthz and /readyz, and Prometheus /metrics; the admission routes then
// refuse an unauthenticated caller with 401 before reading its body. Refusing in the handshake instead
// would keep every pod unready for ever.
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const AUTHENTICATED_ROUTES: ReadonlySet<string> = new Set(['/validate', '/mutate']);

class ClientCertificateRequired extends Error {
  readonly statusCode = 401;
}

/** The TLS socket's verdict on the client's certificate (HTTP/1.1, or HTTP/2 through its session's socket). */
function authorized(request: FastifyRequest): boolean {
  return (request.raw.socket as TLSSocket | undefined)?.authorized === true;
}

export function requireClientCertificates(app: FastifyInstance): void {
  app.addHook('onRequest', function checkClientCertificate(request, _reply, done) {
    if (AUTHENTICATED_ROUTES.has(request.routeOptions.url ?? '') && !authorized(request)) {
      done(new ClientCertificateRequired('a client certificate signed by the CA of --client-ca is required to call this path'));
      return;
    }
    done();
  });
}
