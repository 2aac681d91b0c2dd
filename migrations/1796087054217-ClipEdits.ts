import { MigrationInterface, QueryRunner } from 'typeorm';

export class ClipEdits1796087054217 implements MigrationInterface {
  name = 'ClipEdits1796087054217';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "caption_corrections" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "scope" text NOT NULL,
                "clip_id" uuid,
                "version" integer NOT NULL,
                "start_sec" double precision NOT NULL,
                "end_sec" double precision NOT NULL,
                "text" text NOT NULL,
                "original_text" text NOT NULL,
                "active" boolean NOT NULL DEFAULT true,
                "author_key_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_98b578415949cc52fa18ee34517" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_caption_corrections_job" ON "caption_corrections" ("job_id", "active")
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "start_sec" double precision
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "end_sec" double precision
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "version" integer NOT NULL DEFAULT '1'
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "rendered_version" integer
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "rendering_version" integer
        `);
    // Clips rendered before versions existed show their one version.
    await queryRunner.query(
      `UPDATE "clips" SET "rendered_version" = 1 WHERE "video_key" IS NOT NULL`,
    );
    await queryRunner.query(`
            ALTER TABLE "caption_corrections"
            ADD CONSTRAINT "FK_bda10fbe0aa88dd30a3b11f276c" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "caption_corrections"
            ADD CONSTRAINT "FK_b0aa2083d80e2bba12bf7d869ec" FOREIGN KEY ("clip_id") REFERENCES "clips"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "caption_corrections"
            ADD CONSTRAINT "FK_25739571b63c68b989cd7567e68" FOREIGN KEY ("author_key_id") REFERENCES "api_keys"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "caption_corrections" DROP CONSTRAINT "FK_25739571b63c68b989cd7567e68"
        `);
    await queryRunner.query(`
            ALTER TABLE "caption_corrections" DROP CONSTRAINT "FK_b0aa2083d80e2bba12bf7d869ec"
        `);
    await queryRunner.query(`
            ALTER TABLE "caption_corrections" DROP CONSTRAINT "FK_bda10fbe0aa88dd30a3b11f276c"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "rendering_version"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "rendered_version"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "version"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "end_sec"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "start_sec"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_caption_corrections_job"
        `);
    await queryRunner.query(`
            DROP TABLE "caption_corrections"
        `);
  }
}
