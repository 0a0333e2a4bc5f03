import { invalidInput } from '../../core/errors.js';
import { personalDataInLabel, type LabelFinding } from '../pii/dataset-label.js';

/**
 * A data digest as digestFile writes it, anywhere in a unit: `langtrain train` names a budget
 * `dataset:sha256:<hex>` when no unit is given. Its hex has runs of seven digits or more in most
 * digests, which the label check reads as a number of someone's; it names bytes, not a person.
 */
const DATA_DIGEST = /(?<![A-Za-z0-9])sha256:[0-9a-f]{64}(?![A-Za-z0-9])/g;

/**
 * Fails unless the privacy unit `unit` (already of the ledger's shape) names no one. A unit's
 * name is kept for good: in the ledger, which erasure leaves as it is bar who acted (a spend
 * taken out would hand its epsilon back), and in the audit log's budget events; and it is listed
 * in the Art. 15 export of whoever created or spent on it. The same check as a lineage
 * artifact's name (personalDataInLabel), digests aside. The error names what was found
 * (`details.personalData`), never the unit: the message may itself reach a log.
 */
export function checkUnitName(unit: string, field = 'unit'): void {
  const found = personalDataInLabel(unit.replace(DATA_DIGEST, 'sha256:digest'));
  if (found.length > 0) throw invalidInput(`${field} ${personalUnitProblem(found)}`, { field, personalData: found });
}

function personalUnitProblem(found: readonly LabelFinding[]): string {
  const what = found.map((type) => (type === 'digits' ? 'a run of seven or more digits that is no date (a phone number, an account or a card)' : type)).join(', ');
  return `looks like it holds personal data (${what}): a privacy unit's name is written to the audit log and kept in the ledger, where erasure changes only who acted, and is listed in the access request of whoever created or spent on it, so name the unit by something that names no one, such as dataset:tickets-v2`;
}
