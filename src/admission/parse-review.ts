// Checks the AdmissionReview envelope, and only the envelope: `request.object` is the user's object and
// is passed to the rules untouched (a schema must never strip, default or coerce it).
import type { Operation } from '../rules/types.js';
import { ADMISSION_API_VERSIONS, type AdmissionApiVersion, type AdmissionReviewRequest } from './types.js';
import { isRecord } from '../rules/is-record.js';

/** A body that is not a usable AdmissionReview; the server answers 400 with this one-line message. */
export class ReviewError extends Error {
  override readonly name = 'ReviewError';
}

const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function optionalString(record: Record<string, unknown>, field: string, where: string): void {
  const value = record[field];
  if (value !== undefined && value !== null && typeof value !== 'string') throw new ReviewError(`${where}.${field} must be a string`);
}

function optionalObject(record: Record<string, unknown>, field: string): void {
  const value = record[field];
  if (value !== undefined && value !== null && !isRecord(value)) throw new ReviewError(`request.${field} must be an object`);
}

export function parseAdmissionReview(body: unknown): AdmissionReviewRequest {
  if (!isRecord(body)) throw new ReviewError('body must be a JSON object (an AdmissionReview)');
  if (body.kind !== 'AdmissionReview') throw new ReviewError(`kind must be "AdmissionReview" (got ${JSON.stringify(body.kind ?? null)})`);
  if (!ADMISSION_API_VERSIONS.includes(body.apiVersion as AdmissionApiVersion)) {
    throw new ReviewError(`apiVersion must be one of ${ADMISSION_API_VERSIONS.join(', ')} (got ${JSON.stringify(body.apiVersion ?? null)})`);
  }
  const request = body.request;
  if (!isRecord(request)) throw new ReviewError('request is missing: an AdmissionReview sent to a webhook carries a request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new ReviewError('request.uid is missing: it must be echoed in the response');
  if (!OPERATIONS.includes(request.operation as Operation)) {
    throw new ReviewError(`request.operation must be one of ${OPERATIONS.join(', ')} (got ${JSON.stringify(request.operation ?? null)})`);
  }
  const kind = request.kind;
  if (!isRecord(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || typeof kind.group !== 'string') {
    throw new ReviewError('request.kind must be {group, version, kind}');
  }
  for (const field of ['name', 'namespace', 'subResource']) optionalString(request, field, 'request');
  for (const field of ['object', 'oldObject', 'userInfo']) optionalObject(request, field);
  if (request.operation !== 'DELETE' && request.operation !== 'CONNECT' && !isRecord(request.object)) {
    throw new ReviewError(`request.object is missing: a ${String(request.operation)} carries the object`);
  }
  return body as unknown as AdmissionReviewRequest;
}
