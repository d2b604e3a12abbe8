import { describe, expect, it } from 'vitest';
import { choiceOption, floatOption, intOption, parseCommandArgs, UsageError, type CommandSpec } from '@/lib/cli/command';

const command: CommandSpec = {
  name: 'demo',
  usage: 'demo NAME [--limit N]',
  summary: '',
  options: { limit: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  load: async () => async () => {},
};

describe('command-line parsing', () => {
  it('parses a positional and an option', () => {
    expect(parseCommandArgs(command, ['x', '--limit', '5'])).toMatchObject({ values: { limit: '5' }, positionals: ['x'] });
  });

  it('calls an unknown flag a usage error that names it', () => {
    expect(() => parseCommandArgs(command, ['x', '--bogus'])).toThrow(UsageError);
    expect(() => parseCommandArgs(command, ['x', '--bogus'])).toThrow(/--bogus/);
  });

  it('calls a missing or extra argument a usage error', () => {
    expect(() => parseCommandArgs(command, [])).toThrow(/usage: demo NAME/);
    expect(() => parseCommandArgs(command, ['a', 'b'])).toThrow(UsageError);
  });

  it('validates numbers and choices with the option name in the message', () => {
    expect(intOption('12', 'limit')).toBe(12);
    expect(() => intOption('-3', 'limit')).toThrow(/--limit must be a positive integer/);
    expect(floatOption('0.4', 'threshold', -1, 1)).toBe(0.4);
    expect(() => floatOption('1.5', 'threshold', -1, 1)).toThrow(/between -1 and 1/);
    expect(choiceOption(undefined, 'format', ['json', 'csv'] as const, 'json')).toBe('json');
    expect(() => choiceOption('xml', 'format', ['json', 'csv'] as const, 'json')).toThrow(/json\|csv/);
  });
});
