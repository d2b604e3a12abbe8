import { describe, expect, it } from 'vitest';
import { localPath } from '@/lib/auth/guard';

describe('where a sign-in may send the browser', () => {
  it('keeps a path of this site, with its query', () => {
    expect(localPath('/pairs?status=all')).toBe('/pairs?status=all');
    expect(localPath('/identities/3#top')).toBe('/identities/3#top');
    expect(localPath('/%5Cevil.example')).toBe('/%5Cevil.example');
  });

  it('sends anything that would leave the site to the dashboard', () => {
    for (const next of [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      'pairs',
      '',
      undefined,
      42,
    ]) {
      expect(localPath(next), JSON.stringify(next)).toBe('/');
    }
  });
});
