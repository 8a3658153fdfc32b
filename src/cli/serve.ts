// `policygate serve`: the validating and mutating admission webhook over TLS. Resolves only after a
// graceful shutdown (SIGTERM or SIGINT): stop accepting, answer what is in flight, close the cluster
// watch, exit 0. With --register-webhooks it registers its own webhook configurations once ready, and
// keeps them (src/kube/webhook-registrar.ts); a shutdown leaves them to the other replicas. `--dev`
// (what `npm start` runs) makes a development CA and certificate under ./certs.
import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { createLeaseElector, parseAuditInterval, startClusterAudit, type ClusterAudit } from '../audit/periodic.js';
import { REPORT_API_NAMES } from '../audit/reports/report-api.js';
import { CERTIFICATE_FILES, fileExists, serviceDnsNames, validFor } from '../certs/files.js';
import { DEFAULT_CONFIG, loadConfig } from '../config/load.js';
import { EXIT, InputError } from '../errors.js';
import { clusterNetworkContext, kubeJsonClient, kubePodLister, loadClusterConfig, NamespaceCache, NetworkPolicyCache, podNamespace, PolicyLabelAccessReviews, WebhookRegistrar, type LeaderElector } from '../kube/index.js';
import { NetworkBaselineController } from '../network-baseline/controller.js';
import type { NamespaceSource } from '../server/app.js';
import { BatchedLines } from '../server/batched-lines.js';
import { startServer, type RunningServer } from '../server/listen.js';
import { createMetrics } from '../server/metrics.js';
import type { FailurePolicy, ServiceReference } from '../webhooks/configurations.js';
import type { Command, CommandIO, OptionSpecs } from './command.js';
import { oneOf, parseCommandArgs, portNumber } from './parse-args.js';
import { excludedNamespacesFlag, failurePolicyFlag, readCaBundle, serviceFlag, WEBHOOK_FLAGS, WEBHOOK_FLAGS_USAGE, type WebhookFlagValues } from './webhook-flags.js';

const DEFAULT_PORT = 8443;
/** Where `--dev` keeps its CA and certificate, relative to the working directory (git-ignored). */
const DEV_CERTS_DIR = 'certs';
/** The development certificate serves these names: this machine, and the in-cluster Service of deploy/. */
const DEV_DNS_NAMES = ['localhost', ...serviceDnsNames('policygate', 'policygate')];
const DEV_IP_ADDRESSES = ['127.0.0.1', '::1'];
/** The development certificate is made again when it has less than this left. */
const DEV_RENEW_BEFORE_MS = 86_400_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/**
 * After the kubelet's readiness probe first finds this replica ready, the endpoints controller adds it
 * to the Service and the API servers learn of it: only then can they call it. Registering waits this
 * long more.
 */
const REGISTRATION_DELAY_MS = 5_000;

const USAGE = `Usage: policygate serve [options]

Run the validating (POST /validate) and mutating (POST /mutate) admission webhook over TLS, with
GET /healthz, /readyz and /metrics on the same port. HTTP/2 and HTTP/1.1; nothing over plain HTTP.

  npm start                       # = policygate serve --dev: development certificate, default config

Options:
  -c, --config FILE    policy configuration (default: the embedded default configuration)
  --port N             port to listen on (default ${DEFAULT_PORT})
  --host ADDR          address to listen on (default :: and 0.0.0.0, i.e. every address)
  --tls-cert FILE      serving certificate (PEM, may include the chain); reloaded when it changes
  --tls-key FILE       its private key (PEM); reloaded when it changes
  --client-ca FILE     require callers (the API server) to present a client certificate signed by this CA
  --dev                development mode: create a CA and a serving certificate for localhost,
                       127.0.0.1 and policygate.policygate.svc under ./${DEV_CERTS_DIR}/ if absent, and use them
  --kubeconfig FILE    cluster to watch Namespaces in (default: KUBECONFIG, else the in-cluster
                       service account, else none)
  --no-cluster         no cluster: pods are judged by the configured pod-security defaults
  --log-level LEVEL    ${LOG_LEVELS.join(', ')} (default info); JSON lines on stdout
  --audit-interval D   audit the cluster every D (1m to 24h: 30m, 1h, 1h30m) into the metrics and the
                       log; one replica at a time, by the coordination.k8s.io Lease policygate-audit
  --policy-reports     with --audit-interval: also keep reports of what enforcing would refuse, in
                       every namespace with failures ("policygate", sharded: "policygate-2", ...)
  --policy-reports-api API
                       openreports.io (Report, ClusterReport; the default) or wgpolicyk8s.io
                       (PolicyReport, ClusterPolicyReport)
  --register-webhooks SERVICE
                       once ready (namespaces synced, and the readiness probe answered), register
                       policygate's validating and mutating webhook configurations, calling the
                       Service SERVICE (NAME in this pod's namespace, or NAMESPACE/NAME[:PORT]), and
                       keep them: re-created when deleted, put back when changed (every 30 s)
  --ca-bundle FILE     with --register-webhooks: the CA the API server is to trust (default: ca.crt
                       beside --tls-cert, as cert-manager and \`policygate certs\` write it)
${WEBHOOK_FLAGS_USAGE}
  -h, --help           show this help

SIGTERM or SIGINT: stop accepting connections, answer requests in flight, exit 0.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c', path: 'file' },
  port: { type: 'string' },
  host: { type: 'string' },
  'tls-cert': { type: 'string', path: 'file' },
  'tls-key': { type: 'string', path: 'file' },
  'client-ca': { type: 'string', path: 'file' },
  dev: { type: 'boolean', default: false },
  kubeconfig: { type: 'string', path: 'file' },
  'no-cluster': { type: 'boolean', default: false },
  'log-level': { type: 'string', choices: LOG_LEVELS },
  'audit-interval': { type: 'string' },
  'policy-reports': { type: 'boolean', default: false },
  'policy-reports-api': { type: 'string', choices: REPORT_API_NAMES },
  'register-webhooks': { type: 'string' },
  'ca-bundle': { type: 'string', path: 'file' },
  ...WEBHOOK_FLAGS,
} satisfies OptionSpecs;

/** True when the development certificate and its key exist and the certificate stays valid for at least another day. */
async function usableDevCertificate(cert: string, key: string): Promise<boolean> {
  return (await fileExists(cert)) && (await fileExists(key)) && validFor(await readFile(cert).catch(() => ''), DEV_RENEW_BEFORE_MS);
}

/**
 * The real stdout, written in batches of about 4 KiB, or 200 ms after a batch's first line when
 * traffic is light. A write per line would cost a system call per decision (and, written
 * asynchronously, a thread hand-off too): together more CPU than judging the request.
 */
function batchedStdout(): BatchedLines {
  const lines = new BatchedLines(pino.destination({ dest: 1, sync: true }));
  // Whatever is still gathered when the process ends (exit 0 after SIGTERM, or a crash) is written.
  process.once('exit', () => lines.drain());
  return lines;
}

function createLogger(level: string, io: CommandIO): Logger {
  const destination = io.stdout === process.stdout ? batchedStdout() : io.stdout;
  // No base fields: the decision line has its own `name` (the object's), and Kubernetes adds the pod's.
  return pino({ level, base: null }, destination);
}

export interface ServeDeps {
  /** Where SIGTERM and SIGINT come from (tests pass their own emitter). */
  signals?: EventEmitter;
  /** Called once the server listens (tests read the port from it). */
  onListening?: (server: RunningServer) => void;
  /** How long after the first ready answer the webhooks are registered (tests shorten it). */
  registrationDelayMs?: number;
  /** How often the registered webhooks are checked (tests shorten it). */
  registrationIntervalMs?: number;
  /** How long a shutdown waits for requests in flight (startServer's default, 25 s, unless a test needs less). */
  shutdownTimeoutMs?: number;
}

interface Registration {
  webhooks: { service: ServiceReference; failurePolicy: FailurePolicy; excludedNamespaces: string[] };
  caBundleFile: string;
}

/** `--register-webhooks` and the flags that go with it, checked before anything starts. */
async function registrationOf(
  values: { dev?: boolean; 'no-cluster'?: boolean; 'tls-cert'?: string | undefined; 'register-webhooks'?: string | undefined; 'ca-bundle'?: string | undefined } & WebhookFlagValues,
  hasCluster: boolean,
  io: CommandIO,
): Promise<Registration | undefined> {
  const service = values['register-webhooks'];
  if (service === undefined) {
    const stray = (['ca-bundle', 'failure-policy', 'exclude-namespace'] as const).find((flag) => values[flag] !== undefined);
    if (stray) throw new InputError(`--${stray} goes with --register-webhooks`);
    return undefined;
  }
  if (values.dev) throw new InputError('--register-webhooks registers webhooks the API server calls through a Service: not with --dev');
  if (!hasCluster) throw new InputError(`--register-webhooks needs a cluster (--kubeconfig, KUBECONFIG or the in-cluster service account)${values['no-cluster'] ? ', not --no-cluster' : ''}`);
  const caBundleFile = resolve(io.cwd, values['ca-bundle'] ?? join(dirname(values['tls-cert'] ?? ''), 'ca.crt'));
  // Read now, so that a missing or broken file stops the server before it starts, naming the file.
  await readCaBundle('--ca-bundle', caBundleFile);
  return {
    webhooks: { service: serviceFlag('register-webhooks', service, podNamespace(io.env)), failurePolicy: failurePolicyFlag(values), excludedNamespaces: excludedNamespacesFlag(values) },
    caBundleFile,
  };
}

export async function serve(argv: string[], io: CommandIO, deps: ServeDeps = {}): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS);
  if (positionals.length > 0) throw new InputError(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
  const port = portNumber('port', values.port, DEFAULT_PORT);
  const level = oneOf('log-level', values['log-level'], LOG_LEVELS, 'info');
  const given = { cert: values['tls-cert'], key: values['tls-key'] };
  if (values.dev && (given.cert !== undefined || given.key !== undefined)) {
    throw new InputError('--dev makes its own certificate: give either --dev or --tls-cert and --tls-key');
  }
  if (!values.dev && (given.cert === undefined || given.key === undefined)) {
    throw new InputError('serve needs --tls-cert FILE and --tls-key FILE (or --dev for a development certificate)');
  }

  const config = values.config === undefined ? DEFAULT_CONFIG : await loadConfig(resolve(io.cwd, values.config));
  const cluster = loadClusterConfig({ kubeconfig: values.kubeconfig === undefined ? undefined : resolve(io.cwd, values.kubeconfig), noCluster: values['no-cluster'], env: io.env });
  const auditIntervalMs = values['audit-interval'] === undefined ? undefined : parseAuditInterval(values['audit-interval']);
  if (values['policy-reports'] && auditIntervalMs === undefined) throw new InputError('--policy-reports needs --audit-interval');
  if (values['policy-reports-api'] !== undefined && !values['policy-reports']) throw new InputError('--policy-reports-api needs --policy-reports');
  const reportApi = oneOf('policy-reports-api', values['policy-reports-api'], REPORT_API_NAMES, 'openreports.io');
  if (auditIntervalMs !== undefined && !cluster) {
    throw new InputError(`--audit-interval needs a cluster (--kubeconfig, KUBECONFIG or the in-cluster service account)${values['no-cluster'] ? ', not --no-cluster' : ''}`);
  }
  const registration = await registrationOf(values, cluster !== undefined, io);
  const logger = createLogger(level, io);

  const clientCa = values['client-ca'] === undefined ? undefined : resolve(io.cwd, values['client-ca']);
  let tls: { cert: string; key: string; clientCa: string | undefined };
  if (values.dev) {
    const dir = resolve(io.cwd, DEV_CERTS_DIR);
    const files = { cert: resolve(dir, CERTIFICATE_FILES.cert), key: resolve(dir, CERTIFICATE_FILES.key), ca: resolve(dir, CERTIFICATE_FILES.caCert) };
    const shown = relative(io.cwd, dir) || '.';
    if (await usableDevCertificate(files.cert, files.key)) {
      logger.info({ dir, caCert: files.ca }, 'using the development certificate');
    } else {
      // Loaded here only: certificate generation pulls in an X.509 library the server does not need.
      const { writeCertificates } = await import('../certs/index.js');
      await writeCertificates({ dir, dnsNames: DEV_DNS_NAMES, ipAddresses: DEV_IP_ADDRESSES, days: 365, caCommonName: 'policygate development CA' });
      logger.info({ dir, caCert: files.ca, names: [...DEV_DNS_NAMES, ...DEV_IP_ADDRESSES] }, 'created a development CA and serving certificate');
    }
    io.stderr.write(`policygate: development certificate in ${shown}/ (trust ${shown}/${CERTIFICATE_FILES.caCert}: curl --cacert ${shown}/${CERTIFICATE_FILES.caCert} https://localhost:${port}/healthz)\n`);
    tls = { cert: files.cert, key: files.key, clientCa };
  } else {
    tls = { cert: resolve(io.cwd, given.cert ?? ''), key: resolve(io.cwd, given.key ?? ''), clientCa };
  }

  let namespaceCache: NamespaceCache | undefined;
  let policyCache: NetworkPolicyCache | undefined;
  const metrics = createMetrics({
    processMetrics: true,
    audit: auditIntervalMs !== undefined,
    exceptions: config.exceptions,
    ...(cluster ? { namespaceCacheSize: () => namespaceCache?.size() } : {}),
  });
  if (cluster) {
    namespaceCache = new NamespaceCache({ kubeConfig: cluster.kubeConfig, logger, onLookup: (source, result) => metrics.recordNamespaceLookup(source, result) });
    logger.info({ cluster: cluster.server, source: cluster.source }, 'watching Namespaces for their labels (pod-security levels, per-namespace modes)');
    if (config.rules['network-isolation'].mode !== 'off') {
      policyCache = new NetworkPolicyCache({ kubeConfig: cluster.kubeConfig, logger });
      logger.info('watching NetworkPolicies: network-isolation judges a policy among the others of its namespace');
    }
  } else {
    logger.warn(
      { reason: values['no-cluster'] ? '--no-cluster' : 'no --kubeconfig, KUBECONFIG or in-cluster service account' },
      'running without a cluster: no namespace lookups; pods are judged by the configured pod-security defaults',
    );
    if (config.rules['network-isolation'].mode !== 'off') {
      logger.warn('running without a cluster: network-isolation knows no namespaces and no other NetworkPolicies; selector-matches-nothing and egress-blocks-dns find nothing');
    }
  }
  if (values.config === undefined) logger.info('using the embedded default configuration');

  // A promise some library lets fail unobserved must not end a process that answers the API server
  // on every apply (Node exits on an unhandled rejection): it is logged, and requests go on.
  const onUnhandledRejection = (reason: unknown) => logger.error({ err: reason }, 'unhandled promise rejection (the server keeps running)');
  if (!deps.signals) process.on('unhandledRejection', onUnhandledRejection);

  // Signals are caught from here on: one during startup stops the server as soon as it listens; a
  // second one during the graceful shutdown closes what is still open at once.
  const signals = deps.signals ?? process;
  // The first time /readyz answers ready, the kubelet's probe has found this replica ready.
  let answeredReady: () => void = () => {};
  const firstReady = new Promise<void>((resolveReady) => {
    answeredReady = resolveReady;
  });
  let signalled: (signal: string) => void = () => {};
  const stopRequested = new Promise<string>((resolveSignal) => {
    signalled = resolveSignal;
  });
  let forceClose: (() => void) | undefined;
  let signalCount = 0;
  const onSignal = (signal: string) => {
    signalCount++;
    if (signalCount === 1) {
      logger.info({ signal }, 'received signal: shutting down gracefully');
      signalled(signal);
    } else {
      logger.warn({ signal }, 'received a second signal: closing open connections now');
      forceClose?.();
    }
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  try {
    let running: RunningServer;
    try {
      running = await startServer({
        config,
        logger,
        metrics,
        tls,
        host: values.host,
        port,
        ...(deps.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: deps.shutdownTimeoutMs } : {}),
        ...(namespaceCache ? { namespaces: namespaceCache satisfies NamespaceSource } : {}),
        ...(cluster ? { pods: kubePodLister(cluster.kubeConfig) } : {}),
        ...(namespaceCache && policyCache ? { network: clusterNetworkContext(namespaceCache, policyCache, logger) } : {}),
        ...(cluster
          ? { policyLabels: new PolicyLabelAccessReviews({ client: kubeJsonClient(cluster.kubeConfig), onReview: (source, result) => metrics.recordPolicyLabelReview(source, result) }) }
          : {}),
        onReady: () => answeredReady(),
      });
    } catch (error) {
      await Promise.all([namespaceCache?.close(), policyCache?.close()]);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw new InputError(`cannot listen on port ${port}: ${code === 'EADDRINUSE' ? 'already in use' : 'permission denied'}`);
      throw error;
    }
    forceClose = () => running.forceClose();
    // The watch starts once the server answers /healthz; /readyz says ready when it has synced.
    void namespaceCache?.start();
    void policyCache?.start();
    logger.info({ url: running.url, clientAuth: tls.clientCa !== undefined, endpoints: ['/validate', '/mutate', '/healthz', '/readyz', '/metrics'] }, 'policygate webhook listening');
    // One Lease decides the replica that does what only one may: the periodic audit and the network baseline.
    const baselineEnabled = config.networkBaseline.enabled;
    if (baselineEnabled && !cluster) logger.warn('networkBaseline.enabled is set, but there is no cluster: no baseline NetworkPolicies are kept');
    const elector: LeaderElector | undefined = cluster && (auditIntervalMs !== undefined || baselineEnabled) ? createLeaseElector({ kubeConfig: cluster.kubeConfig, logger, env: io.env }) : undefined;
    let clusterAudit: ClusterAudit | undefined;
    if (cluster && elector && auditIntervalMs !== undefined) {
      const policyReports = values['policy-reports'] ? reportApi : undefined;
      clusterAudit = startClusterAudit({ kubeConfig: cluster.kubeConfig, config, intervalMs: auditIntervalMs, logger, policyReports, elector, ...(metrics.audit ? { sink: metrics.audit } : {}) });
      logger.info({ intervalMs: auditIntervalMs, lease: elector.lease, identity: elector.identity, policyReports: policyReports ?? false }, 'periodic audit: scanning while this replica holds the Lease');
    }
    let baseline: NetworkBaselineController | undefined;
    if (cluster && elector && baselineEnabled) {
      baseline = new NetworkBaselineController({ kubeConfig: cluster.kubeConfig, client: kubeJsonClient(cluster.kubeConfig), config: config.networkBaseline, leadership: elector, logger }).start();
    }
    elector?.start();
    let registrar: WebhookRegistrar | undefined;
    let registrationTimer: NodeJS.Timeout | undefined;
    if (cluster && registration) {
      const { service } = registration.webhooks;
      const webhookRegistrar = new WebhookRegistrar({
        client: kubeJsonClient(cluster.kubeConfig),
        logger,
        webhooks: registration.webhooks,
        caBundleFile: registration.caBundleFile,
        servingCertificateFile: tls.cert,
        ...(deps.registrationIntervalMs !== undefined ? { intervalMs: deps.registrationIntervalMs } : {}),
        onResult: (configuration, result) => metrics.recordWebhookRegistration(configuration, result),
      });
      registrar = webhookRegistrar;
      logger.info({ service: `${service.namespace}/${service.name}:${service.port ?? 443}`, caBundle: registration.caBundleFile }, 'webhook configurations: registering them once this replica is ready');
      void firstReady.then(() => {
        registrationTimer = setTimeout(() => webhookRegistrar.start(), deps.registrationDelayMs ?? REGISTRATION_DELAY_MS).unref();
      });
    }
    deps.onListening?.(running);

    await stopRequested;
    clearTimeout(registrationTimer);
    try {
      // The audit and the baseline stop, then the Lease is handed over, while the server drains its
      // connections. The webhook configurations stay registered: other replicas answer them.
      await Promise.all([running.shutdown(), Promise.all([clusterAudit?.stop(), baseline?.stop()]).then(() => elector?.stop()), registrar?.stop(), policyCache?.close()]);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
    }
  } finally {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
    process.off('unhandledRejection', onUnhandledRejection);
  }
  await new Promise<void>((flushed) => logger.flush(() => flushed()));
  return EXIT.ok;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the validating and mutating admission webhook over TLS',
  usage: USAGE,
  options: OPTIONS,
  run: (argv, io) => serve(argv, io),
};
