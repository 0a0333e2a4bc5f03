import type { Recognizer } from '../recognizer.js';
import { addressRecognizer } from './address.js';
import { apiKeyRecognizer } from './api-key.js';
import { creditCardRecognizer } from './credit-card.js';
import { dateOfBirthRecognizer } from './date-of-birth.js';
import { emailRecognizer } from './email.js';
import { ibanRecognizer } from './iban.js';
import { ipAddressRecognizer } from './ip-address.js';
import { passportRecognizer } from './passport.js';
import { personNameRecognizer } from './person-name.js';
import { phoneRecognizer } from './phone.js';
import { ssnRecognizer } from './ssn.js';

/** Every built-in recognizer, one per entity type. */
export function defaultRecognizers(): Recognizer[] {
  return [
    emailRecognizer,
    phoneRecognizer,
    ssnRecognizer,
    creditCardRecognizer,
    ipAddressRecognizer,
    personNameRecognizer,
    addressRecognizer,
    ibanRecognizer,
    dateOfBirthRecognizer,
    passportRecognizer,
    apiKeyRecognizer,
  ];
}
