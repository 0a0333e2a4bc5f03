import { describe, expect, it } from 'vitest';

// The import paths users write (package.json "exports", resolved through the built dist/).
describe('public import paths', () => {
  it('langtrain exports the composition root and configuration', async () => {
    const root = await import('langtrain');
    expect(typeof root.SecurityManager.open).toBe('function');
    expect(typeof root.loadConfig).toBe('function');
    expect(new root.LangtrainError('ERR_NOT_FOUND', 'x').code).toBe('ERR_NOT_FOUND');
  });
  it('langtrain/compliance exports the seed AuditLogger and the verification functions', async () => {
    const compliance = await import('langtrain/compliance');
    const log = new compliance.AuditLogger({ immutableStorage: true, digitalSignatures: true, retentionPeriod: '10y' });
    expect(log.config.retentionPeriod).toBe(10 * 365 * 86_400_000);
    expect(typeof compliance.verifyBundle).toBe('function');
    expect(typeof compliance.verifyInclusion).toBe('function');
  });
  it('langtrain/security exports SecurityManager', async () => {
    const security = await import('langtrain/security');
    await expect(security.SecurityManager.open({ realTimeMonitoring: true, env: {} })).rejects.toMatchObject({ code: 'ERR_OPTION_NOT_SUPPORTED_YET', message: expect.stringContaining('realTimeMonitoring') });
  });
});
