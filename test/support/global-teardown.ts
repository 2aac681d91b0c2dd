import { teardownTestEnvironment } from './test-environment';

export default async function globalTeardown(): Promise<void> {
  await teardownTestEnvironment();
}
