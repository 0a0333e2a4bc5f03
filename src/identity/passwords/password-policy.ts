import { z } from 'zod';
import { LangtrainError } from '../../core/errors.js';
import { parseOptions } from '../../core/options.js';
import { COMMON_PASSWORDS_TEXT } from './data/common-passwords.js';
import { isTrivialSequence } from './trivial-sequence.js';
import { checkKeys, passwordContextKeys } from '../input-keys.js';

/**
 * Which passwords may be set, after NIST SP 800-63B §5.1.1.2 (memorized secrets):
 * - length, counted in Unicode code points after NFKC normalisation: at least 8, or 15 when
 *   the password is the account's only factor (SP 800-63B-4); at least 64 allowed;
 * - no composition rules (no "one upper case, one digit, one symbol"): they push users to
 *   predictable patterns and add little strength;
 * - no password from a list of common or breached passwords, nor a context-specific word
 *   (the service's name, the username), nor only repeated or sequential characters.
 * Every reason is meant for the user, and none repeats the password.
 */

const optionsSchema = z
  .object({
    /** Minimum length when the account also has a second factor. NIST: at least 8. */
    minLength: z.number().int().min(8).max(64).default(8),
    /** Minimum length when the password is the only factor. NIST SP 800-63B-4: at least 15. */
    minLengthSingleFactor: z.number().int().min(15).max(64).default(15),
    /** Maximum length. NIST: verifiers SHOULD allow at least 64. */
    maxLength: z.number().int().min(64).max(1024).default(128),
    /**
     * The service's name and other context-specific words: a password that is one of them,
     * give or take leading or trailing digits and symbols ("Langtrain2024!"), is refused.
     */
    contextWords: z.array(z.string().trim().min(3).max(64)).max(100).default(['langtrain']),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.minLengthSingleFactor < o.minLength) ctx.addIssue({ code: 'custom', path: ['minLengthSingleFactor'], message: 'must be at least minLength' });
    if (o.maxLength < o.minLengthSingleFactor) ctx.addIssue({ code: 'custom', path: ['maxLength'], message: 'must be at least minLengthSingleFactor' });
  });

export type PasswordPolicyOptions = z.input<typeof optionsSchema>;

/** Who is setting the password. */
export interface PasswordContext {
  /** Whether the account has a second factor (TOTP, WebAuthn…) besides this password. */
  mfa: boolean;
  /** The account's username or e-mail address; a password containing it is refused. */
  username?: string;
}

export type PasswordCheck = { ok: true } | { ok: false; reasons: string[] };

/** Shortest username searched for inside a password; shorter ones are refused only as the whole password. */
const MIN_USERNAME_SEARCH = 3;

/** Digits, punctuation and symbols a user pads a weak word with ("password1!", "2024langtrain"). */
const PADDING = /^[\p{N}\p{P}\p{S}\s]+|[\p{N}\p{P}\p{S}\s]+$/gu;

let commonPasswords: ReadonlySet<string> | undefined;

/** The shipped list (see data/README.md), split into a Set once, on first use. */
function commonPasswordSet(): ReadonlySet<string> {
  commonPasswords ??= new Set(COMMON_PASSWORDS_TEXT.split('\n'));
  return commonPasswords;
}

const fold = (text: string) => text.normalize('NFKC').toLowerCase();

export class PasswordPolicy {
  readonly options: Readonly<z.output<typeof optionsSchema>>;
  readonly #contextWords: ReadonlySet<string>;

  constructor(options: PasswordPolicyOptions = {}) {
    this.options = Object.freeze(parseOptions(optionsSchema, options, 'PasswordPolicy'));
    this.#contextWords = new Set(this.options.contextWords.map(fold));
  }

  /** Every rule the password breaks, or `{ ok: true }`. */
  check(password: string, context: PasswordContext): PasswordCheck {
    checkKeys(passwordContextKeys, context, 'PasswordPolicy context');
    if (typeof password !== 'string') return { ok: false, reasons: ['Enter a password.'] };
    const normalised = password.normalize('NFKC');
    const length = [...normalised].length;
    const { minLength, minLengthSingleFactor, maxLength } = this.options;

    // Past the maximum, say only that: the other rules need not run on oversized input.
    if (length > maxLength) return { ok: false, reasons: [`Use at most ${maxLength} characters.`] };

    const reasons: string[] = [];
    // Anything but an explicit mfa: true gets the single-factor minimum: fail towards stricter.
    const mfa = context?.mfa === true;
    const min = mfa ? minLength : minLengthSingleFactor;
    if (length < min) {
      reasons.push(
        mfa
          ? `Use at least ${min} characters.`
          : `Use at least ${min} characters, or turn on two-factor authentication to use a password of at least ${minLength}.`,
      );
    }

    const folded = normalised.toLowerCase();
    // The password without padding, e.g. "sunshine" for "Sunshine2024!"; '' when all padding.
    const core = folded.replace(PADDING, '');
    const common = commonPasswordSet();
    if (common.has(folded) || (core !== '' && common.has(core))) {
      reasons.push('This password is too common: it appears in lists of breached or often-used passwords. Choose another.');
    }
    if (this.#containsUsername(folded, context?.username)) {
      reasons.push('The password must not contain your username.');
    }
    if (this.#contextWords.has(folded) || this.#contextWords.has(core)) {
      reasons.push('The password must not be the name of this service.');
    }
    if (length > 0 && isTrivialSequence([...folded])) {
      // No literal examples here: a reason must never happen to contain the password itself.
      reasons.push('The password must not be only repeated or sequential characters, such as one letter over and over, counting digits or letters, or a row of keys.');
    }
    return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
  }

  /** `check`, throwing `ERR_PASSWORD_REJECTED` (reasons in `details.reasons`) when it fails. */
  enforce(password: string, context: PasswordContext): void {
    const result = this.check(password, context);
    if (!result.ok) {
      throw new LangtrainError('ERR_PASSWORD_REJECTED', `password rejected: ${result.reasons.join(' ')}`, { reasons: result.reasons });
    }
  }

  #containsUsername(folded: string, username: string | undefined): boolean {
    if (typeof username !== 'string') return false;
    const name = fold(username).trim();
    if (name.length === 0) return false;
    // For an e-mail address, its local part is what a user is likely to reuse.
    const at = name.lastIndexOf('@');
    const candidates = at > 0 ? [name, name.slice(0, at)] : [name];
    return candidates.some((c) => folded === c || ([...c].length >= MIN_USERNAME_SEARCH && folded.includes(c)));
  }
}
