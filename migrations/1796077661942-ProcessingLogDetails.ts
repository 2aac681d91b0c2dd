import { MigrationInterface, QueryRunner } from 'typeorm';

export class ProcessingLogDetails1796077661942 implements MigrationInterface {
  name = 'ProcessingLogDetails1796077661942';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "processing_logs"
            ADD "details" text
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "processing_logs" DROP COLUMN "details"
        `);
  }
}
