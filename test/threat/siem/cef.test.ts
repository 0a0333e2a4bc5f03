import { describe, expect, it } from 'vitest';
import { cefExtensionValue, cefHeaderField, formatCef } from '../../../src/threat/siem/cef.js';
import { siemRecord } from '../../../src/threat/siem/siem-record.js';

describe('CEF', () => {
  // The escaping examples of "Implementing ArcSight CEF" (revision 25), "Character encoding".
  it('escapes header fields and extension values as the specification shows', () => {
    expect(cefHeaderField('detected a | in message')).toBe('detected a \\| in message');
    expect(cefHeaderField('detected a \\ in packet')).toBe('detected a \\\\ in packet');
    expect(cefExtensionValue('blocked a | ')).toBe('blocked a | '); // a pipe needs no escape in the extension
    expect(cefExtensionValue('blocked a \\')).toBe('blocked a \\\\');
    expect(cefExtensionValue('blocked a =')).toBe('blocked a \\=');
    expect(cefExtensionValue('Detected a threat.\nNo action needed.')).toBe('Detected a threat.\\nNo action needed.');
    expect(cefHeaderField('two\nlines')).toBe('two lines'); // no line break in a header
  });

  it('writes an entry as one line with the dictionary keys', () => {
    const record = siemRecord({ index: 41, timestamp: '2026-11-01T09:00:00.000Z', eventType: 'auth.login', userId: 'u-7', result: 'denied', additionalData: { ip: '2001:db8::1', reason: 'locked|x=1' }, payload: 'clear' }, false)!;
    expect(formatCef(record, '1.2.3')).toBe('CEF:0|LangTrain|LangTrain Security|1.2.3|auth.login|auth.login denied|5|rt=1793523600000 externalId=41 outcome=denied suser=u-7 src=2001:db8::1 msg={"reason":"locked|x\\=1"}');
  });

  it('leaves out what the log sealed under a user, unless told to send it', () => {
    const entry = { index: 3, timestamp: '2026-11-01T09:00:00.000Z', eventType: 'consent.recorded', userId: 'subject-42', result: 'success', additionalData: { purposes: ['ads'] }, payload: 'opened' as const, userIdSealed: true };
    expect(siemRecord(entry, false)).toMatchObject({ userId: null, data: {}, withheld: true });
    expect(siemRecord(entry, true)).toMatchObject({ userId: 'subject-42', data: { purposes: ['ads'] }, withheld: false });
    // a system event's sealed payload names no one: it goes whole
    expect(siemRecord({ ...entry, userId: null, userIdSealed: false }, false)).toMatchObject({ data: { purposes: ['ads'] }, withheld: false });
    // an address that is not an IP stays in the data, not src
    expect(siemRecord({ ...entry, payload: 'clear', userIdSealed: false, additionalData: { ip: 'unknown' } }, false)).toMatchObject({ sourceIp: null, data: { ip: 'unknown' } });
  });
});
