// Placeholder so that projen generates render-function.ts; the real handler replaces this file.
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 503 });
