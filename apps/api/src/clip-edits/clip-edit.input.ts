import { BadRequestException } from '@nestjs/common';
import { CORRECTION_MAX_CHARS, validateClipLook, type ClipLook } from '@clipline/contracts';

/** Clips may be trimmed to this span, as selection's own limits allow. */
export const CLIP_MIN_SECONDS = 5;
export const CLIP_MAX_SECONDS = 300;

type Body = Record<string, unknown>;

export function objectBody(body: unknown): Body {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException('body must be a JSON object');
  }
  return body as Body;
}

export function onlyFields(body: Body, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new BadRequestException(
      unknown.map((k) => `${k} is not a known field; expected ${allowed.join(', ')}`),
    );
  }
}

export function seconds(body: Body, field: string, optional = false): number | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new BadRequestException(`${field} must be a number of seconds, 0 or more`);
  }
  return v;
}

/**
 * The edit version the caller last saw, from `If-Match` or the body's
 * `version`; undefined means "last write wins" without a check.
 */
export function expectedVersion(body: Body, ifMatch: string | undefined): number | undefined {
  if (ifMatch !== undefined && ifMatch !== '*') {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
    if (!m) throw new BadRequestException('If-Match must be a clip version like "3"');
    return Number(m[1]);
  }
  const v = body.version;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new BadRequestException('version must be a whole number (the version you edited)');
  }
  return v;
}

export function correctionText(body: Body): string {
  const v = body.text;
  if (typeof v !== 'string') {
    throw new BadRequestException('text must be a string (empty deletes the words)');
  }
  if (v.length > CORRECTION_MAX_CHARS) {
    throw new BadRequestException(`text must be at most ${CORRECTION_MAX_CHARS} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) {
    throw new BadRequestException('text must not contain control characters or line breaks');
  }
  return v.trim();
}

export function range(body: Body, limit: { start: number; end: number }) {
  const start = seconds(body, 'start') as number;
  const end = seconds(body, 'end') as number;
  if (end <= start) throw new BadRequestException('end must be after start');
  if (start < limit.start - 1e-6 || end > limit.end + 1e-6) {
    throw new BadRequestException(
      `start and end must lie within ${limit.start.toFixed(3)}–${limit.end.toFixed(3)} s`,
    );
  }
  return { start, end };
}

/** `look: null` clears the clip's own look; a 400 carries validateClipLook's messages. */
export function look(body: Body): ClipLook | null | undefined {
  if (!('look' in body)) return undefined;
  if (body.look === null) return null;
  const { value, errors } = validateClipLook(body.look);
  if (errors.length) throw new BadRequestException(errors);
  return value;
}

/** The clip's look after a PATCH: the fields sent replace those stored, group by group. */
export function mergeLook(old: ClipLook | null, patch: ClipLook): ClipLook {
  const out: ClipLook = {};
  for (const g of ['captions', 'layout', 'title'] as const) {
    const merged = { ...old?.[g], ...patch[g] };
    if (Object.keys(merged).length) (out as Record<string, unknown>)[g] = merged;
  }
  return out;
}
