/** `langtrain/security`: the seed's `langtrain.security` module (what exists of it). */
export { SecurityManager, type SecurityManagerOptions } from './security-manager.js';
