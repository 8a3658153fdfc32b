// Manifests on disk → Kubernetes objects with source positions → the offline checker's report.
export { checkManifests, admissionReviewFor, asAdmitted, namespaceOfManifest, type CheckOptions } from './check-manifests.js';
export { namespacesFromObjects } from './namespaces.js';
export { parseManifests, notAnObjectReason, type InputProblem, type ManifestDocument, type ParsedFile } from './parse-manifests.js';
export { readSources, readStream, STDIN_NAME, STDIN_PATH, MANIFEST_EXTENSIONS, type ManifestSource, type ReadResult } from './read-sources.js';
export { parseFieldPath, type PathSegment } from './field-path.js';
export type { Position } from './locate.js';
