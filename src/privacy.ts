/** `langtrain/privacy`: the seed's `langtrain.privacy` module (what exists of it). */
export { DataProtectionManager, type DataProtectionManagerOptions } from './privacy/data-protection-manager.js';
