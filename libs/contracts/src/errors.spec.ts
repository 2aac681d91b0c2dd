import {
  BadInputError,
  ConfigurationError,
  InfrastructureError,
  errorKind,
  errorOfKind,
  isBadInputError,
  isConfigurationError,
  isInfrastructureError,
  isPermanentError,
} from './errors';

describe('error kinds', () => {
  it('survive being stored and rebuilt, so a decision elsewhere sees the same class', () => {
    const cases: Array<[Error, (e: unknown) => boolean]> = [
      [new BadInputError('corrupt'), isBadInputError],
      [new ConfigurationError('401'), isConfigurationError],
      [new InfrastructureError('S3 down'), isInfrastructureError],
    ];
    for (const [err, is] of cases) {
      const rebuilt = errorOfKind(errorKind(err), `part 1 failed: ${err.message}`);
      expect(is(rebuilt)).toBe(true);
      expect(errorKind(rebuilt)).toBe(errorKind(err));
    }
  });

  it('treats an unclassified or unknown kind as transient', () => {
    expect(errorKind(new Error('out of memory'))).toBe('error');
    for (const kind of ['error', null, undefined, 'something new']) {
      const rebuilt = errorOfKind(kind, 'x');
      expect(isPermanentError(rebuilt) || isInfrastructureError(rebuilt)).toBe(false);
    }
  });
});
