/**
 * The live streams of one store: each conversation's AbortController, and the streams stopped
 * before the server named their answer. It is not serialisable, so it lives beside the store
 * (as its thunks' extra argument, see `makeStore`) rather than in it: two stores (two tests,
 * two tabs' worth of state) never share a stream.
 */
export class StreamRegistry {
  private readonly controllers = new Map<string, AbortController>();
  /** Streams stopped before the server named their answer: stop them as soon as it does. */
  private readonly stopRequested = new Set<AbortController>();

  /** A new controller for the stream keyed `key`. */
  open(key: string): AbortController {
    const controller = new AbortController();
    this.controllers.set(key, controller);
    return controller;
  }

  get(key: string): AbortController | undefined {
    return this.controllers.get(key);
  }

  has(key: string): boolean {
    return this.controllers.has(key);
  }

  /** A new chat's stream, keyed "draft-…" until the server names its conversation. */
  rename(from: string, to: string): void {
    const controller = this.controllers.get(from);
    this.controllers.delete(from);
    if (controller) this.controllers.set(to, controller);
  }

  /** The key `controller` is filed under now (it may have been renamed), if any. */
  keyOf(controller: AbortController): string | undefined {
    for (const [key, c] of this.controllers) if (c === controller) return key;
    return undefined;
  }

  close(key: string): void {
    this.controllers.delete(key);
  }

  requestStop(controller: AbortController): void {
    this.stopRequested.add(controller);
  }

  stopPending(controller: AbortController): boolean {
    return this.stopRequested.has(controller);
  }

  /** Forget a stop request; true when there was one (it is now being carried out). */
  takeStop(controller: AbortController): boolean {
    return this.stopRequested.delete(controller);
  }
}

/** What every thunk of the app receives as its third argument. */
export interface ThunkExtra {
  streams: StreamRegistry;
}
