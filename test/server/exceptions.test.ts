// Exceptions as an operator of the webhook sees them: the decision log line names what was excepted,
// the metrics count uses per exception and the seconds left before each expires (by the clock given),
// and the log says when an exception has expired, at startup and at the moment it does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../src/server/listen.js';
import type { ExceptionConfig } from '../../src/rules/types.js';
import { buildApp } from '../../src/server/app.js';
import { watchExceptionExpiry } from '../../src/server/exception-expiry.js';
import { createMetrics } from '../../src/server/metrics.js';
import { testConfig } from '../helpers/config.js';
import { capturedLogger, makeTestCertificates, pod, reviewOf } from './helpers.js';

const NOW = Date.parse('2027-03-30T12:00:00Z');
const EXCEPTIONS: ExceptionConfig[] = [
  { name: 'privileged-web', reason: 'OPS-1', expires: '2027-03-31', match: { names: ['web'] }, checks: ['pod-security/privileged'] },
  { name: 'never-used', reason: 'OPS-2', match: { namespaces: ['nowhere'] }, checks: ['pod-security/*'] },
  { name: 'long-gone', reason: 'OPS-3', expires: '2027-01-01T00:00:00Z', match: {}, checks: ['pod-security/*'] },
];

function build(now = NOW) {
  const log = capturedLogger();
  const config = testConfig({ exceptions: EXCEPTIONS });
  const metrics = createMetrics({ exceptions: config.exceptions, now: () => now });
  const app = buildApp({ config, logger: log.logger, metrics, now: () => now });
  return { app, log, metrics };
}

describe('the webhook with exceptions', () => {
  it('logs what each request had excepted, and by which exception', async () => {
    const { app, log } = build();
    await app.inject({ method: 'POST', url: '/validate', payload: reviewOf(pod({ name: 'web', privileged: true }), { uid: 'excepted-1' }) });
    const line = log.lines.find((entry) => entry.uid === 'excepted-1');
    expect(line).toMatchObject({ decision: 'allowed', reason: 'allowed with 8 warn/audit finding(s) and 3 finding(s) excepted by privileged-web' });
    expect(line?.excepted).toEqual(['pod-security/privileged:privileged-web']);
    // A request with nothing excepted keeps its line as before.
    await app.inject({ method: 'POST', url: '/validate', payload: reviewOf(pod({ name: 'db', privileged: true }), { uid: 'plain-1' }) });
    expect(log.lines.find((entry) => entry.uid === 'plain-1')).not.toHaveProperty('excepted');
    await app.close();
  });

  it('counts uses per exception from 0, and exports the seconds left before each expires', async () => {
    const { app, metrics } = build();
    for (const uid of ['a', 'b']) await app.inject({ method: 'POST', url: '/validate', payload: reviewOf(pod({ name: 'web', privileged: true }), { uid }) });
    const uses = await metrics.registry.getSingleMetricAsString('policygate_exception_uses_total');
    expect(uses).toContain('policygate_exception_uses_total{exception="privileged-web"} 2');
    expect(uses).toContain('policygate_exception_uses_total{exception="never-used"} 0');
    const left = await metrics.registry.getSingleMetricAsString('policygate_exception_seconds_until_expiry');
    // 2027-03-31 runs through that day: 36 hours from noon on the 30th.
    expect(left).toContain(`policygate_exception_seconds_until_expiry{exception="privileged-web"} ${36 * 3600}`);
    expect(left).toContain(`policygate_exception_seconds_until_expiry{exception="long-gone"} ${(Date.parse('2027-01-01T00:00:00Z') - NOW) / 1000}`);
    expect(left).not.toContain('never-used');
    await app.close();
  });

  it('stops excepting at the expiry, by the clock it is given', async () => {
    const { app, log } = build(Date.parse('2027-04-01T00:00:00Z'));
    const answer = await app.inject({ method: 'POST', url: '/validate', payload: reviewOf(pod({ name: 'web', privileged: true }), { uid: 'late' }) });
    expect(answer.json().response.allowed).toBe(false);
    expect(log.lines.find((entry) => entry.uid === 'late')).not.toHaveProperty('excepted');
    await app.close();
  });
});

describe('watchExceptionExpiry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs the expired ones at once, then each of the others when it expires', () => {
    vi.useFakeTimers({ now: NOW });
    const log = capturedLogger();
    const watch = watchExceptionExpiry(EXCEPTIONS, log.logger, () => Date.now());
    const expired = () => log.lines.filter((line) => line.msg === 'exception expired: it no longer applies (renew it or remove it from the configuration)').map((line) => line.exception);
    expect(expired()).toEqual(['long-gone']);
    expect(log.lines[0]).toMatchObject({ level: 40, exception: 'long-gone', expires: '2027-01-01T00:00:00Z' });
    vi.advanceTimersByTime(36 * 3600 * 1000 - 1);
    expect(expired()).toEqual(['long-gone']);
    vi.advanceTimersByTime(1);
    expect(expired()).toEqual(['long-gone', 'privileged-web']);
    watch.stop();
  });

  it('waits in steps for an expiry beyond what one timer can wait', () => {
    vi.useFakeTimers({ now: NOW });
    const log = capturedLogger();
    const far: ExceptionConfig[] = [{ name: 'far', reason: 'r', expires: '2027-06-30', match: {}, checks: ['pod-security/*'] }];
    const watch = watchExceptionExpiry(far, log.logger, () => Date.now());
    vi.advanceTimersByTime(Date.parse('2027-07-01T00:00:00Z') - NOW - 1);
    expect(log.lines).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log.lines.map((line) => line.exception)).toEqual(['far']);
    watch.stop();
  });
});

describe('startServer with an expired exception', () => {
  it('logs it as it starts listening, and still serves', async () => {
    const certs = await makeTestCertificates();
    const log = capturedLogger();
    const server = await startServer({
      config: testConfig({ exceptions: EXCEPTIONS }),
      logger: log.logger,
      tls: { cert: certs.files.cert, key: certs.files.key },
      host: '127.0.0.1',
      port: 0,
      now: () => NOW,
    });
    try {
      expect(log.lines.filter((line) => line.level === 40).map((line) => [line.exception, line.expires, line.msg])).toEqual([
        ['long-gone', '2027-01-01T00:00:00Z', 'exception expired: it no longer applies (renew it or remove it from the configuration)'],
      ]);
    } finally {
      await server.shutdown();
      await certs.cleanup();
    }
  });
});
