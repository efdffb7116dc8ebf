/** The API keys module's public surface: the key service (management) and the signed-request authenticator. */
export { ApiKeyAuthenticator, presentsApiKey } from './apikeys.auth.ts';
export { ApiKeysService } from './apikeys.service.ts';
export type { ApiKeyRow } from './apikeys.schema.ts';
export { revokeAllKeys as revokeUserApiKeys } from './apikeys.repo.ts';
