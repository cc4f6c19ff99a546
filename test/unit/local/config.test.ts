import { DEFAULT_LOCAL_CONFIG, parseFairUse } from '../../../local/config';

describe('--fair-use', () => {
  it('takes any of the limits by name, and refuses what is not one', () => {
    const limits = parseFairUse('roleTestsPerMinute=30,syncsPerMinute=30', DEFAULT_LOCAL_CONFIG.fairUse);

    expect(limits).toEqual({ ...DEFAULT_LOCAL_CONFIG.fairUse, roleTestsPerMinute: 30, syncsPerMinute: 30 });
    expect(() => parseFairUse('rolesPerMinute=30', DEFAULT_LOCAL_CONFIG.fairUse)).toThrow(/--fair-use/);
    expect(() => parseFairUse('syncsPerMinute=-1', DEFAULT_LOCAL_CONFIG.fairUse)).toThrow(/--fair-use/);
  });
});
