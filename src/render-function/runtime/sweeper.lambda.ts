/**
 * The render queue's sweeper (issue 20): a placeholder entry so that the asset layout is fixed;
 * replaced by the real handler.
 */
export const handler = async (): Promise<never> => {
  throw new Error('The render queue sweeper is not built yet');
};
