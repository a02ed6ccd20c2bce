// The only functions of Remotion's client the handler calls. Importing them by name (instead of
// the whole module namespace) lets esbuild drop the rest of the client from the bundle.
export { getRenderProgress, presignUrl, renderMediaOnLambda } from '@remotion/lambda/client';
