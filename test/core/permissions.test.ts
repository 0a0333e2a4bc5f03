import { describe, expect, it } from 'vitest';
import { checkPermissionGrants, isPermissionRequest, permissionGranted } from '../../src/core/permissions.js';

describe('api key permissions', () => {
  it.each([
    [['models.inference'], 'models.inference', true],
    [['models.inference'], 'models.train', false],
    [['models.*'], 'models.train', true],
    [['models.*'], 'datasets.read', false],
    [['models.*'], 'modelsx.read', false],
    [['*'], 'anything.goes', true],
    [['datasets.read', 'models.*'], 'models.delete', true],
  ])('%j grants %s: %s', (grants, requested, expected) => {
    expect(isPermissionRequest(requested)).toBe(true);
    expect(permissionGranted(grants, requested)).toBe(expected);
  });

  it('accepts concrete and wildcard grants, de-duplicated', () => {
    expect(checkPermissionGrants(['models.inference', '*', 'models.*', 'models.inference', 'audit-log.read_all'])).toEqual(['models.inference', '*', 'models.*', 'audit-log.read_all']);
  });

  it.each([[[]], [['models']], [['*.read']], [['Models.read']], [['models.read.all']], [['models.']], [[' models.read']], [[1]], ['models.read'], [Array(65).fill('a.b')]])('refuses grants %j', (grants) => {
    expect(() => checkPermissionGrants(grants)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });

  it('never takes a wildcard as a request', () => {
    for (const r of ['*', 'models.*', 'models', 'a.b.c', '', 42]) expect(isPermissionRequest(r)).toBe(false);
  });
});
