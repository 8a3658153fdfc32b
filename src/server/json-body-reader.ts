// The webhook's JSON body reader: fastify's own body reading (the size limit up front and as bytes
// arrive, the Content-Length check, one UTF-8 decode at the end), with the nesting of the bytes checked
// as they arrive. A body nested too deep is refused at its first bracket too deep, in microseconds,
// and the connection is closed behind the answer, so the rest of a 3 MB body is neither waited for nor
// decrypted. What arrives whole is parsed as `policygate review` parses it (src/admission/json-body.ts).
import type { FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { BodyError, parseCheckedJson } from '../admission/json-body.js';
import { NestingScanner, nestingTooDeepMessage } from '../admission/nesting.js';

type Done = (error: Error | null, body?: unknown) => void;

/** A body refused before it is judged: 400 with the reason. `closeConnection`: do not read on. */
export class RefusedBody extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/**
 * The content-type parser for application/json. `fallback` is fastify's JSON parser: for text that
 * is not JSON (empty, malformed, a byte-order mark) it gives the answers fastify always gave.
 */
export function jsonBodyReader(limit: number, fallback: (request: FastifyRequest, body: string, done: Done) => void) {
  return function readJsonBody(request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done): void {
    const contentLength = Number(request.headers['content-length']);
    if (contentLength > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const scanner = new NestingScanner();
    const chunks: Buffer[] = [];
    let received = 0;

    function stop(): void {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    }

    function onData(data: Buffer | string): void {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      received += chunk.length;
      if (received > limit) {
        stop();
        done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      const tooDeepAt = scanner.feed(chunk);
      if (tooDeepAt !== undefined) {
        stop();
        done(new RefusedBody(`body ${nestingTooDeepMessage()} (at byte ${tooDeepAt + 1})`, true));
        return;
      }
      chunks.push(chunk);
    }

    function onEnd(error?: Error & { statusCode?: number }): void {
      stop();
      if (error) {
        // An aborted or broken upload: the client's fault, as fastify answers it.
        if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
        done(error);
        return;
      }
      if (!Number.isNaN(contentLength) && received !== contentLength) {
        done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      let parsed: unknown;
      try {
        parsed = parseCheckedJson(text);
      } catch (parseError) {
        if (parseError instanceof BodyError) done(new RefusedBody(`body ${parseError.message}`));
        else fallback(request, text, done);
        return;
      }
      done(null, parsed);
    }

    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  };
}
