import { setupTestEnvironment } from './test-environment';

export default async function globalSetup(): Promise<void> {
  await setupTestEnvironment();
}
