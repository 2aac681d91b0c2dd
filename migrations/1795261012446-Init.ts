import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795261012446 implements MigrationInterface {
  name = 'Init1795261012446';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "prefix" text NOT NULL,
                "key_hash" text NOT NULL,
                "role" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys" ("prefix")
        `);
    await queryRunner.query(`
            CREATE TABLE "jobs" (
                "id" uuid NOT NULL,
                "owner_key_id" uuid,
                "status" text NOT NULL,
                "source_key" text NOT NULL,
                "source_filename" text,
                "source_size_bytes" bigint,
                "media_info" jsonb NOT NULL,
                "options" jsonb NOT NULL,
                "error" text,
                "note" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_jobs_status" ON "jobs" ("status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_jobs_owner_created" ON "jobs" ("owner_key_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "content_segments" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "rank" integer NOT NULL,
                "start_sec" double precision NOT NULL,
                "end_sec" double precision NOT NULL,
                "score" real NOT NULL,
                "features" jsonb NOT NULL,
                "reason" text NOT NULL,
                "text" text NOT NULL,
                "selected" boolean NOT NULL,
                "attempt" integer NOT NULL,
                CONSTRAINT "uq_content_segments_job_rank" UNIQUE ("job_id", "rank"),
                CONSTRAINT "PK_086749a82bd551ea1edf6e72c62" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "clips" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "segment_id" uuid NOT NULL,
                "aspect" text NOT NULL,
                "status" text NOT NULL,
                "attempt" integer NOT NULL DEFAULT '0',
                "heartbeat_at" TIMESTAMP WITH TIME ZONE,
                "retry_at" TIMESTAMP WITH TIME ZONE,
                "video_key" text,
                "thumbnail_key" text,
                "vtt_key" text,
                "srt_key" text,
                "duration_sec" real,
                "width" integer,
                "height" integer,
                "size_bytes" bigint,
                "render_ms" integer,
                "error" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_clips_job_segment_aspect" UNIQUE ("job_id", "segment_id", "aspect"),
                CONSTRAINT "PK_cdb959a37f95935a5d30460dc3c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_clips_status" ON "clips" ("status")
        `);
    await queryRunner.query(`
            CREATE TABLE "job_stages" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "stage" text NOT NULL,
                "status" text NOT NULL,
                "attempt" integer NOT NULL DEFAULT '0',
                "progress" real NOT NULL DEFAULT '0',
                "eta_seconds" integer,
                "heartbeat_at" TIMESTAMP WITH TIME ZONE,
                "error" text,
                "summary" jsonb,
                "worker_host" text,
                "queued_at" TIMESTAMP WITH TIME ZONE,
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "retry_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "uq_job_stages_job_stage" UNIQUE ("job_id", "stage"),
                CONSTRAINT "PK_3e023b84ac31ccbcfb2b765a6bd" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_job_stages_status" ON "job_stages" ("status")
        `);
    await queryRunner.query(`
            CREATE TABLE "layout_analyses" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "sample_fps" real NOT NULL,
                "frame_count" integer NOT NULL,
                "scenes" jsonb NOT NULL,
                "scene_cuts" jsonb NOT NULL,
                "face_tracks" jsonb NOT NULL,
                "crop_plans" jsonb NOT NULL,
                "note" text,
                "attempt" integer NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_3579e3b0f4589ff262bba4f41fd" UNIQUE ("job_id"),
                CONSTRAINT "REL_3579e3b0f4589ff262bba4f41f" UNIQUE ("job_id"),
                CONSTRAINT "PK_7482ac7a6dc5856dbef7a4d6dbf" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "processing_logs" (
                "id" BIGSERIAL NOT NULL,
                "job_id" uuid NOT NULL,
                "stage" text NOT NULL,
                "attempt" integer NOT NULL,
                "event" text NOT NULL,
                "message" text NOT NULL,
                "command" text,
                "duration_ms" integer,
                "worker_host" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4c3736d4f835f0f00b668ecb7f7" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_processing_logs_job_created" ON "processing_logs" ("job_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "silence_regions" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "kind" text NOT NULL,
                "start_sec" double precision NOT NULL,
                "end_sec" double precision NOT NULL,
                "mean_db" real NOT NULL,
                "attempt" integer NOT NULL,
                CONSTRAINT "PK_ba0dc58ae8be004ec68b07ed6b7" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_silence_regions_job_start" ON "silence_regions" ("job_id", "start_sec")
        `);
    await queryRunner.query(`
            CREATE TABLE "transcripts" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "engine" text NOT NULL,
                "model" text NOT NULL,
                "model_version" text NOT NULL,
                "language" text NOT NULL,
                "text" text NOT NULL,
                "words" jsonb NOT NULL,
                "segments" jsonb NOT NULL,
                "note" text,
                "attempt" integer NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_04da953fd32550e5cfe446622f2" UNIQUE ("job_id"),
                CONSTRAINT "REL_04da953fd32550e5cfe446622f" UNIQUE ("job_id"),
                CONSTRAINT "PK_40c75f89c1fc953cd33e702247d" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "uploads" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "owner_key_id" uuid,
                "job_id" uuid NOT NULL,
                "s3_upload_id" text NOT NULL,
                "object_key" text NOT NULL,
                "filename" text NOT NULL,
                "content_type" text NOT NULL,
                "size_bytes" bigint NOT NULL,
                "part_size" integer NOT NULL,
                "status" text NOT NULL,
                "parts" jsonb NOT NULL DEFAULT '{}',
                "options" jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_d1781d1eedd7459314f60f39bd3" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_uploads_status_updated" ON "uploads" ("status", "updated_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs"
            ADD CONSTRAINT "FK_c2cfa6af9f0785285a98334fe83" FOREIGN KEY ("owner_key_id") REFERENCES "api_keys"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "content_segments"
            ADD CONSTRAINT "FK_f8117809e641b50d71f071c33e5" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD CONSTRAINT "FK_7401b8fe91a49b518f222982bdb" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD CONSTRAINT "FK_e26ebbb9610299580abe02a934c" FOREIGN KEY ("segment_id") REFERENCES "content_segments"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "job_stages"
            ADD CONSTRAINT "FK_c38049845a8ed5a5aca581c17e8" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "layout_analyses"
            ADD CONSTRAINT "FK_3579e3b0f4589ff262bba4f41fd" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "processing_logs"
            ADD CONSTRAINT "FK_f3fc1e6ce8b69fb698a130267c2" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "silence_regions"
            ADD CONSTRAINT "FK_68128b83b6edd23f50a2c446a9f" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "transcripts"
            ADD CONSTRAINT "FK_04da953fd32550e5cfe446622f2" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "uploads"
            ADD CONSTRAINT "FK_3e2a06cf1a7e31c9ee442d93551" FOREIGN KEY ("owner_key_id") REFERENCES "api_keys"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "uploads" DROP CONSTRAINT "FK_3e2a06cf1a7e31c9ee442d93551"
        `);
    await queryRunner.query(`
            ALTER TABLE "transcripts" DROP CONSTRAINT "FK_04da953fd32550e5cfe446622f2"
        `);
    await queryRunner.query(`
            ALTER TABLE "silence_regions" DROP CONSTRAINT "FK_68128b83b6edd23f50a2c446a9f"
        `);
    await queryRunner.query(`
            ALTER TABLE "processing_logs" DROP CONSTRAINT "FK_f3fc1e6ce8b69fb698a130267c2"
        `);
    await queryRunner.query(`
            ALTER TABLE "layout_analyses" DROP CONSTRAINT "FK_3579e3b0f4589ff262bba4f41fd"
        `);
    await queryRunner.query(`
            ALTER TABLE "job_stages" DROP CONSTRAINT "FK_c38049845a8ed5a5aca581c17e8"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP CONSTRAINT "FK_e26ebbb9610299580abe02a934c"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP CONSTRAINT "FK_7401b8fe91a49b518f222982bdb"
        `);
    await queryRunner.query(`
            ALTER TABLE "content_segments" DROP CONSTRAINT "FK_f8117809e641b50d71f071c33e5"
        `);
    await queryRunner.query(`
            ALTER TABLE "jobs" DROP CONSTRAINT "FK_c2cfa6af9f0785285a98334fe83"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_uploads_status_updated"
        `);
    await queryRunner.query(`
            DROP TABLE "uploads"
        `);
    await queryRunner.query(`
            DROP TABLE "transcripts"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_silence_regions_job_start"
        `);
    await queryRunner.query(`
            DROP TABLE "silence_regions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_processing_logs_job_created"
        `);
    await queryRunner.query(`
            DROP TABLE "processing_logs"
        `);
    await queryRunner.query(`
            DROP TABLE "layout_analyses"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_job_stages_status"
        `);
    await queryRunner.query(`
            DROP TABLE "job_stages"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_clips_status"
        `);
    await queryRunner.query(`
            DROP TABLE "clips"
        `);
    await queryRunner.query(`
            DROP TABLE "content_segments"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_jobs_owner_created"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_jobs_status"
        `);
    await queryRunner.query(`
            DROP TABLE "jobs"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_api_keys_prefix"
        `);
    await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
  }
}
