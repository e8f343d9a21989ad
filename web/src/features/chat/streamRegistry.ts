/**
 * The live streams of one store. They are not serialisable, so they live beside the store (as
 * its thunks' extra argument, see `makeStore`) rather than in it or in a module: two stores
 * (two tests, say) never share a stream.
 */
export interface StreamRegistry {
  /** Each open stream's AbortController, by stream key (a new chat's "draft-…", then its id). */
  controllers: Map<string, AbortController>;
  /** Streams stopped before the server named their answer: stop them as soon as it does. */
  stopRequested: Set<AbortController>;
}

export const createStreamRegistry = (): StreamRegistry => ({ controllers: new Map(), stopRequested: new Set() });

/** What every thunk of the app receives as its third argument. */
export interface ThunkExtra {
  streams: StreamRegistry;
}
