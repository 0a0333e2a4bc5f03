import { z } from 'zod';
import { keysOnly } from '../../core/options.js';
import { MAX_SUBJECT_ID } from '../subject-id.js';

/**
 * The inputs `ConsentManager.recordConsent` / `withdrawConsent` take, and the bodies of
 * `POST /v1/consent` and `POST /v1/consent/withdraw` (server/schemas/privacy.ts), defined once
 * so the two cannot drift apart. Every schema is strict: a key nobody knows (`expiry` for
 * `expiryDate`, `datatypes` for `dataTypes`) is refused naming the supported ones, never
 * ignored: an ignored `expiry` would record consent without an end, an ignored `datatypes`
 * would withdraw everything.
 *
 * The HTTP bodies check shapes only (strings, lengths, list sizes); the names and dates are
 * checked by ConsentManager, whose errors name the field, so the rules live in one place. The
 * library inputs are checked for their keys here (the manager checks each value, taking Dates
 * too) and carry `actor`, which the server sets from the caller rather than the body.
 */

/** At most this many data types, and this many purposes, per grant or withdrawal. */
export const MAX_CONSENT_NAMES = 100;
/** The longest data type or purpose name. */
export const MAX_CONSENT_NAME = 64;
/** A data type or purpose name: lower_snake_case (`chat_transcripts`, `model_training`). */
export const CONSENT_NAME_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

const subjectId = z.string().min(1).max(MAX_SUBJECT_ID);
const nameList = z.array(z.string().min(1).max(MAX_CONSENT_NAME)).min(1).max(MAX_CONSENT_NAMES);
const dateInput = z.string().min(1).max(64);

/** `POST /v1/consent`. */
export const recordConsentBody = z.strictObject({ userId: subjectId, dataTypes: nameList, purposes: nameList, consentDate: dateInput.optional(), expiryDate: dateInput.optional() });
/** `POST /v1/consent/withdraw`: an omitted list means all. */
export const withdrawConsentBody = z.strictObject({ userId: subjectId, dataTypes: nameList.optional(), purposes: nameList.optional() });

// The library's inputs: the same keys as the bodies, plus `actor`, each value left to the manager's checks.
/** `recordConsent`'s keys: userId, dataTypes, purposes, consentDate, expiryDate, actor. */
export const recordConsentInput = keysOnly([...Object.keys(recordConsentBody.shape), 'actor']);
/** `withdrawConsent`'s keys: userId, dataTypes, purposes, actor. */
export const withdrawConsentInput = keysOnly([...Object.keys(withdrawConsentBody.shape), 'actor']);
