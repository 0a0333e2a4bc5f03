import { LangtrainError } from '../../core/errors.js';

/**
 * The argon2id parameters a hash was made with, as its PHC string carries them
 * (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, the format of the Password Hashing
 * Competition and of the reference implementation).
 */
export interface Argon2idParameters {
  /** Memory cost in KiB (`m=`). */
  memoryCost: number;
  /** Passes over memory (`t=`). */
  timeCost: number;
  /** Lanes (`p=`). */
  parallelism: number;
  /** Length of the derived hash in bytes. */
  outputLen: number;
}

export interface Argon2idPhc extends Argon2idParameters {
  /** Argon2 version: 19 (0x13, current) or 16 (0x10, written without `v=` by old encoders). */
  version: 16 | 19;
  /** Length of the decoded salt in bytes. */
  saltLen: number;
}

// PHC strings use standard base64 without padding.
const B64 = '[A-Za-z0-9+/]+';
const ARGON2ID = new RegExp(`^\\$argon2id\\$(?:v=(\\d+)\\$)?m=(\\d+),t=(\\d+),p=(\\d+)(?:,[a-z]+=[^$,]*)*\\$(${B64})\\$(${B64})$`);

const decodedLength = (b64: string) => Math.floor((b64.length * 6) / 8);

/** What kind of hash a stored string looks like, for a message that tells an operator what to do. */
function schemeOf(stored: string): string {
  if (/^\$argon2i\$/.test(stored)) return 'argon2i';
  if (/^\$argon2d\$/.test(stored)) return 'argon2d';
  if (/^\$2[abxy]?\$\d\d\$/.test(stored)) return 'bcrypt';
  if (/^\$scrypt\$|^\$7\$/.test(stored)) return 'scrypt';
  if (/^\$pbkdf2/.test(stored)) return 'pbkdf2';
  if (/^\$(1|5|6)\$/.test(stored)) return 'crypt(3) md5/sha';
  if (/^\$argon2id\$/.test(stored)) return 'malformed argon2id';
  return 'unrecognised';
}

/**
 * Read the parameters of an argon2id PHC string. Anything else (argon2i, argon2d, bcrypt,
 * scrypt, PBKDF2, a malformed string) is refused with `ERR_PASSWORD_HASH_UNSUPPORTED`,
 * naming the scheme found; the stored string itself is never put in the message.
 */
export function parseArgon2idPhc(stored: string): Argon2idPhc {
  const match = typeof stored === 'string' ? ARGON2ID.exec(stored) : null;
  if (!match) {
    const scheme = typeof stored === 'string' ? schemeOf(stored) : 'not a string';
    throw new LangtrainError(
      'ERR_PASSWORD_HASH_UNSUPPORTED',
      `password hash is ${scheme}; only argon2id PHC strings ($argon2id$v=19$m=…,t=…,p=…$salt$hash) are accepted. ` +
        'Migrate such accounts with their old verifier (then rehash with argon2id) or a password reset.',
      { scheme },
    );
  }
  const [, v, m, t, p, salt, hash] = match as unknown as [string, string | undefined, string, string, string, string, string];
  const version = v === undefined ? 16 : Number(v);
  if (version !== 16 && version !== 19) {
    throw new LangtrainError('ERR_PASSWORD_HASH_UNSUPPORTED', `argon2id version ${version} is unknown (supported: 16, 19)`, { scheme: 'argon2id', version });
  }
  return {
    version,
    memoryCost: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
    outputLen: decodedLength(hash),
    saltLen: decodedLength(salt),
  };
}
