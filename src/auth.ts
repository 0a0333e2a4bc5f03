/** `langtrain/auth`: the seed's `langtrain.auth` module (what exists of it). */
export { AuthenticationManager, type AuthenticationManagerOptions } from './identity/authentication-manager.js';
export { UserDirectory } from './identity/users/user-directory.js';
export { SessionStore } from './identity/sessions/session-store.js';
export { ApiKeyStore } from './identity/api-keys/api-key-store.js';
export { PasswordHasher, PasswordPolicy } from './identity/passwords/index.js';
export { RoleManager } from './access/index.js';
