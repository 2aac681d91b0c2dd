/**
 * Error text and command lines reach creators, the ops page and logs. Presigned
 * URLs carry a signature valid for hours, and server paths tell an attacker
 * about the machine, so both go before anything is stored or shown. What the
 * reader needs (the status after the URL, a file's name) is kept.
 */
const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>`]+/gi;
const QUERY_RE = /\?[^\s'"<>`]*X-Amz-[^\s'"<>`]*/gi;
const AMZ_PARAM_RE = /(X-Amz-[A-Za-z-]+=)[^&\s'"<>`]+/gi;
// An absolute path of two or more segments, starting a word (so ratios like 9/16 stay).
const PATH_RE = /(^|[\s'"(=[,;])(\/(?:[^\s'"()<>`/:,;]+\/)+)([^\s'"()<>`/:,;]*)/g;
const TRAILING_PUNCTUATION_RE = /[.,:;)\]]+$/;

export const REDACTED_URL = '<url>';
export const REDACTED_PATH = '<path>';

export function redactSecrets(text: string): string;
export function redactSecrets(text: string | null | undefined): string | null;
export function redactSecrets(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return text
    .replace(URL_RE, (url) => {
      const tail = TRAILING_PUNCTUATION_RE.exec(url)?.[0] ?? '';
      return REDACTED_URL + tail;
    })
    .replace(QUERY_RE, '?<redacted>')
    .replace(AMZ_PARAM_RE, '$1<redacted>')
    .replace(PATH_RE, (_m, lead: string, _dir: string, base: string) =>
      base ? `${lead}${REDACTED_PATH}/${base}` : `${lead}${REDACTED_PATH}/`,
    );
}
