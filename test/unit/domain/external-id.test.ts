import { generateExternalId, roleSessionName } from '../../../lambdas/domain/external-id';

describe('generateExternalId', () => {
  it('is the tenant id, a colon, and 128 random bits in base64url', () => {
    const externalId = generateExternalId('tenant-a');

    expect(externalId).toMatch(/^tenant-a:[A-Za-z0-9_-]{22}$/);
  });

  it('never repeats', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => generateExternalId('t')));

    expect(ids.size).toBe(1000);
  });

  it('uses only characters STS allows in an External ID', () => {
    expect(generateExternalId('Tenant_1-x')).toMatch(/^[\w+=,.@:/-]{2,1224}$/);
  });
});

describe('roleSessionName', () => {
  it('carries the tenant and stays within 64 characters', () => {
    const long = 'a'.repeat(64);

    expect(roleSessionName('test', 'acme')).toBe('aoc-test-acme');
    expect(roleSessionName('test', long)).toHaveLength(64);
    expect(roleSessionName('test', long)).toMatch(/^[\w+=,.@-]+$/);
  });
});
