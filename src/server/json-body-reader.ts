// The webhook's JSON body reader: fastify's own body reading (the size limit up front and as bytes
// arrive, the Content-Length check, one UTF-8 decode at the end), with the nesting of the bytes checked
// as they arrive. A body nested too deep is refused at its first bracket too deep, in microseconds,
// and the connection is closed behind the answer, so the rest of a 3 MB body is neither waited for nor
// decrypted; so is a body holding more arrays and objects than any Kubernetes object does. What arrives
// whole is parsed as `policygate review` parses it (src/admission/json-body.ts); a heavy body waits for
// its turn (heavy-bodies.ts).
import type { FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { BodyError, parseCheckedJson } from '../admission/json-body.js';
import { MAX_BODY_CONTAINERS, NestingScanner, nestingTooDeepMessage, tooManyContainersMessage } from '../admission/nesting.js';
import { HEAVY_BODY_BYTES, HEAVY_BODY_CONTAINERS, HeavyBodies } from './heavy-bodies.js';

type Done = (error: Error | null, body?: unknown) => void;

/** A body refused before it is judged: 400 with the reason (503 when the server holds too much). `closeConnection`: do not read on. */
export class RefusedBody extends Error {
  constructor(
    message: string,
    readonly closeConnection = false,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

/**
 * The content-type parser for application/json. `fallback` is fastify's JSON parser: for text that
 * is not JSON (empty, malformed, a byte-order mark) it gives the answers fastify always gave.
 */
export function jsonBodyReader(limit: number, fallback: (request: FastifyRequest, body: string, done: Done) => void, heavyBodies = new HeavyBodies()) {
  return function readJsonBody(request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done): void {
    const contentLength = Number(request.headers['content-length']);
    if (contentLength > limit) {
      done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    const scanner = new NestingScanner(undefined, MAX_BODY_CONTAINERS);
    const chunks: Buffer[] = [];
    let received = 0;

    function stop(): void {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    }

    function refuse(error: Error): void {
      stop();
      heavyBodies.release(received);
      chunks.length = 0;
      done(error);
    }

    function onData(data: Buffer | string): void {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      if (received + chunk.length > limit) {
        refuse(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        return;
      }
      if (!heavyBodies.hold(chunk.length)) {
        refuse(new RefusedBody(`the webhook holds ${heavyBodies.maxHeldBytes} bytes of request bodies already; retry`, true, 503));
        return;
      }
      received += chunk.length;
      const refusedAt = scanner.feed(chunk);
      if (refusedAt !== undefined) {
        const why = scanner.tooMany ? tooManyContainersMessage() : nestingTooDeepMessage();
        refuse(new RefusedBody(`body ${why} (at byte ${refusedAt + 1})`, true));
        return;
      }
      chunks.push(chunk);
    }

    function onEnd(error?: Error & { statusCode?: number }): void {
      stop();
      if (error) {
        heavyBodies.release(received);
        // An aborted or broken upload: the client's fault, as fastify answers it.
        if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
        done(error);
        return;
      }
      if (!Number.isNaN(contentLength) && received !== contentLength) {
        heavyBodies.release(received);
        done(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
        return;
      }
      if (received > HEAVY_BODY_BYTES || scanner.containers > HEAVY_BODY_CONTAINERS) heavyBodies.inTurn(parse);
      else parse();
    }

    function parse(): void {
      heavyBodies.release(received);
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
