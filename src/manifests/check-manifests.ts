// The checker over manifests already in memory, with the whole report as the result: for callers that
// hold a handful of files (tests, the deploy/ dogfood check). The CLI streams instead (check-inputs.ts),
// and both give the same findings.
import { byPlace, type Reporter } from '../report/reporter.js';
import type { CheckError, CheckReport, CheckedResource, SkippedInput } from '../report/types.js';
import { checkInputs } from './check-inputs.js';
import type { CheckOptions } from './judge.js';
import type { InputProblem } from './parse-manifests.js';
import type { ManifestSource, NamedInput } from './read-sources.js';

export type { CheckOptions } from './judge.js';

/** A reporter that keeps everything: the report as the formats' `FORMATTERS` take it. */
function collector(): { reporter: Reporter; report: () => CheckReport } {
  const files: string[] = [];
  const resources: CheckedResource[] = [];
  const errors: CheckError[] = [];
  const skipped: SkippedInput[] = [];
  let summary: CheckReport['summary'] | undefined;
  const seen = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  return {
    reporter: {
      document(found, documentErrors) {
        for (const resource of found) seen(resource.file);
        for (const error of documentErrors) seen(error.file);
        resources.push(...found);
        errors.push(...documentErrors);
      },
      error(error) {
        seen(error.file);
        errors.push(error);
      },
      skipped(entry) {
        skipped.push(entry);
      },
      end(final) {
        summary = final;
      },
    },
    report: () => ({
      files,
      resources,
      results: resources.flatMap((resource) => [...resource.results].sort(byPlace)),
      errors,
      skipped,
      summary: summary ?? { files: 0, resources: 0, enforce: 0, warn: 0, audit: 0, excepted: 0, errors: 0, skipped: 0 },
    }),
  };
}

/** Checks the manifests of `sources`; `problems` are input errors found while reading them. */
export async function checkManifests(sources: readonly ManifestSource[], problems: readonly InputProblem[], options: CheckOptions): Promise<CheckReport> {
  const texts = new Map(sources.map((source, index) => [`${index}:${source.name}`, source.text]));
  const inputs: NamedInput[] = [
    ...problems.map((problem): NamedInput => ({ path: problem.file, kind: 'file', requireObjects: false, items: [{ type: 'problem', problem }] })),
    ...sources.map((source, index): NamedInput => ({
      path: source.name,
      kind: 'file',
      requireObjects: false,
      items: [{ type: 'file', name: source.name, absolute: `${index}:${source.name}`, walked: source.walked === true, once: false }],
    })),
  ];
  const { reporter, report } = collector();
  await checkInputs({
    inputs,
    options,
    reporters: [reporter],
    open: async function* (item) {
      yield item.type === 'file' ? (texts.get(item.absolute) ?? '') : '';
    },
  });
  return report();
}
