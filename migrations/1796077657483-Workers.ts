import { MigrationInterface, QueryRunner } from 'typeorm';

export class Workers1796077657483 implements MigrationInterface {
  name = 'Workers1796077657483';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "workers" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "host" text NOT NULL,
                "pid" integer NOT NULL,
                "app" text NOT NULL,
                "stage" text NOT NULL,
                "version" text NOT NULL,
                "current_work" jsonb NOT NULL DEFAULT '[]',
                "degraded" text,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "stopped_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_e950c9aba3bd84a4f193058d838" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_workers_stage_heartbeat" ON "workers" ("stage", "heartbeat_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_workers_stage_heartbeat"
        `);
    await queryRunner.query(`
            DROP TABLE "workers"
        `);
  }
}
