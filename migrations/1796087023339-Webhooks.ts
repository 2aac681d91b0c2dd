import { MigrationInterface, QueryRunner } from 'typeorm';

export class Webhooks1796087023339 implements MigrationInterface {
  name = 'Webhooks1796087023339';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "webhook_endpoints" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "owner_key_id" uuid NOT NULL,
                "url" text NOT NULL,
                "events" text array NOT NULL,
                "description" text,
                "secret" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_endpoints_owner" ON "webhook_endpoints" ("owner_key_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_events" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "seq" BIGSERIAL NOT NULL,
                "tx_id" bigint NOT NULL,
                "job_id" uuid NOT NULL,
                "type" text NOT NULL,
                "stage" text,
                "data" jsonb NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_4cba37e6a0acb5e1fc49c34ebfd" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_events_job_type_stage" ON "webhook_events" ("job_id", "type", "stage", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "endpoint_id" uuid NOT NULL,
                "event_id" uuid NOT NULL,
                "job_id" uuid NOT NULL,
                "seq" bigint NOT NULL,
                "tx_id" bigint NOT NULL,
                "status" text NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "claim_id" uuid,
                "claimed_until" TIMESTAMP WITH TIME ZONE,
                "body" text,
                "last_status_code" integer,
                "last_error" text,
                "last_response" text,
                "last_attempt_at" TIMESTAMP WITH TIME ZONE,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_webhook_deliveries_endpoint_event" UNIQUE ("endpoint_id", "event_id"),
                CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_order" ON "webhook_deliveries" ("endpoint_id", "job_id", "tx_id", "seq")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_27d1ee90033bdafe0ffe8f1be6f"
        `);
    await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_due"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_deliveries_order"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_events_job_type_stage"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_events"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_webhook_endpoints_owner"
        `);
    await queryRunner.query(`
            DROP TABLE "webhook_endpoints"
        `);
  }
}
