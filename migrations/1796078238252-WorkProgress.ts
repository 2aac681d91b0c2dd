import { MigrationInterface, QueryRunner } from 'typeorm';

export class WorkProgress1796078238252 implements MigrationInterface {
  name = 'WorkProgress1796078238252';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "clips"
            ADD "progress" real NOT NULL DEFAULT '0'
        `);
    await queryRunner.query(`
            ALTER TABLE "stage_parts"
            ADD "progress" real NOT NULL DEFAULT '0'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "stage_parts" DROP COLUMN "progress"
        `);
    await queryRunner.query(`
            ALTER TABLE "clips" DROP COLUMN "progress"
        `);
  }
}
