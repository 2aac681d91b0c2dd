import { BadRequestException } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export function validationMessages(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, msg]) =>
      rule === 'whitelistValidation' ? `property ${path} should not exist` : msg,
    );
    return [...own, ...validationMessages(e.children ?? [], path)];
  });
}

/** Same rules as the global ValidationPipe, for bodies a route reads itself. */
export function validateDto<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
  path = '',
): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new BadRequestException(`${path || 'body'} must be a JSON object`);
  }
  const dto = plainToInstance(cls, plain);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) throw new BadRequestException(validationMessages(errors, path));
  return dto;
}
