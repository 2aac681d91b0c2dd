import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ApiKeyRole = 'creator' | 'ops';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** First characters of the key, shown in listings and used to find the row. */
  @Index('uq_api_keys_prefix', { unique: true })
  @Column({ type: 'text' })
  prefix: string;

  /** sha256 of the whole key; the key itself is never stored. */
  @Column({ type: 'text', name: 'key_hash' })
  keyHash: string;

  @Column({ type: 'text' })
  role: ApiKeyRole;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
