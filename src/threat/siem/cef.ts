import type { SiemRecord } from './siem-record.js';

/**
 * ArcSight Common Event Format (CEF, "Implementing ArcSight CEF", revision 25):
 * `CEF:0|Vendor|Product|Version|Signature ID|Name|Severity|key=value …`. Written here: the
 * format is a line with two escaping rules, and no maintained npm package writes it.
 *
 * Header fields escape `\` and `|`; extension values escape `\` and `=`, and write line breaks
 * as `\n` / `\r`; extension keys are the spec's own dictionary names (rt, src, suser, outcome,
 * externalId, msg, cs1…cs3 with their labels).
 */
export const CEF_VENDOR = 'LangTrain';
export const CEF_PRODUCT = 'LangTrain Security';

export function cefHeaderField(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

export function cefExtensionValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n|\n/g, '\\n').replace(/\r/g, '\\r');
}

/** The record as one CEF line (no line break inside it). */
export function formatCef(record: SiemRecord, productVersion: string): string {
  const header = ['CEF:0', CEF_VENDOR, CEF_PRODUCT, productVersion, record.eventType, record.result === null ? record.eventType : `${record.eventType} ${record.result}`, String(record.severity)].map((field, i) => (i === 0 ? field : cefHeaderField(field)));
  const { alertId, rule, key, ...rest } = record.data;
  if (record.sourceIp !== null) delete rest.ip; // sent as src
  const extensions: Array<[string, string]> = [
    ['rt', String(Date.parse(record.timestamp))],
    ['externalId', String(record.index)],
  ];
  if (record.result !== null) extensions.push(['outcome', record.result]);
  if (record.userId !== null) extensions.push(['suser', record.userId]);
  if (record.sourceIp !== null) extensions.push(['src', record.sourceIp]);
  // an alert's own fields, labelled, so SIEM rules can match on them
  if (typeof alertId === 'string') extensions.push(['cs1Label', 'alertId'], ['cs1', alertId]);
  else if (alertId !== undefined) rest.alertId = alertId;
  if (typeof rule === 'string') extensions.push(['cs2Label', 'rule'], ['cs2', rule]);
  else if (rule !== undefined) rest.rule = rule;
  if (typeof key === 'string') extensions.push(['cs3Label', 'key'], ['cs3', key]);
  else if (key !== undefined) rest.key = key;
  if (record.withheld) extensions.push(['msg', 'payload withheld: sealed for erasure; open it in the audit log by externalId']);
  else if (Object.keys(rest).length > 0) extensions.push(['msg', JSON.stringify(rest)]);
  return `${header.join('|')}|${extensions.map(([k, v]) => `${k}=${cefExtensionValue(v)}`).join(' ')}`;
}
