/**
 * A download name built from client input (the uploaded file's name): ASCII
 * letters, digits, dot, dash and underscore only, so it can sit in a quoted
 * Content-Disposition and on any file system; never empty, never a dot file.
 */
export function safeFileName(
  base: string | null | undefined,
  ext: string,
  fallback = 'clip',
): string {
  const stem = (base ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/_*-[_-]*/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 80)
    .replace(/[._-]+$/, '');
  return `${stem || fallback}.${ext}`;
}
