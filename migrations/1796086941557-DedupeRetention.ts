import { MigrationInterface, QueryRunner } from 'typeorm';

export class DedupeRetention1796086941557 implements MigrationInterface {
  name = 'DedupeRetention1796086941557';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "jobs"
            ADD "content_sha256" text
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs"
            ADD "reused_from_job_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs"
            ADD "source_deleted_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs"
            ADD "clips_deleted_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "uploads"
            ADD "content_sha256" text
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_jobs_owner_sha256" ON "jobs" ("owner_key_id", "content_sha256")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_jobs_owner_sha256"
        `);
    await queryRunner.query(`
            ALTER TABLE "uploads" DROP COLUMN "content_sha256"
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs" DROP COLUMN "clips_deleted_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs" DROP COLUMN "source_deleted_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs" DROP COLUMN "reused_from_job_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs" DROP COLUMN "content_sha256"
        `);
  }
}
