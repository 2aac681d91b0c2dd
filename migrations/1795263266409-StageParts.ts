import { MigrationInterface, QueryRunner } from 'typeorm';

export class StageParts1795263266409 implements MigrationInterface {
  name = 'StageParts1795263266409';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "stage_parts" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "job_id" uuid NOT NULL,
                "stage" text NOT NULL,
                "index" integer NOT NULL,
                "stage_attempt" integer NOT NULL,
                "start_sec" double precision NOT NULL,
                "end_sec" double precision NOT NULL,
                "status" text NOT NULL,
                "attempt" integer NOT NULL DEFAULT '0',
                "heartbeat_at" TIMESTAMP WITH TIME ZONE,
                "worker_host" text,
                "result" jsonb,
                "error" text,
                CONSTRAINT "uq_stage_parts_job_stage_index" UNIQUE ("job_id", "stage", "index"),
                CONSTRAINT "PK_cfafdf1a5437eb40fe5f8a2ddb5" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "stage_parts"
            ADD CONSTRAINT "FK_a1da8f119303e81bfbf2d0b8bc4" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "stage_parts" DROP CONSTRAINT "FK_a1da8f119303e81bfbf2d0b8bc4"
        `);
    await queryRunner.query(`
            DROP TABLE "stage_parts"
        `);
  }
}
