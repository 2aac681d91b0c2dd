// Filled in with the database lib: per-run database, queue prefix and S3 server.
export async function setupTestEnvironment(): Promise<void> {}
export async function teardownTestEnvironment(): Promise<void> {}
