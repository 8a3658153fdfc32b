// Manifests on disk → Kubernetes objects with source positions → the offline checker's report.
export { checkInputs, type CheckProgress, type CheckRun, type ReadableItem } from './check-inputs.js';
export { checkManifests, type CheckOptions } from './check-manifests.js';
export { namespacesFromObjects } from './namespaces.js';
export { parseManifests, type InputProblem, type ManifestDocument, type ParsedFile } from './parse-manifests.js';
export { filePieces, listInputs, readSources, readStream, stdinPieces, STDIN_NAME, STDIN_PATH, type ManifestSource, type NamedInput, type ReadResult } from './read-sources.js';
export type { Position } from './locate.js';
