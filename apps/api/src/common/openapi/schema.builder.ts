import type {
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export type Schema = SchemaObject | ReferenceObject;

/** A named view in components.schemas. */
export const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

export const str = (description?: string): SchemaObject => ({ type: 'string', description });
export const time = (): SchemaObject => ({ type: 'string', format: 'date-time' });
export const num = (description?: string): SchemaObject => ({ type: 'number', description });
export const int = (description?: string): SchemaObject => ({ type: 'integer', description });
export const bool = (): SchemaObject => ({ type: 'boolean' });
export const oneOf = (values: readonly string[]): SchemaObject => ({
  type: 'string',
  enum: [...values],
});
export const arrayOf = (items: Schema): SchemaObject => ({ type: 'array', items });
/** Engine data (scenes, face tracks, summaries): described where it is made, not field by field here. */
export const anyObject = (description: string): SchemaObject => ({
  type: 'object',
  additionalProperties: true,
  description,
});

/** OpenAPI 3.0 marks null with `nullable`; a $ref cannot carry it, so it is wrapped. */
export function nullable(s: Schema): SchemaObject {
  return '$ref' in s ? { allOf: [s], nullable: true } : { ...s, nullable: true };
}

/**
 * An object schema whose properties are exactly the keys of the contract type
 * T: a field added to or removed from a view in libs/contracts and not here
 * stops the API from compiling. Optional keys of T are left out of `required`.
 */
export function objectOf<T extends object>(
  properties: { [K in keyof Required<T>]: Schema },
  optional: ReadonlyArray<keyof T> = [],
): SchemaObject {
  const keys = Object.keys(properties);
  return {
    type: 'object',
    properties,
    required: keys.filter((k) => !optional.includes(k as keyof T)),
  };
}
