export { validateReview, mutateReview, type AdmissionDeps, type Decision, type DecisionKind } from './decide.js';
export { parseAdmissionReview, ReviewError } from './parse-review.js';
export * from './types.js';
