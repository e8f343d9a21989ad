import { useEffect, useSyncExternalStore } from "react";

/** A module fetched on first need and shared by every component that asks for it. */
export interface LazyModule<T> {
  /** Starts (or joins) the download; resolves with the module. */
  load(): Promise<T>;
  /** The module if it has arrived, else null (no download started). */
  current(): T | null;
  /**
   * The module once it is there, starting its download when `needed`. Until it arrives the
   * caller renders without it, then re-renders once. Components that pass `needed: false`
   * do not even subscribe, so the arrival never re-renders them.
   */
  use(needed: boolean): T | null;
}

const subscribeNever = (): (() => void) => () => undefined;
const nothing = (): null => null;

/**
 * Wraps a dynamic `import()` so heavy, rarely needed code (math, syntax highlighting) stays
 * out of the first load. A failed load (say the chunk vanished after a deploy) is forgotten
 * so a later render can try again; the caller keeps showing its plain fallback meanwhile.
 */
export function lazyModule<T>(importer: () => Promise<T>): LazyModule<T> {
  let loaded: T | null = null;
  let loading: Promise<T> | null = null;
  const listeners = new Set<() => void>();

  const load = (): Promise<T> => {
    if (loaded) return Promise.resolve(loaded);
    loading ??= importer().then(
      (mod) => {
        loaded = mod;
        for (const listener of listeners) listener();
        return mod;
      },
      (error: unknown) => {
        loading = null;
        throw error;
      },
    );
    return loading;
  };
  const subscribe = (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const snapshot = (): T | null => loaded;

  function use(needed: boolean): T | null {
    const mod = useSyncExternalStore(
      needed ? subscribe : subscribeNever,
      needed ? snapshot : nothing,
      needed ? snapshot : nothing,
    );
    useEffect(() => {
      if (needed && !loaded) load().catch(() => undefined);
    }, [needed]);
    return mod;
  }

  return { load, current: snapshot, use };
}
