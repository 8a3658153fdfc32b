// Writes the audit's golden reports: `policygate audit` (the built CLI, dist/) of goldenCluster() on the
// fake API server, as JSON and as text (capped as by default, and uncapped), gzipped. The golden test
// compares the audit's report today with these files, byte for byte, after `normalize`.
//
//   npm run build && node test/audit/golden/make-golden.mjs
//
// The files in the repository were made from main before the audit folded pages into bounded aggregates
// (issue 18): first at 04d414c, then again at 0517178, when exceptions (issue 16) added their section to
// the JSON report (empty without exceptions) and the runs with exceptions.yaml were added, then at bc814b6,
// when network-isolation's findings and the network posture section (issue 15) came to the report and the
// fake cluster's default-deny allowed DNS. A report that changes on purpose needs them made again, and
// says why.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startFakeCluster } from '../fake-cluster.mjs';
import { goldenCluster } from './cluster.mjs';
import { GOLDEN_RUNS, normalize } from './runs.mjs';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

const { createCertificateAuthority, issueCertificate } = await import(join(ROOT, 'dist/certs/index.js'));
const ca = await createCertificateAuthority({ commonName: 'golden CA', days: 1 });
const serving = await issueCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1 });
const fake = await startFakeCluster({ cert: serving.cert, key: serving.key, caCert: ca.cert }, goldenCluster());
const directory = mkdtempSync(join(tmpdir(), 'policygate-golden-'));
try {
  const kubeconfig = join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, fake.kubeconfig());
  for (const run of GOLDEN_RUNS) {
    // A child process, waited for asynchronously: the fake API server answers from this process.
    const result = await new Promise((resolve, reject) => {
      const config = run.config !== undefined ? ['-c', join(HERE, run.config)] : [];
      execFile(process.execPath, [join(ROOT, 'bin/policygate.js'), 'audit', '--kubeconfig', kubeconfig, ...config, ...run.args], { maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ status: error ? error.code : 0, stdout, stderr });
      });
    });
    if (result.status !== 1) throw new Error(`policygate audit ${run.args.join(' ')} exited ${result.status}: ${result.stderr}`);
    writeFileSync(join(HERE, run.file), gzipSync(normalize(result.stdout, fake.url), { level: 9 }));
    console.log(`${run.file}: ${result.stdout.length.toLocaleString('en-US')} characters`);
  }
} finally {
  await fake.close();
  rmSync(directory, { recursive: true, force: true });
}
