export { PasswordHasher, type PasswordHasherOptions, type PasswordVerification } from './password-hasher.js';
export { PasswordPolicy, type PasswordPolicyOptions, type PasswordContext, type PasswordCheck } from './password-policy.js';
export { parseArgon2idPhc, type Argon2idParameters, type Argon2idPhc } from './argon2id-phc.js';
