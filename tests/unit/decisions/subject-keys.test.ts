import { describe, expect, it } from 'vitest';
import { identityPairKeyOf, outlierKeyOf, pairKeyOf } from '@/lib/services/decisions';

// Decisions already stored are found again only while these keys keep their exact form.
describe('decision subject keys', () => {
  it('keys a pair by the md5 of "lower:higher" content hash, whatever order the pair comes in', () => {
    const md5OfAColonB = 'd8160c9b3dc20d4e931aeb4f45262155';
    expect(pairKeyOf('a', 'b')).toBe(md5OfAColonB);
    expect(pairKeyOf('b', 'a')).toBe(md5OfAColonB);
  });

  it('keys a person pair by both names in order and an outlier by folder and content', () => {
    expect(identityPairKeyOf('山田', 'Alice')).toBe('Alice\n山田');
    expect(outlierKeyOf('山田', 'ff00')).toBe('山田\nff00');
  });
});
