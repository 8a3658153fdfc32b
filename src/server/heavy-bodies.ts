// Heavy request bodies take turns. Every request is answered by the one thread that parses and judges
// it, so a body that takes tens of milliseconds to parse (megabytes, or tens of thousands of arrays and
// objects) holds up every request that arrived behind it. Ten senders of such bodies, each parsed as
// soon as its last byte arrived, would keep the thread busy back to back and push the API server's
// ordinary requests past their timeout, and a fail-closed webhook then refuses the cluster's writes.
// So heavy bodies are parsed and judged one per turn of the event loop: between two of them, whatever
// ordinary requests arrived meanwhile are answered. And the bytes held for bodies still arriving or
// waiting their turn are capped, so that many senders cannot exhaust the pod's memory either.

/** A body over this many bytes, or holding over this many arrays and objects, waits for its turn. */
export const HEAVY_BODY_BYTES = 128 * 1024;
export const HEAVY_BODY_CONTAINERS = 10_000;

/** The most bytes of request bodies held at once, arriving or waiting; past it a request is refused with 503. */
export const MAX_HELD_BODY_BYTES = 64 * 1024 * 1024;

export class HeavyBodies {
  readonly #waiting: Array<() => void> = [];
  #scheduled = false;
  #held = 0;

  constructor(readonly maxHeldBytes: number = MAX_HELD_BODY_BYTES) {}

  /** Bytes of bodies held now. */
  get held(): number {
    return this.#held;
  }

  /** Takes `bytes` more of a body being received; false (and nothing taken) when that would pass the cap. */
  hold(bytes: number): boolean {
    if (this.#held + bytes > this.maxHeldBytes) return false;
    this.#held += bytes;
    return true;
  }

  /** Gives back what a body held, once it was parsed or refused. */
  release(bytes: number): void {
    this.#held -= bytes;
  }

  /** Runs `task` (parse a heavy body and hand it on) in its turn: one per turn of the event loop, in arrival order. */
  inTurn(task: () => void): void {
    this.#waiting.push(task);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#next);
    }
  }

  readonly #next = (): void => {
    const task = this.#waiting.shift();
    // Scheduled again before running the task, so that a task that throws cannot stop the queue.
    if (this.#waiting.length > 0) setImmediate(this.#next);
    else this.#scheduled = false;
    task?.();
  };
}
