/**
 * Escapes a value (e.g. a file path) for use as a filter option inside a
 * filtergraph string. Two levels apply: the option parser treats `:` `'` `\`
 * as special, then the graph parser treats `\` `'` `[` `]` `,` `;` as special.
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, '\\$&');
  return optionLevel.replace(/[\\'[\],;]/g, '\\$&');
}
