export * from './policy';
export * from './role';
export * from './render-function';
export * from './api';
export * from './remotion-lambda';
export * from './render-records';
export * from './render-queue';
export * from './monitoring';
