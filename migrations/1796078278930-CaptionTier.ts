import { MigrationInterface, QueryRunner } from 'typeorm';

export class CaptionTier1796078278930 implements MigrationInterface {
  name = 'CaptionTier1796078278930';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "content_segments"
            ADD "caption_words" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "content_segments"
            ADD "caption_engine" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "caption_engine" jsonb
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "caption_engine"
        `);
    await queryRunner.query(`
            ALTER TABLE "content_segments" DROP COLUMN "caption_engine"
        `);
    await queryRunner.query(`
            ALTER TABLE "content_segments" DROP COLUMN "caption_words"
        `);
  }
}
