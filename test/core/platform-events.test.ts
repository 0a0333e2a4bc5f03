import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isPlatformEventType } from '../../src/core/audit-sink.js';

/** Every event name src/ writes as a literal: `eventType: 'keys.rotated'`, or a recorder's first argument (`#record('auth.login', …)`). */
function eventTypesWritten(): Set<string> {
  const src = fileURLToPath(new URL('../../src', import.meta.url));
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const written = new Set<string>();
  for (const file of files) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const [, name] of text.matchAll(/(?:eventType: |#record\(\s*|record[A-Za-z]*\(\s*)'([a-z_]+\.[a-z0-9_.]+)'/g)) written.add(name!);
  }
  return written;
}

describe('platform event names', () => {
  it('cover every event name the platform writes, so none can be sent over the API', () => {
    const written = eventTypesWritten();
    expect(written.size).toBeGreaterThan(40); // the scan finds them at all
    expect([...written].filter((name) => !isPlatformEventType(name))).toEqual([]);
  });

  it('leave clients their own names, the seed\'s among them', () => {
    for (const name of ['user_authentication', 'model.evaluated', 'training.started', 'authz', 'keysafe.opened']) expect(isPlatformEventType(name), name).toBe(false);
    for (const name of ['auth.login', 'keys.rotated', 'model.trained', 'privacy.subject_erased', 'audit.shredded', 'audit.checkpoint_refused', 'threat.alert', 'threat.alert_resolved']) expect(isPlatformEventType(name), name).toBe(true);
  });
});
