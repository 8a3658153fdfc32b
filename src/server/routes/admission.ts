// POST /validate and POST /mutate: an AdmissionReview in, an AdmissionReview out with the request's uid.
// Each handler is a ladder: a body that is not an AdmissionReview is a 400 with a one-line reason
// (answered, counted and logged by the app's error handler, as malformed JSON is); a
// decision comes from src/admission (the same code the CLI's `review` runs); an exception outside any
// rule is still answered (validate fails closed when anything enforces, mutate leaves the object as it
// is). Every answer is counted and logged on one line, and no line carries the object itself.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  mutateReview,
  parseAdmissionReview,
  ReviewError,
  validateReview,
  type AdmissionDeps,
  type AdmissionReviewRequest,
  type Decision,
} from '../../admission/index.js';
import { formatKind, MUTATIONS, POD_BEARING_KINDS, RULES, type PolicyConfig } from '../../rules/index.js';
import { decisionWriter } from '../decision-log.js';
import type { DecisionLabel, Metrics, Webhook } from '../metrics.js';

export interface AdmissionRouteDeps {
  admission: AdmissionDeps;
  metrics: Metrics;
  logger: Logger;
}

/** The kinds any rule or mutation looks at; others share the metric label `other`. */
const KNOWN_KINDS = new Set(
  [...RULES.flatMap((rule) => rule.meta.appliesTo), ...MUTATIONS.flatMap((mutation) => mutation.appliesTo), ...POD_BEARING_KINDS].map(formatKind),
);

/** A body that is JSON but not an AdmissionReview: the app's error handler answers 400 with the reason. */
class NotAnAdmissionReview extends Error {
  readonly statusCode = 400;
}

function enforcesAnything(config: PolicyConfig): boolean {
  return Object.values(config.rules).some((rule) => rule.mode === 'enforce');
}

/**
 * The answer when the decision layer itself threw (a bug, not a rule's error: those come back as
 * `errors`). Validation fails closed if any rule enforces, as a rule error in enforce mode would.
 */
function failedDecision(webhook: Webhook, review: AdmissionReviewRequest, config: PolicyConfig, error: unknown): Decision {
  const message = `policygate could not evaluate this request (internal error: ${error instanceof Error ? error.name : 'unknown'}); see the webhook's log`;
  const deny = webhook === 'validate' && enforcesAnything(config);
  const response = deny
    ? { uid: review.request.uid, allowed: false, status: { code: 500, reason: 'InternalError' as const, message } }
    : { uid: review.request.uid, allowed: true, ...(webhook === 'validate' ? { warnings: [message] } : {}) };
  return {
    review: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response },
    decision: deny ? 'error' : 'allowed',
    reason: deny ? 'internal error: failing closed' : 'internal error: object left unchanged',
    findings: [],
    excepted: [],
    errors: [],
    rulesRun: [],
    patch: [],
  };
}

/**
 * What is left of the API server's timeout for this call: it appends `?timeout=10s` (the webhook's
 * timeoutSeconds) to the URL. Undefined when absent or unreadable.
 */
export function remainingTimeoutMs(request: FastifyRequest, started: number): number | undefined {
  const timeout = (request.query as Record<string, unknown> | undefined)?.timeout;
  const match = typeof timeout === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(timeout) : null;
  if (!match) return undefined;
  const unit = match[2] === 'ms' ? 1 : match[2] === 's' ? 1000 : 60_000;
  return Math.max(0, Number(match[1]) * unit - (performance.now() - started));
}

/** `rule/check:mode` for each distinct finding, in order: what the log line says was hit. */
function hitsOf(decision: Decision): string[] {
  const hits = new Set<string>();
  for (const finding of decision.findings) hits.add(`${finding.rule}/${finding.check}:${finding.mode}`);
  return [...hits];
}

/** `rule/check:exception` for each distinct excepted finding, in order: what the log line says was excepted, and by what. */
function exceptedOf(decision: Decision): string[] {
  const excepted = new Set<string>();
  for (const finding of decision.excepted) excepted.add(`${finding.rule}/${finding.check}:${finding.exception ?? ''}`);
  return [...excepted];
}

export function admissionRoutes(app: FastifyInstance, deps: AdmissionRouteDeps): void {
  const { admission, metrics, logger } = deps;
  const writeDecision = decisionWriter(logger);

  /**
   * Synchronous when the decision is (no namespace read, no pod listing): fastify sends a handler's
   * plain return value in the same tick, where a promise would cost a few hops per request.
   */
  function answer(webhook: Webhook, request: FastifyRequest): unknown {
    const started = performance.now();
    let review: AdmissionReviewRequest;
    try {
      review = parseAdmissionReview(request.body);
    } catch (error) {
      throw error instanceof ReviewError ? new NotAnAdmissionReview(error.message) : error;
    }

    let decided: Decision | Promise<Decision>;
    try {
      decided = webhook === 'validate' ? validateReview(review, admission, { timeoutMs: remainingTimeoutMs(request, started) }) : mutateReview(review, admission);
    } catch (error) {
      return finish(webhook, review, started, undefined, error);
    }
    if (decided instanceof Promise) {
      return decided.then(
        (decision) => finish(webhook, review, started, decision, undefined),
        (error: unknown) => finish(webhook, review, started, undefined, error),
      );
    }
    return finish(webhook, review, started, decided, undefined);
  }

  /** Counts and logs the decision (or the internal error in its place) and gives the AdmissionReview to send. */
  function finish(webhook: Webhook, review: AdmissionReviewRequest, started: number, decided: Decision | undefined, internalError: unknown): unknown {
    let decision: Decision;
    if (decided === undefined) {
      metrics.recordInternalError(webhook);
      decision = failedDecision(webhook, review, admission.config, internalError);
    } else {
      decision = decided;
    }

    const seconds = (performance.now() - started) / 1000;
    const { request: req } = review;
    const kind = formatKind(req.kind);
    const label: DecisionLabel = decision.patch.length > 0 ? 'patched' : decision.decision;
    metrics.recordDecision(webhook, KNOWN_KINDS.has(kind) ? kind : 'other', req.operation, label, seconds, decision);
    const line = {
      webhook,
      uid: req.uid,
      kind,
      namespace: req.namespace || undefined,
      name: req.name || req.object?.metadata?.name || req.object?.metadata?.generateName || undefined,
      operation: req.operation,
      user: req.userInfo?.username,
      dryRun: req.dryRun || undefined,
      decision: label,
      reason: decision.reason,
      rules: decision.rulesRun,
      hits: hitsOf(decision),
      ...(decision.excepted.length > 0 ? { excepted: exceptedOf(decision) } : {}),
      ...(decision.errors.length > 0 ? { ruleErrors: decision.errors.map((error) => `${error.rule}: ${error.message}`) } : {}),
      ...(decision.patch.length > 0 ? { patchOperations: decision.patch.length } : {}),
      durationMs: Math.round(seconds * 1e6) / 1000,
    };
    if (decided === undefined) logger.error({ ...line, err: internalError }, 'admission decision failed');
    else if (decision.errors.length > 0) writeDecision('warn', line, 'admission decision with rule errors');
    else writeDecision('info', line, 'admission decision');
    return decision.review;
  }

  app.post('/validate', function validate(request) {
    return answer('validate', request);
  });
  app.post('/mutate', function mutate(request) {
    return answer('mutate', request);
  });
}
