/**
 * The Redis Streams adapter fires some commands without handling their promises (SUBSCRIBE on start, SET when it
 * stores a disconnected session). If Redis is away at that moment the rejection would be unhandled, which stops a
 * Node process. This proxy marks every promise the client (and its duplicates) returns as handled, reporting the
 * error, while callers that await still see it.
 */
export function guardRejections<T extends object>(target: T, onError: (err: unknown) => void): T {
  return new Proxy(target, {
    get(obj, prop) {
      const value: unknown = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(obj, args);
        if (prop === 'duplicate' && result !== null && typeof result === 'object') return guardRejections(result, onError);
        if (result instanceof Promise) result.catch(onError);
        return result;
      };
    },
  });
}
