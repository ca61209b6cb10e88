import { expect } from 'vitest';
import { ConfigError } from '../../shared/core/errors.ts';

/** The message of the ConfigError `fn` throws; fails the test when it throws nothing or another error. */
export function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  return expect.fail('expected a ConfigError');
}
