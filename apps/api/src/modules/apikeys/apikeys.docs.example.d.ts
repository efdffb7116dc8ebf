/** The shape of the TypeScript example in docs/api-keys.md (apikeys.docs.test.ts imports the example itself). */
export interface CvKey {
  baseUrl: string;
  keyId: string;
  secret: string;
}
export declare function cvRequest<T = unknown>(
  key: CvKey,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T>;
