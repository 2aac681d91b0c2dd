/** Text and attribute values for XML; control characters XML 1.0 forbids are dropped. */
export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * A file URL an editor can relink from: only the file name is known (the
 * server's paths are nobody's business), so the media shows as offline and
 * the editor searches for it by name.
 */
export function relinkUrl(fileName: string, prefix = 'file:///'): string {
  return prefix + encodeURIComponent(printable(fileName));
}

/** Client text without control characters, which no editor shows and XML forbids. */
// eslint-disable-next-line no-control-regex
export const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
