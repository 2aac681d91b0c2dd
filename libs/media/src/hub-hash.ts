import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';

/**
 * A checksum a model hub publishes for one file. Hugging Face's tree API gives
 * an LFS file's sha256 and any other file's git blob SHA-1; either one proves
 * that the bytes we downloaded are the bytes the hub serves for that revision.
 */
export interface PublishedHash {
  algorithm: 'sha256' | 'git-blob-sha1';
  hex: string;
}

interface TreeEntry {
  type: string;
  path: string;
  oid: string;
  lfs?: { oid: string };
}

const RESOLVE = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/;

/** The tree API address for a `<origin>/<owner>/<repo>/resolve/<rev>/<path>` URL, or null. */
export function hubTreeUrl(fileUrl: string): { treeUrl: string; path: string } | null {
  const u = new URL(fileUrl);
  const m = RESOLVE.exec(u.pathname);
  if (!m) return null;
  const [, owner, repo, rev, path] = m;
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const treeUrl = `${u.origin}/api/models/${owner}/${repo}/tree/${rev}${dir ? `/${dir}` : ''}`;
  return { treeUrl, path: decodeURIComponent(path) };
}

/** Asks the hub for the checksum of the file behind `fileUrl`. */
export async function fetchPublishedHash(
  fileUrl: string,
  fetchImpl: typeof fetch = fetch,
): Promise<PublishedHash> {
  const where = hubTreeUrl(fileUrl);
  if (!where)
    throw new Error(`${fileUrl} is not a hub "resolve" URL, so it has no published checksum`);
  const res = await fetchImpl(where.treeUrl);
  if (!res.ok) throw new Error(`GET ${where.treeUrl} answered ${res.status}`);
  const entries = (await res.json()) as TreeEntry[];
  const entry = Array.isArray(entries)
    ? entries.find((e) => e.type === 'file' && e.path === where.path)
    : undefined;
  if (!entry) throw new Error(`${where.treeUrl} does not list ${where.path}`);
  if (entry.lfs) return { algorithm: 'sha256', hex: entry.lfs.oid };
  return { algorithm: 'git-blob-sha1', hex: entry.oid };
}

/** Streams a file through a hash; `prefix` is hashed before the content. */
export async function hashFile(path: string, algorithm: string, prefix = ''): Promise<string> {
  const h = createHash(algorithm);
  h.update(prefix);
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

/** Hashes a file the way `published` was computed. */
export function hashLikePublished(path: string, published: PublishedHash): Promise<string> {
  if (published.algorithm === 'sha256') return hashFile(path, 'sha256');
  // git hashes "blob <size>\0" followed by the content.
  return hashFile(path, 'sha1', `blob ${statSync(path).size}\0`);
}
