export * from './policy';
export * from './role';
export * from './render-function';
export * from './api';
export * from './render-records';
