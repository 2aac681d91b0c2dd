import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiKeyEntity, type ApiKeyRole } from '@clipline/database';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import type { AuthenticatedKey } from './api-key.types';

const KEY_MARK = 'clk_';
/** Characters of the key kept in clear: enough to find the row without a scan. */
const PREFIX_LENGTH = KEY_MARK.length + 10;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Creates keys (CLI, tests) and resolves presented keys (REST guard, socket.io). */
@Injectable()
export class ApiKeysService {
  constructor(@InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>) {}

  /** Returns the key itself once; only its sha256 is stored. */
  async create(
    name: string,
    role: ApiKeyRole,
  ): Promise<{ id: string; key: string; prefix: string }> {
    const key = KEY_MARK + randomBytes(30).toString('base64url');
    const prefix = key.slice(0, PREFIX_LENGTH);
    const row = await this.keys.save(
      this.keys.create({ name, role, prefix, keyHash: hashApiKey(key), revokedAt: null }),
    );
    return { id: row.id, key, prefix };
  }

  async revoke(id: string): Promise<void> {
    await this.keys.update({ id }, { revokedAt: new Date() });
  }

  async verify(presented: string | undefined | null): Promise<AuthenticatedKey | null> {
    if (!presented || !presented.startsWith(KEY_MARK) || presented.length <= PREFIX_LENGTH) {
      return null;
    }
    const row = await this.keys.findOne({
      where: { prefix: presented.slice(0, PREFIX_LENGTH), revokedAt: IsNull() },
    });
    if (!row) return null;
    const given = Buffer.from(hashApiKey(presented), 'hex');
    const stored = Buffer.from(row.keyHash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
    return { id: row.id, name: row.name, role: row.role };
  }
}
